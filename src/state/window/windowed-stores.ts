import { ConfigError } from '../../errors.js';
import type { Serde } from '../../serde/serde.js';
import { InMemorySessionStore } from '../session/in-memory-session-store.js';
import { LevelSessionStore } from '../session/level-session-store.js';
import { SessionStoreBuilder } from '../session/session-store-builder.js';
import type { SessionBytesStoreSupplier, SessionStore } from '../session/session-store.js';
import type { StoreBuilder } from '../store.js';
import { valueAndTimestampSerde } from '../value-and-timestamp.js';
import type { ValueAndTimestamp } from '../value-and-timestamp.js';
import { InMemoryWindowStore } from './in-memory-window-store.js';
import { LevelWindowStore } from './level-window-store.js';
import { WindowStoreBuilder } from './window-store-builder.js';
import type { WindowBytesStoreSupplier, WindowStore } from './window-store.js';

function checkPositive(where: string, argument: string, ms: number, min: number): void {
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < min) {
    throw new ConfigError(
      `${where}: ${argument} must be an integer number of milliseconds >= ${min}, got ${String(ms)}.`,
    );
  }
}

function checkDirectoryName(where: string, name: string): void {
  if (typeof name !== 'string' || name.length === 0)
    throw new ConfigError('A state store name must not be empty.');
  if (/[/\\]/.test(name) || name === '.' || name === '..') {
    throw new ConfigError(
      `${where}: the name is used as a directory name: it must not contain '/' or '\\' or be '.' or '..'.`,
    );
  }
}

function checkWindowArguments(where: string, retentionPeriodMs: number, windowSizeMs: number): void {
  checkPositive(where, 'retentionPeriodMs', retentionPeriodMs, 0);
  checkPositive(where, 'windowSizeMs', windowSizeMs, 0);
  if (windowSizeMs > retentionPeriodMs) {
    throw new ConfigError(
      `${where}: retentionPeriodMs (${retentionPeriodMs}) must be at least windowSizeMs (${windowSizeMs}).`,
    );
  }
}

/** @internal The window and session members of `Stores`, kept beside the stores they make. */
export const windowedStores = {
  /**
   * A supplier of in-memory window stores. `retainDuplicates` keeps every value put for the same
   * key and window (stream–stream joins need it).
   *
   * @example
   * ```ts
   * const supplier = Stores.inMemoryWindowStore('clicks-per-minute', 86_400_000, 60_000, false);
   * ```
   */
  inMemoryWindowStore(
    name: string,
    retentionPeriodMs: number,
    windowSizeMs: number,
    retainDuplicates: boolean,
  ): WindowBytesStoreSupplier {
    if (typeof name !== 'string' || name.length === 0)
      throw new ConfigError('A state store name must not be empty.');
    checkWindowArguments(`Stores.inMemoryWindowStore('${name}')`, retentionPeriodMs, windowSizeMs);
    return {
      name,
      kind: 'in-memory',
      retentionPeriodMs,
      windowSizeMs,
      retainDuplicates,
      get: () => new InMemoryWindowStore(name, retentionPeriodMs, windowSizeMs, retainDuplicates),
    };
  },

  /**
   * A supplier of persistent window stores on LevelDB (`kind: 'level'`), kept in
   * `<stateDir>/<applicationId>/<taskId>/<name>`. Windows older than the retention period are
   * deleted from disk as stream time advances. `retainDuplicates` keeps every value put for the
   * same key and window (stream–stream joins need it).
   *
   * @example
   * ```ts
   * const supplier = Stores.persistentWindowStore('clicks-per-minute', 86_400_000, 60_000, false);
   * ```
   */
  persistentWindowStore(
    name: string,
    retentionPeriodMs: number,
    windowSizeMs: number,
    retainDuplicates: boolean,
  ): WindowBytesStoreSupplier {
    const where = `Stores.persistentWindowStore('${name}')`;
    checkDirectoryName(where, name);
    checkWindowArguments(where, retentionPeriodMs, windowSizeMs);
    return {
      name,
      kind: 'level',
      retentionPeriodMs,
      windowSizeMs,
      retainDuplicates,
      get: () => new LevelWindowStore(name, retentionPeriodMs, windowSizeMs, retainDuplicates),
    };
  },

  /**
   * A builder of typed window stores over `supplier`, with change-logging enabled and caching
   * disabled (as in Kafka Streams; `withCachingEnabled()` adds a `CachingWindowStore`, except over
   * a supplier that retains duplicates).
   *
   * @example
   * ```ts
   * const builder = Stores.windowStoreBuilder(Stores.inMemoryWindowStore('w', 86_400_000, 60_000, false), Serdes.string(), Serdes.long());
   * topology.addStateStore(builder, 'my-processor');
   * ```
   */
  windowStoreBuilder<K, V>(
    supplier: WindowBytesStoreSupplier,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
  ): StoreBuilder<WindowStore<K, V>> {
    return new WindowStoreBuilder(supplier, keySerde, valueSerde);
  },

  /**
   * A builder of window stores whose values carry the timestamp of their last update (the stores
   * behind windowed aggregations). Change-logging is enabled and caching disabled, as for
   * `windowStoreBuilder`; the DSL turns caching on for its windowed aggregations.
   *
   * @example
   * ```ts
   * const builder = Stores.timestampedWindowStoreBuilder(Stores.inMemoryWindowStore('w', 86_400_000, 60_000, false), Serdes.string(), Serdes.long());
   * ```
   */
  timestampedWindowStoreBuilder<K, V>(
    supplier: WindowBytesStoreSupplier,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
  ): StoreBuilder<WindowStore<K, ValueAndTimestamp<V>>> {
    return new WindowStoreBuilder(supplier, keySerde, valueAndTimestampSerde(valueSerde), true);
  },

  /**
   * A supplier of in-memory session stores.
   *
   * @example
   * ```ts
   * const supplier = Stores.inMemorySessionStore('user-sessions', 86_400_000);
   * ```
   */
  inMemorySessionStore(name: string, retentionPeriodMs: number): SessionBytesStoreSupplier {
    if (typeof name !== 'string' || name.length === 0)
      throw new ConfigError('A state store name must not be empty.');
    checkPositive(`Stores.inMemorySessionStore('${name}')`, 'retentionPeriodMs', retentionPeriodMs, 0);
    return {
      name,
      kind: 'in-memory',
      retentionPeriodMs,
      get: () => new InMemorySessionStore(name, retentionPeriodMs),
    };
  },

  /**
   * A supplier of persistent session stores on LevelDB (`kind: 'level'`), kept in
   * `<stateDir>/<applicationId>/<taskId>/<name>`. Sessions older than the retention period are
   * deleted from disk as stream time advances.
   *
   * @example
   * ```ts
   * const supplier = Stores.persistentSessionStore('user-sessions', 86_400_000);
   * ```
   */
  persistentSessionStore(name: string, retentionPeriodMs: number): SessionBytesStoreSupplier {
    const where = `Stores.persistentSessionStore('${name}')`;
    checkDirectoryName(where, name);
    checkPositive(where, 'retentionPeriodMs', retentionPeriodMs, 0);
    return {
      name,
      kind: 'level',
      retentionPeriodMs,
      get: () => new LevelSessionStore(name, retentionPeriodMs),
    };
  },

  /**
   * A builder of typed session stores over `supplier`, with change-logging enabled and caching
   * disabled (as in Kafka Streams; `withCachingEnabled()` adds a `CachingSessionStore`). The DSL
   * turns caching on for its session aggregations.
   *
   * @example
   * ```ts
   * const builder = Stores.sessionStoreBuilder(Stores.inMemorySessionStore('s', 86_400_000), Serdes.string(), Serdes.long());
   * ```
   */
  sessionStoreBuilder<K, V>(
    supplier: SessionBytesStoreSupplier,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
  ): StoreBuilder<SessionStore<K, V>> {
    return new SessionStoreBuilder(supplier, keySerde, valueSerde);
  },
} as const;
