import type { Processor, StreamRecord } from '../processor.js';
import type { Change } from '../change.js';
import { tableForwarder, type TableForwarder, type TimestampedStore } from './timestamped-store.js';
import { definedResult } from './defined-result.js';
import { droppedForNull, dropRecorder, type DropRecorder } from '../dropped-records.js';

/**
 * Folds a grouped stream into `storeName` with `step(key, value, previous)`. Records with a
 * `null` key or value are skipped, as in Kafka Streams. The result's timestamp is the larger of
 * the record's and the previous aggregate's. With an `initializer`, a key's first update carries
 * the initial aggregate as its old value (so a downstream filter sees the change from it), as
 * Kafka Streams forwards it.
 */
function kstreamFold<K, V, A>(
  storeName: string,
  initializer: (() => A) | undefined,
  step: (key: K, value: V, previous: A | null) => A,
): () => Processor<K, V, K, Change<A>> {
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
      process: (record: StreamRecord<K, V>) => {
        if (droppedForNull(drop, record.key, record.value)) return;
        const old = store.get(record.key);
        const oldValue = old !== undefined ? old.value : initializer !== undefined ? initializer() : null;
        const timestamp =
          old === undefined || record.timestamp > old.timestamp ? record.timestamp : old.timestamp;
        const newValue = definedResult(step(record.key, record.value, oldValue), 'The aggregator');
        store.put(record.key, { value: newValue, timestamp });
        forward(record.key, newValue, oldValue, timestamp, record.headers);
      },
    };
  };
}

/** Aggregates a grouped stream: `aggregator` folds each value into the aggregate, starting from `initializer()`. */
export function kstreamAggregate<K, V, A>(
  storeName: string,
  initializer: () => A,
  aggregator: (key: K, value: V, aggregate: A) => A,
): () => Processor<K, V, K, Change<A>> {
  return kstreamFold<K, V, A>(storeName, initializer, (key, value, previous) =>
    aggregator(key, value, previous!),
  );
}

/** Reduces a grouped stream: the first value is the initial aggregate. */
export function kstreamReduce<K, V>(
  storeName: string,
  reducer: (aggregate: V, value: V, key: K) => V,
): () => Processor<K, V, K, Change<V>> {
  return kstreamFold<K, V, V>(storeName, undefined, (key, value, previous) =>
    previous === null ? value : reducer(previous, value, key),
  );
}
