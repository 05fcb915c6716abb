import type { MeteredSessionStore } from '../../state/session/metered-session-store.js';
import { WindowCloseTracker } from './late-records.js';
import type { WindowFold } from './late-records.js';
import type { SessionWindows } from '../../windowing/session-windows.js';
import type { Window, Windowed } from '../../windowing/windowed.js';
import type { Change } from '../change.js';
import type { Processor, ProcessorContext, StreamRecord } from '../processor.js';
import type { TableForwarder } from './timestamped-store.js';
import { windowedForwarder } from './windowed-forwarder.js';
import { definedResult } from './defined-result.js';
import { droppedForNullKey, dropRecorder, type DropRecorder } from '../dropped-records.js';

/** @internal Settings of a session-window aggregation processor. */
export interface SessionWindowAggregateSpec<K, V, A> {
  readonly nodeName: string;
  readonly storeName: string;
  readonly windows: SessionWindows;
  readonly fold: WindowFold<K, V, A>;
  /** Combines two sessions' aggregates when a record bridges them (`undefined`: nothing yet). */
  readonly merge: (key: K, aggregate: A | undefined, other: A) => A;
  readonly emitOnWindowClose: boolean;
}

/**
 * Session-window aggregation as Kafka Streams' `KStreamSessionWindowAggregate`: a record at `t`
 * merges every session of its key within the inactivity gap (`end >= t - gap`, `start <= t + gap`)
 * into one. Each replaced session is removed and forwarded as a tombstone, then the merged
 * session is forwarded; every output is timestamped with its session's end (a tombstone with the
 * replaced session's end). Sessions close at `end + gap + grace` (KAFKA-12718): a merged session
 * ending before `streamTime - grace - gap` is dropped as late.
 *
 * With a caching store the cache forwards instead, once per session per commit: the sessions
 * that exist at the flush with their last values, and a tombstone for each session merged away
 * that had reached the store below (one created and merged away between two commits is never
 * emitted). All timestamped with their session's end.
 */
export function kstreamSessionWindowAggregate<K, V, A>(
  spec: SessionWindowAggregateSpec<K, V, A>,
): () => Processor<K, V, Windowed<K>, Change<A>> {
  const { inactivityGapMs: gap, graceMs: grace } = spec.windows;
  return () => {
    let context: ProcessorContext<Windowed<K>, Change<A>>;
    let store: MeteredSessionStore<K, A>;
    let late: WindowCloseTracker;
    let drop: DropRecorder;
    let forward: TableForwarder<Windowed<K>, A>;

    const emitClosedSessions = (closeTime: number, lastEmitCloseTime: number): boolean => {
      // Sessions are closed once their (inclusive) end is before closeTime.
      const earliestEnd = lastEmitCloseTime === -1 ? 0 : lastEmitCloseTime;
      for (const { key, value } of store.findSessionsInRange(
        undefined,
        undefined,
        earliestEnd,
        closeTime - 1,
      )) {
        if (key.window.end >= closeTime) continue;
        context.forward({ key, value: { newValue: value, oldValue: null }, timestamp: key.window.end });
      }
      return true;
    };

    return {
      init: (ctx) => {
        context = ctx;
        store = ctx.getStateStore<MeteredSessionStore<K, A>>(spec.storeName);
        drop = dropRecorder(ctx);
        // A session can still grow by a record up to `gap` after its end, so it closes `gap` later.
        late = new WindowCloseTracker(store, drop, grace + gap);
        forward = windowedForwarder(
          ctx,
          store,
          spec.emitOnWindowClose,
          (stored) => stored,
          (session) => session.window.end,
        );
      },
      process: (record: StreamRecord<K, V>) => {
        const { key, value, timestamp: t } = record;
        // Only a null key is skipped: Kafka Streams aggregates null values into sessions.
        if (droppedForNullKey(drop, key)) return;
        const closeTime = late.advance(t);

        const replaced: { key: Windowed<K>; value: A }[] = [];
        let merged: Window = { start: t, end: t };
        let aggregate: A | undefined;
        for (const session of store.findSessions(key, t - gap, t + gap)) {
          replaced.push(session);
          aggregate = spec.merge(key, aggregate, session.value);
          merged = {
            start: Math.min(merged.start, session.key.window.start),
            end: Math.max(merged.end, session.key.window.end),
          };
        }

        if (merged.end < closeTime) {
          late.dropLate(t, merged.start, merged.end, closeTime);
        } else {
          const grew = merged.start !== t || merged.end !== t;
          if (grew) {
            for (const session of replaced) {
              store.remove(session.key);
              forward(session.key, null, session.value, session.key.window.end);
            }
          }
          const newValue = definedResult(spec.fold(key, value, aggregate), 'The aggregator');
          const sessionKey: Windowed<K> = { key, window: merged };
          store.put(sessionKey, newValue);
          forward(sessionKey, newValue, null, merged.end, record.headers);
        }
        if (spec.emitOnWindowClose) late.emitClosed(closeTime, emitClosedSessions);
      },
    };
  };
}
