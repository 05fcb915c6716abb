import type { Processor, StreamRecord } from '../processor.js';
import type { Change } from '../change.js';
import { tableForwarder, type TableForwarder, type TimestampedStore } from './timestamped-store.js';
import { dropRecorder, type DropRecorder } from '../dropped-records.js';

/**
 * Materializes a stream of upserts as a table: `null` values delete, every update (a tombstone for
 * an absent key too) is forwarded as a `Change` carrying the previous value. Records with a `null` key cannot be stored and are
 * dropped, as in Kafka Streams. Used by `builder.table()` and `stream.toTable()`.
 */
export function ktableSource<K, V>(storeName: string): () => Processor<K, V, K, Change<V>> {
  return () => {
    let forward: TableForwarder<K, any>;
    let store: TimestampedStore<K, V>;
    let drop: DropRecorder;
    return {
      init: (ctx) => {
        drop = dropRecorder(ctx);
        store = ctx.getStateStore<TimestampedStore<K, V>>(storeName);
        forward = tableForwarder(ctx, store);
      },
      process: (record: StreamRecord<K, V>) => {
        if (record.key === null || record.key === undefined) return drop('null-key');
        const old = store.get(record.key);
        if (record.value === null || record.value === undefined) {
          // A tombstone for an absent key is still forwarded, as Kafka Streams does.
          if (old !== undefined) store.delete(record.key);
        } else {
          store.put(record.key, { value: record.value, timestamp: record.timestamp });
        }
        forward(
          record.key,
          record.value ?? null,
          old === undefined ? null : old.value,
          record.timestamp,
          record.headers,
        );
      },
    };
  };
}
