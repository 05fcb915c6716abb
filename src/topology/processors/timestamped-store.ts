import type { KeyValueStore } from '../../state/store.js';
import type { Change } from '../change.js';
import type { Headers, ProcessorContext } from '../processor.js';

/** @internal The DSL's table and aggregation stores keep each value with its timestamp. */
export type TimestampedStore<K, V> = KeyValueStore<K, { value: V; timestamp: number }>;

/** @internal Forwards one table update downstream. */
export type TableForwarder<K, V> = (
  key: K,
  newValue: V | null,
  oldValue: V | null,
  timestamp: number,
  headers?: Headers,
) => void;

const skip = () => {};

/**
 * @internal How a stateful DSL processor emits its updates. With a caching store, the cache
 * forwards each dirty key once when it is flushed (at commit, or on eviction), so repeated
 * updates of a key between commits are emitted once; the returned function then does nothing.
 * Without a cache (or in the test driver, whose cache size is 0 and writes through) it forwards
 * every update directly.
 */
export function tableForwarder<K, V>(
  context: ProcessorContext<K, Change<V>>,
  store: TimestampedStore<K, V> | undefined,
): TableForwarder<K, V> {
  const cachingStore = (store ?? {}) as Partial<{
    setFlushListener(
      listener: (
        key: K,
        n: { value: V; timestamp: number } | null,
        o: { value: V; timestamp: number } | null,
        ts: number,
      ) => void,
      sendOldValues: boolean,
    ): boolean;
  }>;
  const cached =
    typeof cachingStore.setFlushListener === 'function' &&
    cachingStore.setFlushListener(
      (key, n, o, ts) =>
        context.forward({
          key,
          value: { newValue: n === null ? null : n.value, oldValue: o === null ? null : o.value },
          timestamp: n?.timestamp ?? ts,
        }),
      true,
    );
  if (cached) return skip;
  return (key, newValue, oldValue, timestamp, headers) =>
    context.forward({ key, value: { newValue, oldValue }, timestamp, headers });
}
