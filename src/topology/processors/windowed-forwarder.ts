import type { ValueAndTimestamp } from '../../state/value-and-timestamp.js';
import type { TypedCacheFlushListener } from '../../state/metered-key-value-store.js';
import type { Windowed } from '../../windowing/windowed.js';
import type { Change } from '../change.js';
import type { ProcessorContext } from '../processor.js';
import type { TableForwarder } from './timestamped-store.js';

/** @internal A windowed store whose caching layer can take over forwarding. */
export interface WindowedCachingStore<K, S> {
  setFlushListener(listener: TypedCacheFlushListener<Windowed<K>, S>, sendOldValues: boolean): boolean;
}

const skip = () => {};

/**
 * @internal How a windowed aggregation emits its updates, the windowed counterpart of
 * `tableForwarder`. With a caching store, the cache forwards each dirty window (or session) once
 * when it is flushed (at commit, or on eviction), so repeated updates between commits are emitted
 * once with their last value; the returned function then does nothing. Without a cache (or in
 * the test driver, whose cache size is 0 and writes through) it forwards every update directly.
 * With emit-on-window-close nothing is forwarded here: the processor emits closed windows itself,
 * and the cache (if any) only saves writes.
 *
 * `valueOf` turns a stored value into the aggregate; `timestampOf` gives a flushed entry's
 * record timestamp (`flushTimestamp` is the stream time of the write that made it dirty).
 *
 * @example
 * ```ts
 * const forward = windowedForwarder(context, store, spec.emitOnWindowClose, (v) => v.value, (_k, v, ts) => v?.timestamp ?? ts);
 * forward({ key, window }, newValue, oldValue, timestamp, headers); // does nothing when the cache forwards
 * ```
 */
export function windowedForwarder<K, S, A>(
  context: ProcessorContext<Windowed<K>, Change<A>>,
  store: WindowedCachingStore<K, S>,
  emitOnWindowClose: boolean,
  valueOf: (stored: S) => A,
  timestampOf: (key: Windowed<K>, newValue: S | null, flushTimestamp: number) => number,
): TableForwarder<Windowed<K>, A> {
  if (emitOnWindowClose) return skip;
  const cached = store.setFlushListener(
    (key, newValue, oldValue, timestamp) =>
      context.forward({
        key,
        value: {
          newValue: newValue === null ? null : valueOf(newValue),
          oldValue: oldValue === null ? null : valueOf(oldValue),
        },
        timestamp: timestampOf(key, newValue, timestamp),
      }),
    true,
  );
  if (cached) return skip;
  return (key, newValue, oldValue, timestamp, headers) =>
    context.forward({ key, value: { newValue, oldValue }, timestamp, headers });
}

/**
 * @internal {@link windowedForwarder} over a window store of `ValueAndTimestamp` aggregates: a
 * flushed window carries its stored record timestamp.
 *
 * @example
 * ```ts
 * const forward = timestampedWindowForwarder(context, store, spec.emitOnWindowClose);
 * ```
 */
export function timestampedWindowForwarder<K, A>(
  context: ProcessorContext<Windowed<K>, Change<A>>,
  store: WindowedCachingStore<K, ValueAndTimestamp<A>>,
  emitOnWindowClose: boolean,
): TableForwarder<Windowed<K>, A> {
  return windowedForwarder(
    context,
    store,
    emitOnWindowClose,
    (stored) => stored.value,
    (_key, stored, flushTimestamp) => stored?.timestamp ?? flushTimestamp,
  );
}
