import type { MeteredWindowStore } from '../../state/window/metered-window-store.js';
import type { ValueAndTimestamp } from '../../state/value-and-timestamp.js';
import { forwardClosedWindows, WindowCloseTracker } from './late-records.js';
import type { WindowFold } from './late-records.js';
import type { SlidingWindows } from '../../windowing/sliding-windows.js';
import type { Window, Windowed } from '../../windowing/windowed.js';
import type { Change } from '../change.js';
import type { Processor, ProcessorContext, StreamRecord } from '../processor.js';
import type { TableForwarder } from './timestamped-store.js';
import { timestampedWindowForwarder } from './windowed-forwarder.js';
import { definedResult } from './defined-result.js';
import { droppedForNull, dropRecorder, type DropRecorder } from '../dropped-records.js';

/** @internal Settings of a sliding-window aggregation processor. */
export interface SlidingWindowAggregateSpec<K, V, A> {
  readonly nodeName: string;
  readonly storeName: string;
  readonly windows: SlidingWindows;
  readonly fold: WindowFold<K, V, A>;
  readonly emitOnWindowClose: boolean;
}

/** An aggregate and the largest record timestamp in it; `value` undefined: an empty new window. */
interface Aggregate<A> {
  readonly value: A | undefined;
  readonly timestamp: number;
}

/**
 * Sliding-window aggregation with Kafka Streams' KIP-450 semantics (`KStreamSlidingWindowAggregate`):
 * windows `[start, start + timeDifference]` (inclusive) exist only where records are. A record at
 * `t` updates every existing window containing it, creates its left window `[t - d, t]` (seeded
 * with the records before it that fit), the right window of the previous record if `t` falls in
 * it, and its own right window `[t + 1, t + 1 + d]` when later records exist. A window accepts
 * records while `windowEnd >= streamTime - grace`. Records earlier than `d` go to `[0, d]`. With a
 * caching store, updates are emitted when the cache flushes (once per window per commit).
 */
export function kstreamSlidingWindowAggregate<K, V, A>(
  spec: SlidingWindowAggregateSpec<K, V, A>,
): () => Processor<K, V, Windowed<K>, Change<A>> {
  const diff = spec.windows.timeDifferenceMs;
  const grace = spec.windows.graceMs;
  return () => {
    let context: ProcessorContext<Windowed<K>, Change<A>>;
    let store: MeteredWindowStore<K, ValueAndTimestamp<A>>;
    let late: WindowCloseTracker;
    let drop: DropRecorder;
    let forward: TableForwarder<Windowed<K>, A>;

    const windowAt = (start: number): Window => ({ start, end: start + diff });

    /** Folds the record into `window` (starting from `aggregate`) unless the window has closed. */
    const update = (
      key: K,
      value: V,
      t: number,
      closeTime: number,
      window: Window,
      aggregate: Aggregate<A>,
    ): void => {
      if (window.end < closeTime) {
        late.dropLate(t, window.start, window.end, closeTime);
        return;
      }
      const newValue = definedResult(spec.fold(key, value, aggregate.value), 'The aggregator');
      const timestamp = aggregate.value === undefined ? t : Math.max(t, aggregate.timestamp);
      store.put(key, { value: newValue, timestamp }, window.start);
      forward({ key, window }, newValue, aggregate.value ?? null, timestamp);
    };

    /** The current record's right window holds exactly the later records of `rightAggregate`. */
    const createRightWindow = (key: K, t: number, rightAggregate: ValueAndTimestamp<A>): void => {
      const window = windowAt(t + 1);
      store.put(key, rightAggregate, window.start);
      forward({ key, window }, rightAggregate.value, null, rightAggregate.timestamp);
    };

    const processInOrder = (key: K, value: V, t: number, closeTime: number): void => {
      const starts = new Set<number>();
      let leftAggregate: ValueAndTimestamp<A> | undefined;
      let rightAggregate: ValueAndTimestamp<A> | undefined;
      let leftExists = false;
      let rightExists = false;
      let previousTimestamp: number | undefined;
      // Newest first: right windows, then the left window, then the previous record's left window.
      for (const { key: start, value: existing } of store.backwardFetch(
        key,
        Math.max(0, t - 2 * diff),
        t + 1,
      )) {
        starts.add(start);
        const end = start + diff;
        if (start === t + 1) {
          rightExists = true;
        } else if (end > t) {
          rightAggregate ??= existing;
          update(key, value, t, closeTime, windowAt(start), existing);
        } else if (end === t) {
          leftExists = true;
          update(key, value, t, closeTime, windowAt(start), existing);
          // A record at exactly t already exists: every window it needs is there.
          if (existing.timestamp >= t) return;
          previousTimestamp = existing.timestamp;
        } else {
          leftAggregate = existing;
          previousTimestamp = existing.timestamp;
          break;
        }
      }
      if (previousTimestamp !== undefined) {
        const previousRightStart = previousTimestamp + 1;
        if (!starts.has(previousRightStart) && previousRightStart + diff >= t) {
          update(key, value, t, closeTime, windowAt(previousRightStart), { value: undefined, timestamp: t });
        }
      }
      if (!leftExists) {
        const seed =
          previousTimestamp !== undefined && t - diff <= previousTimestamp && leftAggregate !== undefined
            ? { value: leftAggregate.value, timestamp: t }
            : { value: undefined, timestamp: t };
        update(key, value, t, closeTime, { start: t - diff, end: t }, seed);
      }
      if (!rightExists && rightAggregate !== undefined && rightAggregate.timestamp > t) {
        createRightWindow(key, t, rightAggregate);
      }
    };

    /** Records before `diff` would have negative window starts: they share the window [0, diff]. */
    const processEarly = (key: K, value: V, t: number, closeTime: number): void => {
      const starts = new Set<number>();
      let combined: ValueAndTimestamp<A> | undefined;
      let rightAggregate: ValueAndTimestamp<A> | undefined;
      let rightExists = false;
      let previousTimestamp: number | undefined;
      for (const { key: start, value: existing } of store.fetch(key, 0, t + 1)) {
        starts.add(start);
        if (start === 0) {
          combined = existing;
          if (existing.timestamp < t) previousTimestamp = existing.timestamp;
        } else if (start <= t) {
          rightAggregate = existing;
          update(key, value, t, closeTime, windowAt(start), existing);
        } else {
          rightExists = true;
        }
      }
      // Without a right window found, [0, diff] holds only records after t if its max is after t.
      if (rightAggregate === undefined && combined !== undefined && combined.timestamp > t)
        rightAggregate = combined;
      if (!rightExists && rightAggregate !== undefined && rightAggregate.timestamp > t) {
        createRightWindow(key, t, rightAggregate);
      }
      if (previousTimestamp !== undefined && !starts.has(previousTimestamp + 1)) {
        update(key, value, t, closeTime, windowAt(previousTimestamp + 1), { value: undefined, timestamp: t });
      }
      update(key, value, t, closeTime, windowAt(0), combined ?? { value: undefined, timestamp: t });
    };

    const emitClosedWindows = (closeTime: number, lastEmitCloseTime: number): boolean => {
      // A window is closed once its (inclusive) end is before closeTime.
      const upper = closeTime - diff - 1;
      if (upper < 0) return false;
      forwardClosedWindows(context, store, lastEmitCloseTime === -1 ? 0 : lastEmitCloseTime - diff, upper);
      return true;
    };

    return {
      init: (ctx) => {
        context = ctx;
        store = ctx.getStateStore<MeteredWindowStore<K, ValueAndTimestamp<A>>>(spec.storeName);
        drop = dropRecorder(ctx);
        late = new WindowCloseTracker(store, drop, grace);
        forward = timestampedWindowForwarder(ctx, store, spec.emitOnWindowClose);
      },
      process: (record: StreamRecord<K, V>) => {
        const { key, value, timestamp: t } = record;
        if (droppedForNull(drop, key, value)) return;
        const closeTime = late.advance(t);
        if (t + 1 + diff <= closeTime) {
          // Even the record's right window would already be closed.
          late.dropLate(t, t - diff, t, closeTime);
        } else if (t < diff) {
          processEarly(key, value, t, closeTime);
        } else {
          processInOrder(key, value, t, closeTime);
        }
        if (spec.emitOnWindowClose) late.emitClosed(closeTime, emitClosedWindows);
      },
    };
  };
}
