import type { Serde } from '../../serde/serde.js';
import { ONE_DAY_MS } from '../../windowing/durations.js';
import { AbstractStoreBuilder } from '../internal/abstract-store-builder.js';
import { isDslSupplier } from '../internal/dsl-store-defaults.js';
import { CachingWindowStore } from './caching-window-store.js';
import { ChangeLoggingWindowStore } from './change-logging-window-store.js';
import { MeteredWindowStore } from './metered-window-store.js';
import type { WindowBytesStore, WindowBytesStoreSupplier } from './window-store.js';

/**
 * Builds a window store as a stack of layers: metered (typed) → caching (if enabled) →
 * change-logging (if enabled) → the supplier's inner bytes store, the order of
 * `KeyValueStoreBuilder`. Caching is off by default for `Stores.windowStoreBuilder` and
 * `timestampedWindowStoreBuilder`, as in Kafka Streams (`withCachingEnabled()` turns it on), and
 * on by default for the stores of DSL windowed aggregations, like the DSL's key-value stores.
 * A store that retains duplicates (stream–stream joins) is never cached: a cache keeps one value
 * per key and window. How much the cache holds is `context.cacheMaxBytes`, known at `init` (0
 * makes it write-through). The changelog is `compact,delete` with the store's retention plus a
 * day, as in Kafka Streams.
 *
 * @example
 * ```ts
 * const builder = Stores.windowStoreBuilder(Stores.inMemoryWindowStore('w', 86_400_000, 60_000, false), Serdes.string(), Serdes.long())
 *   .withCachingEnabled();
 * const store = builder.build(); // MeteredWindowStore → CachingWindowStore → ChangeLoggingWindowStore → InMemoryWindowStore
 * ```
 */
export class WindowStoreBuilder<K, V> extends AbstractStoreBuilder<MeteredWindowStore<K, V>> {
  constructor(
    private readonly supplier: WindowBytesStoreSupplier,
    /** @internal The serde of the store's keys: where a key lives (interactive queries). */
    readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    /** Values are `ValueAndTimestamp`s (DSL stores); the test driver unwraps them. */
    private readonly timestampedValues = false,
  ) {
    super(isDslSupplier(supplier) && !supplier.retainDuplicates);
  }

  get name(): string {
    return this.supplier.name;
  }

  protected override changelogConfig(userConfig: Record<string, string>): Record<string, string> {
    return windowedChangelogConfig(this.supplier.retentionPeriodMs, userConfig);
  }

  build(): MeteredWindowStore<K, V> {
    let store: WindowBytesStore = this.supplier.get();
    if (this.loggingEnabled) store = new ChangeLoggingWindowStore(store);
    if (this.cachingEnabled && !store.retainDuplicates) store = new CachingWindowStore(store);
    return new MeteredWindowStore(store, this.keySerde, this.valueSerde, this.timestampedValues);
  }
}

/** @internal Kafka Streams' windowed changelog topic configs, overridable by the user's. */
export function windowedChangelogConfig(
  retentionMs: number,
  overrides: Record<string, string>,
): Readonly<Record<string, string>> {
  return Object.freeze({
    'cleanup.policy': 'compact,delete',
    'retention.ms': String(retentionMs + ONE_DAY_MS),
    ...overrides,
  });
}
