import type { MeteredWindowStore } from '../../state/window/metered-window-store.js';
import type { ValueAndTimestamp } from '../../state/value-and-timestamp.js';
import { forwardClosedWindows, WindowCloseTracker } from './late-records.js';
import type { WindowFold } from './late-records.js';
import type { TimeWindows } from '../../windowing/time-windows.js';
import type { Windowed } from '../../windowing/windowed.js';
import type { Change } from '../change.js';
import type { Processor, ProcessorContext, StreamRecord } from '../processor.js';
import type { TableForwarder } from './timestamped-store.js';
import { timestampedWindowForwarder } from './windowed-forwarder.js';
import { definedResult } from './defined-result.js';
import { droppedForNullKey, dropRecorder, type DropRecorder } from '../dropped-records.js';

/** @internal Settings of a time-windowed (tumbling or hopping) aggregation processor. */
export interface WindowAggregateSpec<K, V, A> {
  readonly nodeName: string;
  readonly storeName: string;
  readonly windows: TimeWindows;
  readonly fold: WindowFold<K, V, A>;
  /** Emit each window once, when it closes, instead of on every update. */
  readonly emitOnWindowClose: boolean;
}

/**
 * Aggregates records into every time window that contains them, as Kafka Streams'
 * `KStreamWindowAggregate`: a window accepts records while `windowEnd > streamTime - grace`; a
 * record for a closed window is dropped and reported. Records with a `null` key are skipped; a
 * `null` value is aggregated (Kafka Streams skips it only in sliding windows). With a caching store, updates are emitted when the cache flushes (once per window per
 * commit), otherwise on every update.
 */
export function kstreamWindowAggregate<K, V, A>(
  spec: WindowAggregateSpec<K, V, A>,
): () => Processor<K, V, Windowed<K>, Change<A>> {
  return () => {
    let context: ProcessorContext<Windowed<K>, Change<A>>;
    let store: MeteredWindowStore<K, ValueAndTimestamp<A>>;
    let late: WindowCloseTracker;
    let drop: DropRecorder;
    let forward: TableForwarder<Windowed<K>, A>;
    const { windows, fold } = spec;

    const emitClosedWindows = (closeTime: number, lastEmitCloseTime: number): boolean => {
      // Windows with end <= closeTime are closed: start <= closeTime - size.
      const upper = closeTime - windows.sizeMs;
      if (upper < 0) return false;
      forwardClosedWindows(
        context,
        store,
        lastEmitCloseTime === -1 ? 0 : lastEmitCloseTime - windows.sizeMs + 1,
        upper,
      );
      return true;
    };

    return {
      init: (ctx) => {
        context = ctx;
        store = ctx.getStateStore<MeteredWindowStore<K, ValueAndTimestamp<A>>>(spec.storeName);
        drop = dropRecorder(ctx);
        late = new WindowCloseTracker(store, drop, windows.graceMs);
        forward = timestampedWindowForwarder(ctx, store, spec.emitOnWindowClose);
      },
      process: (record: StreamRecord<K, V>) => {
        if (droppedForNullKey(drop, record.key)) return;
        const timestamp = record.timestamp;
        const closeTime = late.advance(timestamp);
        for (const window of windows.windowsFor(timestamp)) {
          if (window.end <= closeTime) {
            late.dropLate(timestamp, window.start, window.end, closeTime);
            continue;
          }
          const old = store.fetch(record.key, window.start);
          const newValue = definedResult(fold(record.key, record.value, old?.value), 'The aggregator');
          const newTimestamp = old === undefined ? timestamp : Math.max(timestamp, old.timestamp);
          store.put(record.key, { value: newValue, timestamp: newTimestamp }, window.start);
          forward(
            { key: record.key, window },
            newValue,
            old === undefined ? null : old.value,
            newTimestamp,
            record.headers,
          );
        }
        if (spec.emitOnWindowClose) late.emitClosed(closeTime, emitClosedWindows);
      },
    };
  };
}
