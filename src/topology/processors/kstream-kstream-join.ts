import type { WindowStore } from '../../state/window/window-store.js';
import type { Processor, ProcessorContext, StreamRecord } from '../processor.js';
import type { OuterJoinKey, OuterJoinValues } from './kstream-kstream-outer-store.js';
import type { TimestampedStore } from './timestamped-store.js';
import { dropRecorder, type DropRecorder } from '../dropped-records.js';

/**
 * Stream time as both sides of one join see it, per task, and the oldest timestamp that may
 * still sit in the outer-join store (so most records skip the scan for closed windows).
 */
export interface JoinTimeTracker {
  streamTime: number;
  minTime: number;
}

/** @internal One tracker per task, shared by the two sides of a join. */
export class JoinTimeTrackers {
  private readonly byTask = new Map<string, JoinTimeTracker>();
  get(taskId: string): JoinTimeTracker {
    let tracker = this.byTask.get(taskId);
    if (tracker === undefined)
      this.byTask.set(taskId, (tracker = { streamTime: -1, minTime: Number.MAX_SAFE_INTEGER }));
    return tracker;
  }
  remove(taskId: string): void {
    this.byTask.delete(taskId);
  }
}

/** The settings of one side's join processor. */
export interface StreamJoinSide<K, VL, VR, VOut> {
  /** Whether this processor serves the left (`this`) stream. */
  readonly leftSide: boolean;
  readonly otherStoreName: string;
  /** The shared store of unmatched records (left and outer joins), or undefined (inner join). */
  readonly outerStoreName: string | undefined;
  /** Whether this side's unmatched records produce a result joined with `null`. */
  readonly outer: boolean;
  /** `JoinWindows` bounds as declared (from the left stream's point of view) and grace. */
  readonly beforeMs: number;
  readonly afterMs: number;
  readonly graceMs: number;
  readonly joiner: (left: VL | null, right: VR | null, key: K) => VOut;
  readonly trackers: JoinTimeTrackers;
}

/**
 * One side of a stream–stream join. A record joins every record of the other side's window store
 * with the same key and a timestamp in its window (`[t - before, t + after]` for the left side,
 * mirrored for the right); each result carries the larger timestamp of the pair.
 *
 * Left and outer joins do not emit a record's `null`-joined result as soon as it finds no partner:
 * it is parked in the shared outer store, and emitted only once stream time has passed its window
 * end plus grace without a partner arriving (a partner removes it). A record that arrives after its
 * window already ended is emitted with `null` at once. Records with a `null` key or value are
 * dropped, except that outer sides emit a `null`-key record joined with `null` immediately.
 */
export function kstreamKStreamJoin<K, VThis, VOther, VOut>(
  side: StreamJoinSide<K, any, any, VOut>,
): () => Processor<K, VThis, K, VOut> {
  const lookBackMs = side.leftSide ? side.beforeMs : side.afterMs;
  const lookAheadMs = side.leftSide ? side.afterMs : side.beforeMs;
  const joinThis = (thisValue: VThis | null, otherValue: VOther | null, key: K): VOut =>
    side.leftSide ? side.joiner(thisValue, otherValue, key) : side.joiner(otherValue, thisValue, key);
  // An unmatched left record waits for right records up to `after` later; a right one, up to `before`.
  const windowEnd = (entry: OuterJoinKey<K>): number =>
    entry.timestamp + (entry.leftSide ? side.afterMs : side.beforeMs) + side.graceMs;
  // As Kafka Streams: a side looks for closed windows only once its own look-ahead plus grace has
  // passed the oldest parked record (the left side waits `after`, the right side `before`).
  const scanAfterMs = (side.leftSide ? side.afterMs : side.beforeMs) + side.graceMs;

  return () => {
    let context: ProcessorContext<K, VOut>;
    let other: WindowStore<K, VOther>;
    let drop: DropRecorder;
    let outerStore: TimestampedStore<OuterJoinKey<K>, OuterJoinValues> | undefined;
    let tracker: JoinTimeTracker;

    const emitClosedUnmatched = (): void => {
      if (outerStore === undefined || tracker.minTime + scanAfterMs >= tracker.streamTime) return;
      const closed: OuterJoinKey<K>[] = [];
      // As Kafka Streams: the time bound becomes the last record looked at (open, emitted, or the
      // one that ends the scan), and no bound at all when the store turns out empty.
      tracker.minTime = Number.MAX_SAFE_INTEGER;
      let leftOpen = false;
      let rightOpen = false;
      const entries = outerStore.all();
      try {
        for (const { key: entry, value } of entries) {
          tracker.minTime = entry.timestamp;
          if (leftOpen && rightOpen) break;
          if (windowEnd(entry) >= tracker.streamTime) {
            // Entries are ordered by time: later ones of the same side are open too.
            if (entry.leftSide) leftOpen = true;
            else rightOpen = true;
            continue;
          }
          for (const v of value.value.values) {
            const result = entry.leftSide ? side.joiner(v, null, entry.key) : side.joiner(null, v, entry.key);
            context.forward({ key: entry.key, value: result, timestamp: entry.timestamp });
          }
          closed.push(entry);
        }
      } finally {
        entries.close();
      }
      for (const entry of closed) outerStore.delete(entry);
    };

    const parkUnmatched = (record: StreamRecord<K, VThis>): void => {
      const key: OuterJoinKey<K> = { timestamp: record.timestamp, leftSide: side.leftSide, key: record.key };
      const parked = outerStore!.get(key);
      const values = parked === undefined ? [record.value] : [...parked.value.values, record.value];
      outerStore!.put(key, { value: { leftSide: side.leftSide, values }, timestamp: record.timestamp });
      tracker.minTime = Math.min(tracker.minTime, record.timestamp);
    };

    const forgetParked = (key: OuterJoinKey<K>): void => {
      // Read first: a blind delete would write a changelog tombstone for every joined record.
      if (outerStore!.get(key) !== undefined) outerStore!.delete(key);
    };

    return {
      init: (ctx) => {
        context = ctx;
        drop = dropRecorder(ctx);
        other = ctx.getStateStore<WindowStore<K, VOther>>(side.otherStoreName);
        if (side.outerStoreName !== undefined) outerStore = ctx.getStateStore(side.outerStoreName);
        tracker = side.trackers.get(ctx.taskId);
      },
      process: (record: StreamRecord<K, VThis>) => {
        const timestamp = record.timestamp;
        tracker.streamTime = Math.max(tracker.streamTime, timestamp);
        const hasValue = record.value !== null && record.value !== undefined;
        if (record.key === null || record.key === undefined || !hasValue) {
          if (side.outer && hasValue)
            context.forward({
              key: record.key,
              value: joinThis(record.value, null, record.key),
              timestamp,
              headers: record.headers,
            });
          else drop(hasValue ? 'null-key' : 'null-value');
          return;
        }
        if (timestamp === tracker.streamTime) emitClosedUnmatched();

        const timeFrom = Math.max(0, timestamp - lookBackMs);
        const timeTo = Math.max(0, timestamp + lookAheadMs);
        let matched = false;
        const partners = other.fetch(record.key, timeFrom, timeTo);
        try {
          for (const { key: otherTimestamp, value: otherValue } of partners) {
            matched = true;
            // The partner is matched now: its parked null-joined result must never be emitted.
            if (outerStore !== undefined)
              forgetParked({ timestamp: otherTimestamp, leftSide: !side.leftSide, key: record.key });
            const value = joinThis(record.value, otherValue, record.key);
            context.forward({
              key: record.key,
              value,
              timestamp: Math.max(timestamp, otherTimestamp),
              headers: record.headers,
            });
          }
        } finally {
          partners.close();
        }
        if (matched || !side.outer) return;
        if (outerStore === undefined || timeTo < tracker.streamTime) {
          context.forward({
            key: record.key,
            value: joinThis(record.value, null, record.key),
            timestamp,
            headers: record.headers,
          });
        } else {
          parkUnmatched(record);
        }
      },
      close: () => side.trackers.remove(context.taskId),
    };
  };
}
