import { keyBytes, keyString, prefixUpperBound } from './internal/byte-keys.js';
import { LookaheadIterator } from './internal/key-value-iterators.js';
import { SortedCursor, SortedStringMap } from './internal/sorted-string-map.js';
import type { CursorBounds } from './internal/sorted-string-map.js';
import { WrappedKeyValueBytesStore } from './internal/wrapped-key-value-bytes-store.js';
import type { CacheBudget, KeyValue, KeyValueIterator, StateStore, StateStoreContext } from './store.js';

/**
 * Told about each entry the cache writes down (at flush or eviction), just before it is written.
 * `oldValue` is what the store below held until now, or `null` when the listener was set without
 * `sendOldValues` or there was none. A listener must not write to the store it listens to.
 */
export type CacheFlushListener = (
  key: Buffer,
  newValue: Buffer | null,
  oldValue: Buffer | null,
  timestamp: number,
) => void;

/** Bookkeeping bytes charged per entry on top of its key and value, so tiny entries still count. */
const ENTRY_OVERHEAD_BYTES = 64;

interface CacheEntry {
  readonly key: Buffer;
  readonly keyString: string;
  /** `null`: deleted, not yet written down. */
  value: Buffer | null;
  dirty: boolean;
  /** Stream time of the write that made the entry dirty. */
  timestamp: number;
  size: number;
  /** Neighbours in the recency list. */
  newer: CacheEntry | undefined;
  older: CacheEntry | undefined;
}

/**
 * A bytes layer with a write-back LRU cache of up to `context.cacheMaxBytes`.
 *
 * Reads hit the cache and read through on a miss. Writes only mark the cached entry dirty, so a key
 * written many times between flushes reaches the store below (and the flush listener) once, with
 * its last value. `flush()` writes dirty entries down in key order, then flushes the store below.
 * When the cache is over budget the least recently used entries are evicted; a dirty one is
 * written down (and reported) first. With `cacheMaxBytes === 0` every write is reported and
 * written down at once and nothing is cached. `close()` discards unflushed entries: the runtime
 * flushes before it closes. Ranges merge the dirty entries with the store below: the cache wins
 * and cached deletes hide older entries; iterators see both sides as of their creation.
 * `approximateNumEntries()` counts the store below only, as Kafka Streams does.
 *
 * @example
 * ```ts
 * const cached = new CachingKeyValueStore(new ChangeLoggingKeyValueStore(new InMemoryKeyValueStore('counts')));
 * cached.setFlushListener((key, newValue, oldValue, timestamp) => forward(key, newValue, oldValue, timestamp), true);
 * ```
 */
export class CachingKeyValueStore extends WrappedKeyValueBytesStore {
  #context: StateStoreContext | undefined;
  #maxBytes = 0;

  /** Whether this layer holds entries back (a budget above 0); at 0 it writes straight through. */
  get holdsWrites(): boolean {
    return this.#maxBytes > 0;
  }
  #bytes = 0;
  #budget: CacheBudget | undefined;
  readonly #entries = new Map<string, CacheEntry>();
  /** The dirty entries' values by key, for ordered flushes and range merges. */
  #dirty = new SortedStringMap<Buffer | null>();
  #newest: CacheEntry | undefined;
  #oldest: CacheEntry | undefined;
  #listener: CacheFlushListener | undefined;
  #sendOldValues = false;

  /**
   * Sets the listener told about every entry written down. With `sendOldValues` the listener gets
   * the previous value too (one extra read of the store below per entry).
   *
   * @example
   * ```ts
   * cache.setFlushListener((key, newValue, oldValue) => forward(key, newValue, oldValue), true);
   * ```
   */
  setFlushListener(listener: CacheFlushListener, sendOldValues: boolean): void {
    this.#listener = listener;
    this.#sendOldValues = sendOldValues;
  }

  override init(context: StateStoreContext, root: StateStore): void | Promise<void> {
    this.#context = context;
    this.#maxBytes = Math.max(0, context.cacheMaxBytes);
    this.#budget = this.#maxBytes > 0 ? context.cacheBudget : undefined;
    return super.init(context, root);
  }

  override flush(): void | Promise<void> {
    const toFlush = this.#dirty;
    this.#dirty = new SortedStringMap();
    for (const cursor = new SortedCursor(toFlush.snapshot()); cursor.key !== undefined; cursor.advance()) {
      const entry = this.#entries.get(cursor.key);
      // Gone or clean: an eviction triggered by the listener already wrote it down.
      if (entry === undefined || !entry.dirty) continue;
      this.#writeDown(entry);
    }
    return this.wrapped.flush();
  }

  override close(): void | Promise<void> {
    this.#entries.clear();
    this.#dirty.clear();
    this.#newest = undefined;
    this.#oldest = undefined;
    this.#resize(-this.#bytes);
    return super.close();
  }

  override get(key: Buffer): Buffer | undefined {
    if (this.#maxBytes === 0) return this.wrapped.get(key);
    const k = keyString(key);
    const entry = this.#entries.get(k);
    if (entry !== undefined) {
      this.#touch(entry);
      return entry.value ?? undefined;
    }
    const value = this.wrapped.get(key);
    if (value !== undefined) {
      this.#add(key, k, value, false, -1);
      this.#evictIfOverBudget();
    }
    return value;
  }

  override put(key: Buffer, value: Buffer | null): void {
    const timestamp = (this.#context as StateStoreContext).currentTimestamp();
    if (this.#maxBytes === 0) {
      this.#report(key, value, timestamp);
      this.wrapped.put(key, value);
      return;
    }
    const k = keyString(key);
    const entry = this.#entries.get(k);
    if (entry === undefined) {
      this.#add(key, k, value, true, timestamp);
    } else {
      const size = entrySize(key, value);
      this.#resize(size - entry.size);
      entry.size = size;
      entry.value = value;
      entry.dirty = true;
      entry.timestamp = timestamp;
      this.#touch(entry);
    }
    this.#dirty.set(k, value);
    this.#evictIfOverBudget();
  }

  override putIfAbsent(key: Buffer, value: Buffer): Buffer | undefined {
    const existing = this.get(key);
    if (existing === undefined) this.put(key, value);
    return existing;
  }

  override putAll(entries: readonly KeyValue<Buffer, Buffer | null>[]): void {
    for (const { key, value } of entries) this.put(key, value);
  }

  override delete(key: Buffer): Buffer | undefined {
    const existing = this.get(key);
    this.put(key, null);
    return existing;
  }

  override range(from?: Buffer, to?: Buffer): KeyValueIterator<Buffer, Buffer> {
    const bounds = { lower: from && keyString(from), upper: to && keyString(to) };
    return this.#merge(bounds, () => this.wrapped.range(from, to));
  }

  override reverseRange(from?: Buffer, to?: Buffer): KeyValueIterator<Buffer, Buffer> {
    const bounds = { lower: from && keyString(from), upper: to && keyString(to), reverse: true };
    return this.#merge(bounds, () => this.wrapped.reverseRange(from, to));
  }

  override all(): KeyValueIterator<Buffer, Buffer> {
    return this.#merge({}, () => this.wrapped.all());
  }

  override reverseAll(): KeyValueIterator<Buffer, Buffer> {
    return this.#merge({ reverse: true }, () => this.wrapped.reverseAll());
  }

  override prefixScan(prefix: Buffer): KeyValueIterator<Buffer, Buffer> {
    const lower = keyString(prefix);
    const bounds = { lower, upper: prefixUpperBound(lower), upperExclusive: true };
    return this.#merge(bounds, () => this.wrapped.prefixScan(prefix));
  }

  #merge(
    bounds: CursorBounds,
    innerIterator: () => KeyValueIterator<Buffer, Buffer>,
  ): KeyValueIterator<Buffer, Buffer> {
    // Clean entries equal what is below, so only dirty ones need merging.
    if (this.#dirty.size === 0) return innerIterator();
    const cached = new SortedCursor(this.#dirty.snapshot(), bounds);
    return new CacheMergeIterator(cached, innerIterator(), bounds.reverse ?? false);
  }

  #writeDown(entry: CacheEntry): void {
    this.#report(entry.key, entry.value, entry.timestamp);
    this.wrapped.put(entry.key, entry.value);
    entry.dirty = false;
    this.#dirty.delete(entry.keyString);
    if (entry.value === null) this.#remove(entry);
  }

  #report(key: Buffer, newValue: Buffer | null, timestamp: number): void {
    const listener = this.#listener;
    if (listener === undefined) return;
    // Like Kafka Streams: a delete of a key that never existed below is not reported.
    const oldValue = this.#sendOldValues || newValue === null ? (this.wrapped.get(key) ?? null) : null;
    if (newValue === null && oldValue === null) return;
    listener(key, newValue, this.#sendOldValues ? oldValue : null, timestamp);
  }

  /** Tracks this cache's size and, when caches share an instance-wide budget, the total. */
  #resize(delta: number): void {
    this.#bytes += delta;
    if (this.#budget !== undefined) this.#budget.usedBytes += delta;
  }

  #overBudget(): boolean {
    return this.#budget === undefined
      ? this.#bytes > this.#maxBytes
      : this.#budget.usedBytes > this.#budget.maxBytes;
  }

  // With a shared budget, a cache over it evicts its own entries, as Kafka Streams' ThreadCache
  // evicts from the cache being written: total memory stays bounded by the instance's budget.
  #evictIfOverBudget(): void {
    while (this.#overBudget() && this.#oldest !== undefined) {
      const entry = this.#oldest;
      if (entry.dirty) this.#writeDown(entry);
      if (this.#entries.get(entry.keyString) === entry) this.#remove(entry);
    }
  }

  #add(key: Buffer, k: string, value: Buffer | null, dirty: boolean, timestamp: number): void {
    const entry: CacheEntry = {
      key,
      keyString: k,
      value,
      dirty,
      timestamp,
      size: entrySize(key, value),
      newer: undefined,
      older: this.#newest,
    };
    if (this.#newest === undefined) this.#oldest = entry;
    else this.#newest.newer = entry;
    this.#newest = entry;
    this.#entries.set(k, entry);
    this.#resize(entry.size);
  }

  #remove(entry: CacheEntry): void {
    if (entry.newer === undefined) this.#newest = entry.older;
    else entry.newer.older = entry.older;
    if (entry.older === undefined) this.#oldest = entry.newer;
    else entry.older.newer = entry.newer;
    entry.newer = undefined;
    entry.older = undefined;
    this.#entries.delete(entry.keyString);
    this.#resize(-entry.size);
  }

  /** Makes `entry` the most recently used. */
  #touch(entry: CacheEntry): void {
    if (entry === this.#newest) return;
    // Unlink (it has a newer neighbour, since it is not the newest)…
    (entry.newer as CacheEntry).older = entry.older;
    if (entry.older === undefined) this.#oldest = entry.newer;
    else entry.older.newer = entry.newer;
    // …and relink at the new end.
    entry.older = this.#newest;
    entry.newer = undefined;
    (this.#newest as CacheEntry).newer = entry;
    this.#newest = entry;
  }
}

function entrySize(key: Buffer, value: Buffer | null): number {
  return key.length + (value === null ? 0 : value.length) + ENTRY_OVERHEAD_BYTES;
}

/** Merges the cache's dirty entries with the store below; on equal keys the cache wins. */
class CacheMergeIterator extends LookaheadIterator<Buffer, Buffer> {
  readonly #cached: SortedCursor<Buffer | null>;
  readonly #inner: KeyValueIterator<Buffer, Buffer>;
  readonly #reverse: boolean;

  constructor(
    cached: SortedCursor<Buffer | null>,
    inner: KeyValueIterator<Buffer, Buffer>,
    reverse: boolean,
  ) {
    super();
    this.#cached = cached;
    this.#inner = inner;
    this.#reverse = reverse;
  }

  protected fetch(): KeyValue<Buffer, Buffer> | undefined {
    const cached = this.#cached;
    while (true) {
      const cachedKey = cached.key;
      const innerKey = this.#inner.peekNextKey();
      if (cachedKey === undefined) return innerKey === undefined ? undefined : this.#nextInner();
      if (innerKey !== undefined) {
        const innerString = keyString(innerKey);
        if (innerString !== cachedKey) {
          if (innerString < cachedKey !== this.#reverse) return this.#nextInner();
        } else {
          this.#inner.next(); // shadowed by the cache
        }
      }
      const value = cached.value as Buffer | null;
      cached.advance();
      if (value !== null) return { key: keyBytes(cachedKey), value };
    }
  }

  protected override onClose(): void {
    this.#inner.close();
  }

  #nextInner(): KeyValue<Buffer, Buffer> {
    return this.#inner.next().value as KeyValue<Buffer, Buffer>;
  }
}
