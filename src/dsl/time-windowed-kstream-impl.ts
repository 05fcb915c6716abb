import { TopologyError } from '../errors.js';
import { longSerde } from '../serde/primitive-serdes.js';
import type { Serde } from '../serde/serde.js';
import { timeWindowedSerde } from '../serde/windowed-serdes.js';
import { deferredWindowStoreSupplier } from '../state/window/dsl-windowed-suppliers.js';
import { Stores } from '../state/stores.js';
import type { StateStore, StoreBuilder } from '../state/store.js';
import { kstreamSlidingWindowAggregate } from '../topology/processors/kstream-sliding-window-aggregate.js';
import { kstreamWindowAggregate } from '../topology/processors/kstream-window-aggregate.js';
import { EmitStrategy } from '../windowing/emit-strategy.js';
import type { WindowFold } from '../topology/processors/late-records.js';
import { SlidingWindows } from '../windowing/sliding-windows.js';
import type { TimeWindows } from '../windowing/time-windows.js';
import type { KGroupedStreamImpl } from './kgrouped-stream-impl.js';
import { KTableImpl } from './ktable-impl.js';
import type { KTable } from './ktable.js';
import type { TimeWindowedKStream, WindowedAggregateOptions } from './time-windowed-kstream.js';
import { requireFunction } from './validate.js';
import { windowedRetention } from './windowed-store-node.js';
import { addWindowedAggregate, planWindowedAggregate } from './aggregate-builder.js';

/** @internal Type-erased implementation of `TimeWindowedKStream` (time and sliding windows). */
export class TimeWindowedKStreamImpl implements TimeWindowedKStream<any, any> {
  constructor(
    readonly grouped: KGroupedStreamImpl,
    readonly windows: TimeWindows | SlidingWindows,
    readonly emit: EmitStrategy = EmitStrategy.onWindowUpdate(),
  ) {}

  emitStrategy(strategy: EmitStrategy): TimeWindowedKStream<any, any> {
    return new TimeWindowedKStreamImpl(this.grouped, this.windows, checkedEmitStrategy(strategy));
  }

  count(options?: WindowedAggregateOptions<any, number>): KTable<any, number> {
    return this.aggregateWith(
      'KSTREAM-AGGREGATE-',
      options,
      longSerde,
      (_k, _v, n: number | undefined) => (n ?? 0) + 1,
    );
  }

  reduce(
    reducer: (aggregate: any, value: any, key: any) => any,
    options?: WindowedAggregateOptions<any, any>,
  ): KTable<any, any> {
    requireFunction(reducer, 'reduce', 'reducer');
    return this.aggregateWith('KSTREAM-REDUCE-', options, this.grouped.valueSerde, (key, value, aggregate) =>
      aggregate === undefined ? value : reducer(aggregate, value, key),
    );
  }

  aggregate(
    initializer: () => any,
    aggregator: (key: any, value: any, aggregate: any) => any,
    options?: WindowedAggregateOptions<any, any>,
  ): KTable<any, any> {
    requireFunction(initializer, 'aggregate', 'initializer');
    requireFunction(aggregator, 'aggregate', 'aggregator');
    return this.aggregateWith('KSTREAM-AGGREGATE-', options, undefined, (key, value, aggregate) =>
      aggregator(key, value, aggregate === undefined ? initializer() : aggregate),
    );
  }

  private aggregateWith(
    prefix: string,
    options: WindowedAggregateOptions<any, any> | undefined,
    defaultValueSerde: Serde<any> | undefined,
    fold: WindowFold<any, any, any>,
  ): KTable<any, any> {
    const plan = planWindowedAggregate(this.grouped, prefix, options, defaultValueSerde);
    const { name, storeName, keySerde, valueSerde, materialized: m } = plan;
    const sliding = this.windows instanceof SlidingWindows;
    const windowSizeMs = sliding
      ? (this.windows as SlidingWindows).timeDifferenceMs
      : (this.windows as TimeWindows).sizeMs;
    // A sliding aggregation reads windows up to 2 × the time difference back.
    const openSpan = (sliding ? 2 * windowSizeMs : windowSizeMs) + this.windows.graceMs;
    const retentionMs = windowedRetention(storeName, m, openSpan);

    const emitOnWindowClose = this.emit.type === 'on-window-close';
    const supplier = sliding
      ? kstreamSlidingWindowAggregate({
          nodeName: name,
          storeName,
          windows: this.windows as SlidingWindows,
          fold,
          emitOnWindowClose,
        })
      : kstreamWindowAggregate({
          nodeName: name,
          storeName,
          windows: this.windows as TimeWindows,
          fold,
          emitOnWindowClose,
        });
    addWindowedAggregate(
      this.grouped,
      plan,
      (storeType, key, value) => {
        const supplier = deferredWindowStoreSupplier(storeName, retentionMs, windowSizeMs, false, storeType);
        return Stores.timestampedWindowStoreBuilder(
          supplier,
          key,
          value,
        ) as unknown as StoreBuilder<StateStore>;
      },
      supplier,
      { kind: sliding ? 'sliding' : 'time', graceMs: this.windows.graceMs },
    );
    const windowedKeySerde =
      keySerde === undefined ? undefined : timeWindowedSerde(keySerde, { windowSizeMs });
    return new KTableImpl(this.grouped.stream.builder, name, storeName, windowedKeySerde, valueSerde);
  }
}

/** @internal */
export function checkedEmitStrategy(strategy: EmitStrategy): EmitStrategy {
  if (!(strategy instanceof EmitStrategy)) {
    throw new TopologyError(
      'emitStrategy needs EmitStrategy.onWindowClose() or EmitStrategy.onWindowUpdate().',
    );
  }
  return strategy;
}
