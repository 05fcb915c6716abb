import { longSerde } from '../serde/primitive-serdes.js';
import type { Serde } from '../serde/serde.js';
import { kstreamAggregate, kstreamReduce } from '../topology/processors/kstream-aggregate.js';
import type { Processor } from '../topology/processor.js';
import type { KGroupedStream } from './kgrouped-stream.js';
import type { KStreamImpl } from './kstream-impl.js';
import { KTableImpl } from './ktable-impl.js';
import type { KTable } from './ktable.js';
import type { AggregateOptions } from './options.js';
import { requireFunction } from './validate.js';
import { TopologyError } from '../errors.js';
import { SessionWindows } from '../windowing/session-windows.js';
import { SlidingWindows } from '../windowing/sliding-windows.js';
import { TimeWindows } from '../windowing/time-windows.js';
import { SessionWindowedKStreamImpl } from './session-windowed-kstream-impl.js';
import { TimeWindowedKStreamImpl } from './time-windowed-kstream-impl.js';
import { Options } from './option-keys.js';
import { addStoreProcessor, planStore } from './aggregate-builder.js';

/** @internal */
export class KGroupedStreamImpl implements KGroupedStream<any, any> {
  constructor(
    readonly stream: KStreamImpl,
    readonly keySerde: Serde<any> | undefined,
    readonly valueSerde: Serde<any> | undefined,
    /** From `Grouped.name`: names the repartition topic. */
    readonly groupedName: string | undefined,
    readonly repartitionRequired: boolean,
  ) {}

  count(options?: AggregateOptions<any, number>): KTable<any, number> {
    return this.aggregateWith('KSTREAM-AGGREGATE-', options, longSerde, (store) =>
      kstreamAggregate(
        store,
        () => 0,
        (_k, _v, n: number) => n + 1,
      ),
    );
  }

  reduce(
    reducer: (aggregate: any, value: any, key: any) => any,
    options?: AggregateOptions<any, any>,
  ): KTable<any, any> {
    requireFunction(reducer, 'reduce', 'reducer');
    return this.aggregateWith('KSTREAM-REDUCE-', options, this.valueSerde, (store) =>
      kstreamReduce(store, reducer),
    );
  }

  aggregate(
    initializer: () => any,
    aggregator: (key: any, value: any, aggregate: any) => any,
    options?: AggregateOptions<any, any>,
  ): KTable<any, any> {
    requireFunction(initializer, 'aggregate', 'initializer');
    requireFunction(aggregator, 'aggregate', 'aggregator');
    return this.aggregateWith('KSTREAM-AGGREGATE-', options, undefined, (store) =>
      kstreamAggregate(store, initializer, aggregator),
    );
  }

  windowedBy(windows: any): any {
    if (windows instanceof SessionWindows) return new SessionWindowedKStreamImpl(this, windows);
    if (windows instanceof TimeWindows || windows instanceof SlidingWindows)
      return new TimeWindowedKStreamImpl(this, windows);
    throw new TopologyError(
      'windowedBy needs TimeWindows, SlidingWindows or SessionWindows (e.g. TimeWindows.ofSizeWithNoGrace(60_000)).',
    );
  }

  /**
   * @internal The stream to aggregate: repartitioned by key first when the key changed upstream.
   * The topic is named after `Grouped.name`, else after the store, as in Kafka Streams.
   */
  upstream(storeName: string, requestedBy: string): KStreamImpl {
    if (!this.repartitionRequired) return this.stream;
    return this.stream.repartitionAs(
      this.groupedName ?? storeName,
      this.keySerde,
      this.valueSerde,
      requestedBy,
    );
  }

  private aggregateWith(
    prefix: string,
    options: AggregateOptions<any, any> | undefined,
    defaultValueSerde: Serde<any> | undefined,
    processor: (storeName: string) => () => Processor<any, any, any, any>,
  ): KTable<any, any> {
    const builder = this.stream.builder;
    const plan = planStore(
      builder,
      'aggregation',
      prefix,
      options,
      Options.aggregate,
      this.keySerde,
      defaultValueSerde,
    );
    const upstream = this.upstream(plan.storeName, plan.name);
    addStoreProcessor(builder, plan, upstream.nodeName, processor(plan.storeName));
    return new KTableImpl(builder, plan.name, plan.storeName, plan.keySerde, plan.valueSerde);
  }
}
