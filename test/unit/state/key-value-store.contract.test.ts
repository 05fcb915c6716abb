import { CachingKeyValueStore } from '../../../src/state/caching-key-value-store.js';
import { ChangeLoggingKeyValueStore } from '../../../src/state/change-logging-key-value-store.js';
import { InMemoryKeyValueStore } from '../../../src/state/in-memory-key-value-store.js';
import { LevelKeyValueStore } from '../../../src/state/level-key-value-store.js';
import { MeteredKeyValueStore } from '../../../src/state/metered-key-value-store.js';
import type { KeyValueBytesStore } from '../../../src/state/store.js';
import { keyValueStoreContract } from './key-value-store.contract.js';
import type { BuiltStack, ContractStore } from './key-value-store.contract.js';
import { bufferSerde } from './support/test-serdes.js';

const STORE_NAME = 'store';

function bare(inner: KeyValueBytesStore): BuiltStack {
  return { store: inner, root: inner, inner };
}

/** The typed store over identity serdes, seen through the bytes-shaped contract. */
function metered(inner: KeyValueBytesStore, layers: { cachingAndLogging: boolean }): BuiltStack {
  let below: KeyValueBytesStore = inner;
  let cache: CachingKeyValueStore | undefined;
  if (layers.cachingAndLogging) {
    cache = new CachingKeyValueStore(new ChangeLoggingKeyValueStore(inner));
    below = cache;
  }
  const outer = new MeteredKeyValueStore(below, bufferSerde, bufferSerde);
  const store: ContractStore = {
    name: outer.name,
    persistent: outer.persistent,
    init: (context, root) => outer.init(context, root),
    flush: () => outer.flush(),
    close: () => outer.close(),
    isOpen: () => outer.isOpen(),
    get: (key) => outer.get(key),
    put: (key, value) => outer.put(key, value),
    putIfAbsent: (key, value) => outer.putIfAbsent(key, value),
    putAll: (entries) => outer.putAll(entries),
    delete: (key) => outer.delete(key),
    range: (from, to) => outer.range(from, to),
    reverseRange: (from, to) => outer.reverseRange(from, to),
    all: () => outer.all(),
    reverseAll: () => outer.reverseAll(),
    prefixScan: (prefix) => outer.prefixScan(prefix, bufferSerde),
    approximateNumEntries: () => outer.approximateNumEntries(),
  };
  return cache === undefined ? { store, root: outer, inner } : { store, root: outer, inner, cache };
}

const plain = { registers: false, caching: false, logging: false };
const layered = { registers: true, caching: true, logging: true };

keyValueStoreContract({
  name: 'in-memory',
  persistent: false,
  ...plain,
  build: () => bare(new InMemoryKeyValueStore(STORE_NAME)),
});

keyValueStoreContract({
  name: 'level',
  persistent: true,
  ...plain,
  build: () => bare(new LevelKeyValueStore(STORE_NAME)),
});

keyValueStoreContract({
  name: 'metered → in-memory',
  persistent: false,
  ...plain,
  registers: true,
  build: () => metered(new InMemoryKeyValueStore(STORE_NAME), { cachingAndLogging: false }),
});

keyValueStoreContract({
  name: 'metered → caching → logging → in-memory',
  persistent: false,
  ...layered,
  build: () => metered(new InMemoryKeyValueStore(STORE_NAME), { cachingAndLogging: true }),
});

keyValueStoreContract({
  name: 'metered → caching → logging → level',
  persistent: true,
  ...layered,
  build: () => metered(new LevelKeyValueStore(STORE_NAME), { cachingAndLogging: true }),
});
