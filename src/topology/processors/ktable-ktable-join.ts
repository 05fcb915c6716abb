import type { Change } from '../change.js';
import type { Processor, ProcessorContext, StreamRecord } from '../processor.js';
import type { TimestampedStore } from './timestamped-store.js';
import { definedResult } from './defined-result.js';
import { dropRecorder, type DropRecorder } from '../dropped-records.js';

/**
 * Which sides must hold a row for a result to exist, seen from the side a processor serves:
 * inner join `{ this: true, other: true }`, the left side of a left join `{ this: true, other: false }`,
 * its right side `{ this: false, other: true }`, outer join `{ this: false, other: false }`.
 */
export interface JoinSideRequirement {
  readonly thisRequired: boolean;
  readonly otherRequired: boolean;
}

/**
 * One side of a table–table join: an update of this side's row is joined with the other side's
 * current row (read from its store). Both the new and the old result are computed against the same
 * other row, so downstream operators see a correct `Change`; a delete that ends a result becomes a
 * `null` new value. The result's timestamp is the larger of the two rows'.
 */
export function ktableKTableJoinSide<K, VThis, VOther, VR>(
  otherStoreName: string,
  joiner: (thisValue: VThis | null, otherValue: VOther | null, key: K) => VR,
  sides: JoinSideRequirement,
): () => Processor<K, Change<VThis>, K, Change<VR>> {
  const result = (key: K, thisValue: VThis | null, otherValue: VOther | null): VR | null => {
    if (thisValue === null && (sides.thisRequired || otherValue === null)) return null;
    if (otherValue === null && sides.otherRequired) return null;
    return definedResult(joiner(thisValue, otherValue, key), 'The joiner');
  };
  return () => {
    let context: ProcessorContext<K, Change<VR>>;
    let other: TimestampedStore<K, VOther>;
    let drop: DropRecorder;
    return {
      init: (ctx) => {
        context = ctx;
        drop = dropRecorder(ctx);
        other = ctx.getStateStore<TimestampedStore<K, VOther>>(otherStoreName);
      },
      process: (record: StreamRecord<K, Change<VThis>>) => {
        if (record.key === null || record.key === undefined) return drop('null-key');
        const row = other.get(record.key);
        const otherValue = row === undefined ? null : row.value;
        // As Kafka Streams: with the other row present every update is forwarded, even a delete of
        // a row that never joined (a tombstone downstream); without it, only where a result can exist.
        if (otherValue === null) {
          if (sides.otherRequired) return;
          if (record.value.newValue === null && record.value.oldValue === null) return;
        }
        const newValue = result(record.key, record.value.newValue, otherValue);
        const oldValue = result(record.key, record.value.oldValue, otherValue);
        const timestamp = row === undefined ? record.timestamp : Math.max(record.timestamp, row.timestamp);
        context.forward({
          key: record.key,
          value: { newValue, oldValue },
          timestamp,
          headers: record.headers,
        });
      },
    };
  };
}

/**
 * Merges the results of both join sides into one table; writes them into `storeName` when the join
 * is materialized, before forwarding.
 */
export function ktableKTableJoinMerger<K, VR>(
  storeName: string | undefined,
): () => Processor<K, Change<VR>, K, Change<VR>> {
  return () => {
    let context: ProcessorContext<K, Change<VR>>;
    let store: TimestampedStore<K, VR> | undefined;
    return {
      init: (ctx) => {
        context = ctx;
        if (storeName !== undefined) store = ctx.getStateStore<TimestampedStore<K, VR>>(storeName);
      },
      process: (record: StreamRecord<K, Change<VR>>) => {
        if (store !== undefined) {
          const { newValue } = record.value;
          store.put(record.key, newValue === null ? null : { value: newValue, timestamp: record.timestamp });
        }
        context.forward(record);
      },
    };
  };
}
