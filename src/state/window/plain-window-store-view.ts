import type { ValueAndTimestamp } from '../value-and-timestamp.js';
import type { KeyValue, KeyValueIterator } from '../store.js';
import type { WindowStore, WindowStoreIterator } from './window-store.js';
import { MappedIterator } from './store-iterators.js';
import type { WindowedStoreMetrics } from './metered-window-store.js';

/** A window store as the test driver shows it, with its operation and drop counts. */
export type InspectableWindowStore<K, V> = WindowStore<K, V> & { metrics(): WindowedStoreMetrics };

/**
 * @internal A view of a timestamped (DSL) window store that reads and writes plain values; writes
 * get the current wall-clock time as their timestamp.
 */
export function plainWindowStoreView<K, V>(
  store: InspectableWindowStore<K, ValueAndTimestamp<V>>,
): InspectableWindowStore<K, V> {
  const unwrap = <KK>(it: KeyValueIterator<KK, ValueAndTimestamp<V>>): KeyValueIterator<KK, V> =>
    new MappedIterator(it, ({ key, value }: KeyValue<KK, ValueAndTimestamp<V>>) => ({
      key,
      value: value.value,
    }));
  function fetch(key: K, windowStart: number): V | undefined;
  function fetch(key: K, timeFrom: number, timeTo: number): WindowStoreIterator<V>;
  function fetch(key: K, timeFrom: number, timeTo?: number): V | undefined | WindowStoreIterator<V> {
    return timeTo === undefined
      ? store.fetch(key, timeFrom)?.value
      : unwrap(store.fetch(key, timeFrom, timeTo));
  }
  return {
    get name() {
      return store.name;
    },
    get persistent() {
      return store.persistent;
    },
    windowSizeMs: store.windowSizeMs,
    retentionPeriodMs: store.retentionPeriodMs,
    retainDuplicates: store.retainDuplicates,
    init: (context, root) => store.init(context, root),
    flush: () => store.flush(),
    close: () => store.close(),
    isOpen: () => store.isOpen(),
    metrics: () => store.metrics(),
    put: (key, value, windowStart) =>
      store.put(key, value === null ? null : { value, timestamp: Date.now() }, windowStart),
    fetch,
    backwardFetch: (key, from, to) => unwrap(store.backwardFetch(key, from, to)),
    fetchRange: (keyFrom, keyTo, from, to) => unwrap(store.fetchRange(keyFrom, keyTo, from, to)),
    backwardFetchRange: (keyFrom, keyTo, from, to) =>
      unwrap(store.backwardFetchRange(keyFrom, keyTo, from, to)),
    fetchAll: (from, to) => unwrap(store.fetchAll(from, to)),
    backwardFetchAll: (from, to) => unwrap(store.backwardFetchAll(from, to)),
    all: () => unwrap(store.all()),
    backwardAll: () => unwrap(store.backwardAll()),
  };
}
