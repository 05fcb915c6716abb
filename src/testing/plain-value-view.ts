import type { KeyValueIterator, KeyValueStore } from '../state/store.js';

/** @internal A view of a timestamped DSL store that reads and writes plain values. */
export function plainValueView<K, V>(
  store: KeyValueStore<K, { value: V; timestamp: number }>,
): KeyValueStore<K, V> {
  const unwrapIterator = (
    it: KeyValueIterator<K, { value: V; timestamp: number }>,
  ): KeyValueIterator<K, V> => {
    const view: KeyValueIterator<K, V> = {
      next: () => {
        const n = it.next();
        return n.done ? n : { done: false, value: { key: n.value.key, value: n.value.value.value } };
      },
      close: () => it.close(),
      peekNextKey: () => it.peekNextKey(),
      [Symbol.iterator]: () => view,
    } as KeyValueIterator<K, V>;
    return view;
  };
  // As Kafka's driver facade: a value written from a test has no timestamp (-1).
  const wrap = (value: V | null) => (value === null ? null : { value, timestamp: -1 });
  return {
    get name() {
      return store.name;
    },
    get persistent() {
      return store.persistent;
    },
    init: (c, r) => store.init(c, r),
    flush: () => store.flush(),
    close: () => store.close(),
    isOpen: () => store.isOpen(),
    get: (key) => store.get(key)?.value,
    put: (key, value) => store.put(key, wrap(value)),
    putIfAbsent: (key, value) => store.putIfAbsent(key, wrap(value)!)?.value,
    putAll: (entries) => store.putAll(entries.map((e) => ({ key: e.key, value: wrap(e.value) }))),
    delete: (key) => store.delete(key)?.value,
    range: (from, to) => unwrapIterator(store.range(from, to)),
    reverseRange: (from, to) => unwrapIterator(store.reverseRange(from, to)),
    all: () => unwrapIterator(store.all()),
    reverseAll: () => unwrapIterator(store.reverseAll()),
    prefixScan: (prefix, serde) => unwrapIterator(store.prefixScan(prefix, serde)),
    approximateNumEntries: () => store.approximateNumEntries(),
  };
}
