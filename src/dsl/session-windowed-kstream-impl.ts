import { longSerde } from '../serde/primitive-serdes.js';
import type { Serde } from '../serde/serde.js';
import { sessionWindowedSerde } from '../serde/windowed-serdes.js';
import { deferredSessionStoreSupplier } from '../state/window/dsl-windowed-suppliers.js';
import { Stores } from '../state/stores.js';
import type { StateStore, StoreBuilder } from '../state/store.js';
import { kstreamSessionWindowAggregate } from '../topology/processors/kstream-session-window-aggregate.js';
import { EmitStrategy } from '../windowing/emit-strategy.js';
import type { WindowFold } from '../topology/processors/late-records.js';
import type { SessionWindows } from '../windowing/session-windows.js';
import type { KGroupedStreamImpl } from './kgrouped-stream-impl.js';
import { KTableImpl } from './ktable-impl.js';
import type { KTable } from './ktable.js';
import type { SessionWindowedKStream } from './session-windowed-kstream.js';
import type { WindowedAggregateOptions } from './time-windowed-kstream.js';
import { checkedEmitStrategy } from './time-windowed-kstream-impl.js';
import { windowedRetention } from './windowed-store-node.js';
import { requireFunction } from './validate.js';
import { addWindowedAggregate, planWindowedAggregate } from './aggregate-builder.js';

type Merge = (key: any, aggregate: any, other: any) => any;

/** @internal Type-erased implementation of `SessionWindowedKStream`. */
export class SessionWindowedKStreamImpl implements SessionWindowedKStream<any, any> {
  constructor(
    readonly grouped: KGroupedStreamImpl,
    readonly windows: SessionWindows,
    readonly emit: EmitStrategy = EmitStrategy.onWindowUpdate(),
  ) {}

  emitStrategy(strategy: EmitStrategy): SessionWindowedKStream<any, any> {
    return new SessionWindowedKStreamImpl(this.grouped, this.windows, checkedEmitStrategy(strategy));
  }

  count(options?: WindowedAggregateOptions<any, number>): KTable<any, number> {
    return this.aggregateWith(
      'KSTREAM-AGGREGATE-',
      options,
      longSerde,
      (_k, _v, n: number | undefined) => (n ?? 0) + 1,
      (_k, a: number | undefined, b: number) => (a ?? 0) + b,
    );
  }

  reduce(
    reducer: (aggregate: any, value: any, key: any) => any,
    options?: WindowedAggregateOptions<any, any>,
  ): KTable<any, any> {
    requireFunction(reducer, 'reduce', 'reducer');
    // As Kafka Streams: the first value starts the aggregate, and merging two sessions reduces the
    // earlier-found aggregate with the later one.
    const fold = (key: any, value: any, aggregate: any) =>
      aggregate === undefined ? value : reducer(aggregate, value, key);
    const merge = (key: any, aggregate: any, other: any) =>
      aggregate === undefined ? other : reducer(aggregate, other, key);
    return this.aggregateWith('KSTREAM-REDUCE-', options, this.grouped.valueSerde, fold, merge);
  }

  aggregate(
    initializer: () => any,
    aggregator: (key: any, value: any, aggregate: any) => any,
    merger: (key: any, aggregate1: any, aggregate2: any) => any,
    options?: WindowedAggregateOptions<any, any>,
  ): KTable<any, any> {
    requireFunction(initializer, 'aggregate', 'initializer');
    requireFunction(aggregator, 'aggregate', 'aggregator');
    requireFunction(merger, 'aggregate', 'merger');
    return this.aggregateWith(
      'KSTREAM-AGGREGATE-',
      options,
      undefined,
      (key, value, aggregate) => aggregator(key, value, aggregate === undefined ? initializer() : aggregate),
      (key, aggregate, other) => merger(key, aggregate === undefined ? initializer() : aggregate, other),
    );
  }

  private aggregateWith(
    prefix: string,
    options: WindowedAggregateOptions<any, any> | undefined,
    defaultValueSerde: Serde<any> | undefined,
    fold: WindowFold<any, any, any>,
    merge: Merge,
  ): KTable<any, any> {
    const plan = planWindowedAggregate(this.grouped, prefix, options, defaultValueSerde);
    const { name, storeName, keySerde, valueSerde, materialized: m } = plan;
    const retentionMs = windowedRetention(storeName, m, this.windows.inactivityGapMs + this.windows.graceMs);
    const supplier = kstreamSessionWindowAggregate({
      nodeName: name,
      storeName,
      windows: this.windows,
      fold,
      merge,
      emitOnWindowClose: this.emit.type === 'on-window-close',
    });
    addWindowedAggregate(
      this.grouped,
      plan,
      (storeType, key, value) => {
        const supplier = deferredSessionStoreSupplier(storeName, retentionMs, storeType);
        return Stores.sessionStoreBuilder(supplier, key, value) as unknown as StoreBuilder<StateStore>;
      },
      supplier,
      { kind: 'session', graceMs: this.windows.graceMs, inactivityGapMs: this.windows.inactivityGapMs },
    );
    const windowedKeySerde = keySerde === undefined ? undefined : sessionWindowedSerde(keySerde);
    return new KTableImpl(this.grouped.stream.builder, name, storeName, windowedKeySerde, valueSerde);
  }
}
