import type { Serde } from '../../serde/serde.js';
import { AbstractStoreBuilder } from '../internal/abstract-store-builder.js';
import { isDslSupplier } from '../internal/dsl-store-defaults.js';
import { windowedChangelogConfig } from '../window/window-store-builder.js';
import { CachingSessionStore } from './caching-session-store.js';
import { ChangeLoggingSessionStore } from './change-logging-session-store.js';
import { MeteredSessionStore } from './metered-session-store.js';
import type { SessionBytesStore, SessionBytesStoreSupplier } from './session-store.js';

/**
 * Builds a session store as a stack of layers: metered (typed) → caching (if enabled) →
 * change-logging (if enabled) → the supplier's inner bytes store, the order of
 * `KeyValueStoreBuilder`. Caching is off by default for `Stores.sessionStoreBuilder`, as in Kafka
 * Streams (`withCachingEnabled()` turns it on), and on by default for the stores of DSL session
 * aggregations, like the DSL's key-value stores. How much the cache holds is
 * `context.cacheMaxBytes`, known at `init` (0 makes it write-through).
 *
 * @example
 * ```ts
 * const builder = Stores.sessionStoreBuilder(Stores.inMemorySessionStore('s', 86_400_000), Serdes.string(), Serdes.long())
 *   .withCachingEnabled();
 * const store = builder.build(); // MeteredSessionStore → CachingSessionStore → ChangeLoggingSessionStore → InMemorySessionStore
 * ```
 */
export class SessionStoreBuilder<K, V> extends AbstractStoreBuilder<MeteredSessionStore<K, V>> {
  constructor(
    private readonly supplier: SessionBytesStoreSupplier,
    /** @internal The serde of the store's keys: where a key lives (interactive queries). */
    readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {
    super(isDslSupplier(supplier));
  }

  get name(): string {
    return this.supplier.name;
  }

  protected override changelogConfig(userConfig: Record<string, string>): Record<string, string> {
    return windowedChangelogConfig(this.supplier.retentionPeriodMs, userConfig);
  }

  build(): MeteredSessionStore<K, V> {
    let store: SessionBytesStore = this.supplier.get();
    if (this.loggingEnabled) store = new ChangeLoggingSessionStore(store);
    if (this.cachingEnabled) store = new CachingSessionStore(store);
    return new MeteredSessionStore(store, this.keySerde, this.valueSerde);
  }
}
