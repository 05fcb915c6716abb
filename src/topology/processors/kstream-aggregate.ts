import type { Processor, StreamRecord } from '../processor.js';
import type { Change } from '../change.js';
import { tableForwarder, type TableForwarder, type TimestampedStore } from './timestamped-store.js';

/**
 * Aggregates a grouped stream into `storeName`. Records with a `null` key or value are skipped,
 * as in Kafka Streams. The result's timestamp is the larger of the record's and the previous
 * aggregate's.
 */
export function kstreamAggregate<K, V, A>(
  storeName: string,
  initializer: () => A,
  aggregator: (key: K, value: V, aggregate: A) => A,
): () => Processor<K, V, K, Change<A>> {
  return () => {
    let forward: TableForwarder<K, any>;
    let store: TimestampedStore<K, A>;
    return {
      init: (ctx) => {
        store = ctx.getStateStore<TimestampedStore<K, A>>(storeName);
        forward = tableForwarder(ctx, store);
      },
      process: (record: StreamRecord<K, V>) => {
        if (
          record.key === null ||
          record.key === undefined ||
          record.value === null ||
          record.value === undefined
        )
          return;
        const old = store.get(record.key);
        const oldValue = old === undefined ? null : old.value;
        const timestamp =
          old === undefined || record.timestamp > old.timestamp ? record.timestamp : old.timestamp;
        const newValue = aggregator(record.key, record.value, oldValue === null ? initializer() : oldValue);
        store.put(record.key, { value: newValue, timestamp });
        forward(record.key, newValue, oldValue, timestamp, record.headers);
      },
    };
  };
}

/** Reduces a grouped stream: the first value is the initial aggregate. */
export function kstreamReduce<K, V>(
  storeName: string,
  reducer: (aggregate: V, value: V, key: K) => V,
): () => Processor<K, V, K, Change<V>> {
  return () => {
    let forward: TableForwarder<K, any>;
    let store: TimestampedStore<K, V>;
    return {
      init: (ctx) => {
        store = ctx.getStateStore<TimestampedStore<K, V>>(storeName);
        forward = tableForwarder(ctx, store);
      },
      process: (record: StreamRecord<K, V>) => {
        if (
          record.key === null ||
          record.key === undefined ||
          record.value === null ||
          record.value === undefined
        )
          return;
        const old = store.get(record.key);
        const oldValue = old === undefined ? null : old.value;
        const timestamp =
          old === undefined || record.timestamp > old.timestamp ? record.timestamp : old.timestamp;
        const newValue = oldValue === null ? record.value : reducer(oldValue, record.value, record.key);
        store.put(record.key, { value: newValue, timestamp });
        forward(record.key, newValue, oldValue, timestamp, record.headers);
      },
    };
  };
}
