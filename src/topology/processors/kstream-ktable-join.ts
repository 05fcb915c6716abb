import type { Processor, ProcessorContext, StreamRecord } from '../processor.js';
import type { TimestampedStore } from './timestamped-store.js';
import { dropRecorder, type DropRecorder } from '../dropped-records.js';

/**
 * Joins each stream record with the table row it maps to, looked up when the record arrives.
 * Table updates never produce output (the table is only read). Shared by stream–table joins
 * (`keyMapper` undefined: the record's own key) and stream–global-table joins.
 *
 * Dropping follows Kafka Streams (KIP-962): records with a `null` value are dropped; a record whose
 * join key is `null` is dropped by `join`, while `leftJoin` keeps a record whose own key is `null`
 * and joins it with `null`.
 */
export function kstreamTableLookupJoin<K, V, TK, TV, VR>(
  tableStoreName: string,
  keyMapper: ((key: K, value: V) => TK) | undefined,
  joiner: (value: V, tableValue: TV | null, key: K) => VR,
  leftJoin: boolean,
): () => Processor<K, V, K, VR> {
  return () => {
    let context: ProcessorContext<K, VR>;
    let table: TimestampedStore<TK, TV>;
    let drop: DropRecorder;
    return {
      init: (ctx) => {
        context = ctx;
        drop = dropRecorder(ctx);
        table = ctx.getStateStore<TimestampedStore<TK, TV>>(tableStoreName);
      },
      process: (record: StreamRecord<K, V>) => {
        if (record.value === null || record.value === undefined) return drop('null-value');
        const joinKey =
          keyMapper === undefined ? (record.key as unknown as TK) : keyMapper(record.key, record.value);
        const keepNullKey = leftJoin && (record.key === null || record.key === undefined);
        const hasJoinKey = joinKey !== null && joinKey !== undefined;
        if (!hasJoinKey && !keepNullKey) return drop('null-key');
        const row = hasJoinKey ? table.get(joinKey) : undefined;
        if (row === undefined && !leftJoin) return;
        const value = joiner(record.value, row === undefined ? null : row.value, record.key);
        context.forward({ key: record.key, value, timestamp: record.timestamp, headers: record.headers });
      },
    };
  };
}
