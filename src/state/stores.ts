import { ConfigError } from '../errors.js';
import type { Serde } from '../serde/serde.js';
import { InMemoryKeyValueStore } from './in-memory-key-value-store.js';
import { KeyValueStoreBuilder } from './key-value-store-builder.js';
import { LevelKeyValueStore } from './level-key-value-store.js';
import type { KeyValueBytesStoreSupplier, KeyValueStore, StoreBuilder } from './store.js';
import { valueAndTimestampSerde } from './value-and-timestamp.js';
import { windowedStores } from './window/windowed-stores.js';
import type { ValueAndTimestamp } from './value-and-timestamp.js';

function checkedName(name: string, persistent: boolean): string {
  if (name.length === 0) throw new ConfigError('A state store name must not be empty.');
  if (persistent && (/[/\\]/.test(name) || name === '.' || name === '..')) {
    throw new ConfigError(
      `Persistent store name '${name}' is used as a directory name: it must not contain '/' or '\\' or be '.' or '..'.`,
    );
  }
  return name;
}

/**
 * Factories for state stores: suppliers of inner bytes stores, and builders that wrap them in the
 * standard layers (metered → caching → change-logging).
 *
 * @example
 * ```ts
 * const counts = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('counts'), Serdes.string(), Serdes.int64());
 * topology.addStateStore(counts, 'counter');
 * ```
 */
export const Stores = {
  /**
   * A supplier of in-memory key-value stores (`kind: 'in-memory'`): fast, lost on restart, restored
   * from the changelog.
   *
   * @example
   * ```ts
   * const supplier = Stores.inMemoryKeyValueStore('sessions');
   * ```
   */
  inMemoryKeyValueStore(name: string): KeyValueBytesStoreSupplier {
    checkedName(name, false);
    return { name, kind: 'in-memory', get: () => new InMemoryKeyValueStore(name) };
  },

  /**
   * A supplier of persistent key-value stores on LevelDB (`kind: 'level'`), kept in
   * `<stateDir>/<applicationId>/<taskId>/<name>`.
   *
   * @example
   * ```ts
   * const supplier = Stores.persistentKeyValueStore('counts');
   * ```
   */
  persistentKeyValueStore(name: string): KeyValueBytesStoreSupplier {
    checkedName(name, true);
    return { name, kind: 'level', get: () => new LevelKeyValueStore(name) };
  },

  /**
   * A builder of typed key-value stores over `supplier`, with caching and change-logging enabled.
   *
   * @example
   * ```ts
   * const builder = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('counts'), Serdes.string(), Serdes.int64())
   *   .withLoggingDisabled();
   * ```
   */
  keyValueStoreBuilder<K, V>(
    supplier: KeyValueBytesStoreSupplier,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
  ): StoreBuilder<KeyValueStore<K, V>> {
    return new KeyValueStoreBuilder(supplier, keySerde, valueSerde);
  },

  /**
   * A builder of key-value stores whose values carry the timestamp of their last update, stored as
   * an 8-byte big-endian timestamp followed by the value bytes (Kafka Streams' format).
   *
   * @example
   * ```ts
   * const builder = Stores.timestampedKeyValueStoreBuilder(Stores.inMemoryKeyValueStore('totals'), Serdes.string(), Serdes.float64());
   * // builder.build(): KeyValueStore<string, ValueAndTimestamp<number>>
   * ```
   */
  timestampedKeyValueStoreBuilder<K, V>(
    supplier: KeyValueBytesStoreSupplier,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
  ): StoreBuilder<KeyValueStore<K, ValueAndTimestamp<V>>> {
    return new KeyValueStoreBuilder(supplier, keySerde, valueAndTimestampSerde(valueSerde));
  },

  // Window and session stores: inMemoryWindowStore, persistentWindowStore, windowStoreBuilder,
  // timestampedWindowStoreBuilder, inMemorySessionStore, persistentSessionStore, sessionStoreBuilder.
  ...windowedStores,
} as const;
