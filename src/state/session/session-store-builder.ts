import type { Serde } from '../../serde/serde.js';
import { AbstractStoreBuilder } from '../internal/abstract-store-builder.js';
import { windowedChangelogConfig } from '../window/window-store-builder.js';
import { ChangeLoggingSessionStore } from './change-logging-session-store.js';
import { MeteredSessionStore } from './metered-session-store.js';
import type { SessionBytesStore, SessionBytesStoreSupplier } from './session-store.js';

/**
 * Builds a session store: metered (typed) → change-logging (if enabled) → the supplier's inner
 * bytes store. No caching layer yet (`withCachingEnabled` has no effect).
 *
 * @example
 * ```ts
 * const builder = Stores.sessionStoreBuilder(Stores.inMemorySessionStore('s', 86_400_000), Serdes.string(), Serdes.long());
 * ```
 */
export class SessionStoreBuilder<K, V> extends AbstractStoreBuilder<MeteredSessionStore<K, V>> {
  constructor(
    private readonly supplier: SessionBytesStoreSupplier,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {
    super(false);
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
    return new MeteredSessionStore(store, this.keySerde, this.valueSerde);
  }
}
