import type { Serde } from '../serde/serde.js';
import { CachingKeyValueStore } from './caching-key-value-store.js';
import { ChangeLoggingKeyValueStore } from './change-logging-key-value-store.js';
import { MeteredKeyValueStore } from './metered-key-value-store.js';
import { AbstractStoreBuilder } from './internal/abstract-store-builder.js';
import type { KeyValueBytesStore, KeyValueBytesStoreSupplier } from './store.js';

/**
 * Builds a key-value store as a stack of layers, in the one place that decides their order:
 * metered (typed) → caching (if enabled) → change-logging (if enabled) → the supplier's inner
 * bytes store. Caching and logging are enabled by default. The caching layer is included whenever
 * caching is enabled; how much it caches is `context.cacheMaxBytes`, known only at `init` (0 makes
 * it write-through).
 *
 * @example
 * ```ts
 * const builder = new KeyValueStoreBuilder(Stores.inMemoryKeyValueStore('counts'), Serdes.string(), Serdes.int64())
 *   .withCachingDisabled();
 * const store = builder.build(); // a fresh MeteredKeyValueStore<string, bigint> each call
 * ```
 */
export class KeyValueStoreBuilder<K, V> extends AbstractStoreBuilder<MeteredKeyValueStore<K, V>> {
  readonly #supplier: KeyValueBytesStoreSupplier;
  readonly #keySerde: Serde<K>;
  readonly #valueSerde: Serde<V>;

  constructor(supplier: KeyValueBytesStoreSupplier, keySerde: Serde<K>, valueSerde: Serde<V>) {
    super(true);
    this.#supplier = supplier;
    this.#keySerde = keySerde;
    this.#valueSerde = valueSerde;
  }

  get name(): string {
    return this.#supplier.name;
  }

  /** @internal The serde of the store's keys: where a key lives (interactive queries). */
  get keySerde(): Serde<K> {
    return this.#keySerde;
  }

  build(): MeteredKeyValueStore<K, V> {
    let store: KeyValueBytesStore = this.#supplier.get();
    if (this.loggingEnabled) store = new ChangeLoggingKeyValueStore(store);
    if (this.cachingEnabled) store = new CachingKeyValueStore(store);
    return new MeteredKeyValueStore(store, this.#keySerde, this.#valueSerde);
  }
}
