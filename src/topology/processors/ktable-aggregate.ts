import type { Processor, StreamRecord } from '../processor.js';
import type { Change } from '../change.js';
import { tableForwarder, type TableForwarder, type TimestampedStore } from './timestamped-store.js';

/**
 * Aggregates a re-grouped table: the old row is subtracted, then the new row added, so a row
 * that moves between groups leaves the old group and joins the new one.
 */
export function ktableAggregate<K, V, A>(
  storeName: string,
  initializer: () => A,
  adder: (key: K, value: V, aggregate: A) => A,
  subtractor: (key: K, value: V, aggregate: A) => A,
): () => Processor<K, Change<V>, K, Change<A>> {
  return () => {
    let forward: TableForwarder<K, any>;
    let store: TimestampedStore<K, A>;
    return {
      init: (ctx) => {
        store = ctx.getStateStore<TimestampedStore<K, A>>(storeName);
        forward = tableForwarder(ctx, store);
      },
      process: (record: StreamRecord<K, Change<V>>) => {
        if (record.key === null || record.key === undefined) return;
        const old = store.get(record.key);
        const oldAgg = old === undefined ? null : old.value;
        let agg: A | null = oldAgg;
        if (record.value.oldValue !== null && agg !== null)
          agg = subtractor(record.key, record.value.oldValue, agg);
        if (record.value.newValue !== null)
          agg = adder(record.key, record.value.newValue, agg ?? initializer());
        if (agg === null) return;
        const timestamp =
          old === undefined || record.timestamp > old.timestamp ? record.timestamp : old.timestamp;
        store.put(record.key, { value: agg, timestamp });
        forward(record.key, agg, oldAgg, timestamp, record.headers);
      },
    };
  };
}

/**
 * Reduces a re-grouped table with an adder and a subtractor; an aggregate that loses its last
 * row (subtracted with nothing added) is deleted.
 */
export function ktableReduce<K, V>(
  storeName: string,
  adder: (aggregate: V, value: V, key: K) => V,
  subtractor: (aggregate: V, value: V, key: K) => V,
): () => Processor<K, Change<V>, K, Change<V>> {
  return () => {
    let forward: TableForwarder<K, any>;
    let store: TimestampedStore<K, V>;
    return {
      init: (ctx) => {
        store = ctx.getStateStore<TimestampedStore<K, V>>(storeName);
        forward = tableForwarder(ctx, store);
      },
      process: (record: StreamRecord<K, Change<V>>) => {
        if (record.key === null || record.key === undefined) return;
        const old = store.get(record.key);
        const oldAgg = old === undefined ? null : old.value;
        let agg: V | null = oldAgg;
        if (record.value.oldValue !== null && agg !== null)
          agg = subtractor(agg, record.value.oldValue, record.key);
        if (record.value.newValue !== null)
          agg = agg === null ? record.value.newValue : adder(agg, record.value.newValue, record.key);
        const timestamp =
          old === undefined || record.timestamp > old.timestamp ? record.timestamp : old.timestamp;
        store.put(record.key, agg === null ? null : { value: agg, timestamp });
        forward(record.key, agg, oldAgg, timestamp, record.headers);
      },
    };
  };
}
