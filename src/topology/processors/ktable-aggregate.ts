import type { Processor, StreamRecord } from '../processor.js';
import type { Change } from '../change.js';
import { tableForwarder, type TableForwarder, type TimestampedStore } from './timestamped-store.js';
import { definedResult } from './defined-result.js';
import { dropRecorder, type DropRecorder } from '../dropped-records.js';

/**
 * Folds a re-grouped table's `Change`s into `storeName` with `step(key, change, previous)`.
 * A `null` result deletes the aggregate when `deleteWhenEmpty`, else is ignored.
 */
function ktableFold<K, V, A>(
  storeName: string,
  step: (key: K, change: Change<V>, previous: A | null) => A | null,
  deleteWhenEmpty: boolean,
): () => Processor<K, Change<V>, K, Change<A>> {
  return () => {
    let forward: TableForwarder<K, any>;
    let store: TimestampedStore<K, A>;
    let drop: DropRecorder;
    return {
      init: (ctx) => {
        drop = dropRecorder(ctx);
        store = ctx.getStateStore<TimestampedStore<K, A>>(storeName);
        forward = tableForwarder(ctx, store);
      },
      process: (record: StreamRecord<K, Change<V>>) => {
        if (record.key === null || record.key === undefined) return drop('null-key');
        const old = store.get(record.key);
        const oldAgg = old === undefined ? null : old.value;
        const agg = definedResult(step(record.key, record.value, oldAgg), 'The aggregator');
        if (agg === null && !deleteWhenEmpty) return;
        const timestamp =
          old === undefined || record.timestamp > old.timestamp ? record.timestamp : old.timestamp;
        store.put(record.key, agg === null ? null : { value: agg, timestamp });
        forward(record.key, agg, oldAgg, timestamp, record.headers);
      },
    };
  };
}

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
  return ktableFold<K, V, A>(
    storeName,
    (key, change, previous) => {
      let agg = previous;
      if (change.oldValue !== null && agg !== null) agg = subtractor(key, change.oldValue, agg);
      if (change.newValue !== null) agg = adder(key, change.newValue, agg ?? initializer());
      return agg;
    },
    false,
  );
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
  return ktableFold<K, V, V>(
    storeName,
    (key, change, previous) => {
      let agg = previous;
      if (change.oldValue !== null && agg !== null) agg = subtractor(agg, change.oldValue, key);
      if (change.newValue !== null) agg = agg === null ? change.newValue : adder(agg, change.newValue, key);
      return agg;
    },
    true,
  );
}
