import type { CacheStats } from './internal/write-back-cache.js';
import { keyBytes, keyString, prefixUpperBound } from './internal/byte-keys.js';
import { CacheMergeIterator } from './internal/cache-merge-iterator.js';
import { SortedCursor } from './internal/sorted-string-map.js';
import type { CursorBounds } from './internal/sorted-string-map.js';
import { WrappedKeyValueBytesStore } from './internal/wrapped-key-value-bytes-store.js';
import { WriteBackCache } from './internal/write-back-cache.js';
import type { KeyValue, KeyValueIterator, StateStore, StateStoreContext } from './store.js';

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
  readonly #cache = new WriteBackCache((key, value, timestamp, below) => {
    const bytes = keyBytes(key);
    this.#report(bytes, value, timestamp, below);
    this.wrapped.put(bytes, value);
    return true;
  });
  #listener: CacheFlushListener | undefined;
  #sendOldValues = false;

  /** Whether this layer holds entries back (a budget above 0); at 0 it writes straight through. */
  /** Cache look-ups that hit and missed, for the `hit-ratio` metric. */
  cacheStats(): CacheStats {
    return this.#cache.stats();
  }

  get holdsWrites(): boolean {
    return this.#cache.holdsWrites;
  }

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
    this.#cache.init(context);
    return super.init(context, root);
  }

  override flush(): void | Promise<void> {
    this.#cache.flush();
    return this.wrapped.flush();
  }

  override close(): void | Promise<void> {
    this.#cache.clear();
    return super.close();
  }

  override get(key: Buffer): Buffer | undefined {
    if (!this.#cache.holdsWrites) return this.wrapped.get(key);
    const k = keyString(key);
    const cached = this.#cache.get(k);
    if (cached !== undefined) return cached.value ?? undefined;
    const value = this.wrapped.get(key);
    if (value !== undefined) this.#cache.fill(k, value);
    return value;
  }

  override put(key: Buffer, value: Buffer | null): void {
    const timestamp = (this.#context as StateStoreContext).currentTimestamp();
    if (!this.#cache.holdsWrites) {
      this.#report(key, value, timestamp, undefined);
      this.wrapped.put(key, value);
      return;
    }
    this.#cache.put(keyString(key), value, timestamp);
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
    if (this.#cache.dirtyCount === 0) return innerIterator();
    const cached = new SortedCursor(this.#cache.dirtySnapshot(), bounds);
    return new CacheMergeIterator(cached, innerIterator(), keyString, keyBytes, bounds.reverse ?? false);
  }

  /** `below`: the value below if the cache knows it, saving a read of the store below. */
  #report(key: Buffer, newValue: Buffer | null, timestamp: number, below: Buffer | undefined): void {
    const listener = this.#listener;
    if (listener === undefined) return;
    // Like Kafka Streams: a delete of a key that never existed below is not reported.
    const oldValue =
      this.#sendOldValues || newValue === null ? (below ?? this.wrapped.get(key) ?? null) : null;
    if (newValue === null && oldValue === null) return;
    listener(key, newValue, this.#sendOldValues ? oldValue : null, timestamp);
  }
}
