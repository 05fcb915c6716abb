import type { Serde } from '../../serde/serde.js';
import type { StoreBuilder } from '../store.js';
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
export class SessionStoreBuilder<K, V> implements StoreBuilder<MeteredSessionStore<K, V>> {
  #cachingEnabled = false;
  #loggingEnabled = true;
  #logConfig: Readonly<Record<string, string>>;

  constructor(
    private readonly supplier: SessionBytesStoreSupplier,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {
    this.#logConfig = windowedChangelogConfig(supplier.retentionPeriodMs, {});
  }

  get name(): string {
    return this.supplier.name;
  }

  get cachingEnabled(): boolean {
    return this.#cachingEnabled;
  }

  get loggingEnabled(): boolean {
    return this.#loggingEnabled;
  }

  get logConfig(): Readonly<Record<string, string>> {
    return this.#logConfig;
  }

  withCachingEnabled(): this {
    this.#cachingEnabled = true;
    return this;
  }

  withCachingDisabled(): this {
    this.#cachingEnabled = false;
    return this;
  }

  withLoggingEnabled(config: Record<string, string> = {}): this {
    this.#loggingEnabled = true;
    this.#logConfig = windowedChangelogConfig(this.supplier.retentionPeriodMs, config);
    return this;
  }

  withLoggingDisabled(): this {
    this.#loggingEnabled = false;
    this.#logConfig = Object.freeze({});
    return this;
  }

  build(): MeteredSessionStore<K, V> {
    let store: SessionBytesStore = this.supplier.get();
    if (this.#loggingEnabled) store = new ChangeLoggingSessionStore(store);
    return new MeteredSessionStore(store, this.keySerde, this.valueSerde);
  }
}
