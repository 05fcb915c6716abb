/**
 * State store contracts. Every store is a stack of layers over a bytes-only inner store
 * (see `docs/state.md`): metered (typed, serdes) → caching → change-logging → inner.
 * Only the outermost layer is generic; everything beneath it sees `Buffer` keys and values.
 */

import type { Serde } from '../serde/serde.js';

/** A key and a value, as returned by store iterators and by `readKeyValuesToList`. */
export interface KeyValue<K, V> {
  key: K;
  value: V;
}

/**
 * An iterator over a store range. Iterate it with `for…of`; call `close()` if you stop early
 * (a persistent store may hold a snapshot until then). Entries are in ascending key-byte order
 * unless the method says "reverse".
 */
export interface KeyValueIterator<K, V> extends IterableIterator<KeyValue<K, V>> {
  close(): void;
  /** The next key without consuming it, or `undefined` at the end. */
  peekNextKey(): K | undefined;
}

/** One record of a changelog topic as seen by a restoring store. `value === null` is a delete. */
export interface ChangelogRecord {
  key: Buffer;
  value: Buffer | null;
  timestamp: number;
  offset: string;
}

/**
 * What a store learns about the task it belongs to when it is initialised. The runtime and the
 * TopologyTestDriver implement it.
 */
export interface StateStoreContext {
  readonly applicationId: string;
  readonly taskId: string;
  /** The partition of the task, and so of the store's changelog. */
  readonly partition: number;
  /** The task's directory for persistent stores (`<stateDir>/<applicationId>/<taskId>`); `undefined` where only in-memory stores are allowed. */
  readonly taskDir: string | undefined;
  /** The byte budget a caching layer may use for this store. 0 disables caching. */
  readonly cacheMaxBytes: number;
  /** When set, every caching layer of the instance shares this budget (`cacheMaxBytes` in total). */
  readonly cacheBudget?: CacheBudget;
  /** The timestamp of the record being processed (stream time of the current record). */
  currentTimestamp(): number;
  /** Sends one changelog record for `storeName`. Only change-logging layers call it. */
  logChange(storeName: string, key: Buffer, value: Buffer | null, timestamp: number): void;
  /**
   * Registers a store with the task: the runtime flushes and closes it, and feeds it changelog
   * records through `restore` before the task processes anything.
   */
  register(store: StateStore, restore: (batch: readonly ChangelogRecord[]) => void): void;
  /**
   * Called by an inner persistent store that keeps its own changelog offsets: the runtime then
   * restores it from where the store says its data goes, and commits offsets into it.
   */
  registerOffsetStore?(store: ChangelogOffsetStore): void;
  /**
   * Set for an active task under exactly-once. A store that keeps its own offsets should then
   * write its data to disk only with `commit(offsets)`, which the runtime calls once the task's
   * transaction committed, never on `flush()`: its disk then holds committed state only, and a
   * crash needs no wipe, only a restore of the changelog's tail (say so with `writesOnlyOnCommit`).
   */
  readonly exactlyOnce?: boolean;
}

/**
 * An inner persistent store that keeps its changelog offsets in the same atomic write as its
 * data (Kafka Streams' KIP-1035), so the two cannot disagree after a crash or a damaged disk.
 * Offsets are keyed `topic:partition`; each is the next changelog offset the data does not hold.
 */
export interface ChangelogOffsetStore {
  readonly name: string;
  /** The offsets of the last `commit` that reached disk (`{}` for a new or emptied store). */
  committedOffsets(): Readonly<Record<string, string>>;
  /** Writes every unflushed write and these offsets (merged into the last ones) as one atomic batch. */
  commit(changelogOffsets: Readonly<Record<string, string>>): Promise<void>;
  approximateNumEntries(): number;
  /**
   * True when, under exactly-once (`StateStoreContext.exactlyOnce`), `flush()` leaves the disk
   * alone and only `commit` writes, so the disk never holds uncommitted writes.
   */
  readonly writesOnlyOnCommit?: boolean;
}

/** Bytes used by all caches of an instance, against one limit (Kafka Streams' thread cache size). */
export interface CacheBudget {
  readonly maxBytes: number;
  usedBytes: number;
}

/**
 * The lifecycle every store shares. Lifecycle methods may be asynchronous (opening a `level`
 * database, writing a batch); per-record methods on the concrete store interfaces never are.
 */
export interface StateStore {
  readonly name: string;
  /** Whether the store keeps its data on disk across restarts. */
  readonly persistent: boolean;
  init(context: StateStoreContext, root: StateStore): void | Promise<void>;
  /** Makes every write so far durable (disk batch, changelog send, cache flush). */
  flush(): void | Promise<void>;
  close(): void | Promise<void>;
  isOpen(): boolean;
}

/**
 * A typed key-value store, as a processor sees it through `context.getStateStore(name)` and a
 * test through `driver.getKeyValueStore(name)`. Missing keys read as `undefined`; ranges are
 * inclusive at both ends and ordered by the serialized key bytes.
 *
 * @example
 * ```ts
 * const store = context.getStateStore<KeyValueStore<string, number>>('counts');
 * store.put('alice', (store.get('alice') ?? 0) + 1);
 * for (const { key, value } of store.range('a', 'm')) console.log(key, value);
 * ```
 */
export interface KeyValueStore<K, V> extends StateStore {
  get(key: K): V | undefined;
  /** `null` deletes the key, like a tombstone. */
  put(key: K, value: V | null): void;
  /** Puts only if absent; returns the existing value, or `undefined` if it put. */
  putIfAbsent(key: K, value: V): V | undefined;
  putAll(entries: readonly KeyValue<K, V | null>[]): void;
  /** Deletes and returns the old value. */
  delete(key: K): V | undefined;
  /** Keys from `from` to `to`, both inclusive; an omitted bound is open. */
  range(from?: K, to?: K): KeyValueIterator<K, V>;
  reverseRange(from?: K, to?: K): KeyValueIterator<K, V>;
  all(): KeyValueIterator<K, V>;
  reverseAll(): KeyValueIterator<K, V>;
  /** Keys whose serialized bytes start with the serialized `prefix` (serialized with `prefixSerde`). */
  prefixScan<P>(prefix: P, prefixSerde: Serde<P>): KeyValueIterator<K, V>;
  approximateNumEntries(): number;
}

/** The bytes-only store every key-value layer below the metered one implements. */
export type KeyValueBytesStore = StateStore & {
  get(key: Buffer): Buffer | undefined;
  put(key: Buffer, value: Buffer | null): void;
  putIfAbsent(key: Buffer, value: Buffer): Buffer | undefined;
  putAll(entries: readonly KeyValue<Buffer, Buffer | null>[]): void;
  delete(key: Buffer): Buffer | undefined;
  range(from?: Buffer, to?: Buffer): KeyValueIterator<Buffer, Buffer>;
  reverseRange(from?: Buffer, to?: Buffer): KeyValueIterator<Buffer, Buffer>;
  all(): KeyValueIterator<Buffer, Buffer>;
  reverseAll(): KeyValueIterator<Buffer, Buffer>;
  prefixScan(prefix: Buffer): KeyValueIterator<Buffer, Buffer>;
  approximateNumEntries(): number;
};

/** Makes a fresh inner bytes store; `Stores.inMemoryKeyValueStore(name)` returns one. */
export interface KeyValueBytesStoreSupplier {
  readonly name: string;
  /** `'in-memory'` or `'level'`; shown by `describe()`. */
  readonly kind: string;
  get(): KeyValueBytesStore;
}

/**
 * Builds a store with its layers. Logging is on by default. Caching is on by default for
 * key-value builders and for the stores the DSL creates; window and session builders from
 * `Stores` opt in with `withCachingEnabled()`. The TopologyTestDriver runs with caching off.
 *
 * @example
 * ```ts
 * const counts = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('counts'), Serdes.string(), Serdes.int64())
 *   .withLoggingDisabled();
 * topology.addStateStore(counts, 'counter');
 * ```
 */
export interface StoreBuilder<S extends StateStore> {
  readonly name: string;
  readonly loggingEnabled: boolean;
  readonly cachingEnabled: boolean;
  /** Topic configs for the changelog (e.g. `{ 'retention.ms': '86400000' }`). */
  readonly logConfig: Readonly<Record<string, string>>;
  withCachingEnabled(): this;
  withCachingDisabled(): this;
  withLoggingEnabled(config?: Record<string, string>): this;
  withLoggingDisabled(): this;
  build(): S;
}
