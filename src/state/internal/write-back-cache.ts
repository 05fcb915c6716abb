import type { CacheBudget, StateStoreContext } from '../store.js';
import { OnDemandSortedMap } from './on-demand-sorted-map.js';
import type { SortedSnapshot } from './sorted-string-map.js';

/** Bookkeeping bytes charged per entry on top of its key and value, so tiny entries still count. */
const ENTRY_OVERHEAD_BYTES = 64;

/**
 * Writes one dirty entry to the store below (reporting it first, if the layer reports). `below` is
 * what the store below holds for the key as far as this cache knows (it read or wrote that value
 * itself; every write to the store below goes through the cache), or `undefined` when it does not
 * know, so a layer that reports old values need not read them back. Returns whether a clean copy
 * may stay cached; deleted entries are dropped either way.
 */
export type WriteDown = (
  key: string,
  value: Buffer | null,
  timestamp: number,
  below: Buffer | undefined,
) => boolean;

/** How often look-ups found their key in a cache. */
export interface CacheStats {
  readonly hits: number;
  readonly misses: number;
}

/** What a cache lookup finds: a value, or `null` for a delete not yet written down. */
export interface CachedValue {
  readonly value: Buffer | null;
}

interface CacheEntry extends CachedValue {
  readonly key: string;
  value: Buffer | null;
  dirty: boolean;
  /** Stream time of the write that made the entry dirty. */
  timestamp: number;
  /** The store below's value of the key, when the cache read or wrote it; else `undefined`. */
  below: Buffer | undefined;
  size: number;
  /** Neighbours in the recency list. */
  newer: CacheEntry | undefined;
  older: CacheEntry | undefined;
}

/**
 * @internal The write-back LRU cache behind the key-value, window and session caching layers: entries keyed
 * by store-key strings (latin1, so string order is byte order), the dirty ones (sorted only when
 * a flush or a range merge needs their order), and the byte accounting against `context.cacheMaxBytes` or the instance-wide
 * `context.cacheBudget`. The layer owning it decides the key layout and what writing down means
 * (`writeDown`).
 *
 * @example
 * ```ts
 * const cache = new WriteBackCache((key, value, timestamp) => {
 *   below.put(keyBytes(key), value);
 *   return true;
 * });
 * cache.init(context);
 * cache.put('k', Buffer.from('v'), context.currentTimestamp());
 * cache.flush(); // writes 'k' down once, however often it was put
 * ```
 */
export class WriteBackCache {
  readonly #writeDown: WriteDown;
  #maxBytes = 0;
  #bytes = 0;
  #budget: CacheBudget | undefined;
  readonly #entries = new Map<string, CacheEntry>();
  /** The dirty entries' values by key, for ordered flushes and range merges. */
  #dirty = new OnDemandSortedMap<Buffer | null>();
  #newest: CacheEntry | undefined;
  #oldest: CacheEntry | undefined;
  #hits = 0;
  #misses = 0;

  constructor(writeDown: WriteDown) {
    this.#writeDown = writeDown;
  }

  /** Takes the budget from the task context; until then (and at budget 0) it holds nothing. */
  init(context: StateStoreContext): void {
    this.#maxBytes = Math.max(0, context.cacheMaxBytes);
    this.#budget = this.#maxBytes > 0 ? context.cacheBudget : undefined;
  }

  /** Whether writes are held back (a budget above 0); otherwise the layer writes straight through. */
  get holdsWrites(): boolean {
    return this.#maxBytes > 0;
  }

  /** Look-ups so far that found the key cached, and that did not (the `hit-ratio` metric). */
  stats(): CacheStats {
    return { hits: this.#hits, misses: this.#misses };
  }

  get dirtyCount(): number {
    return this.#dirty.size;
  }

  /** The dirty entries as of now, by key; later writes do not show through. */
  dirtySnapshot(): SortedSnapshot<Buffer | null> {
    return this.#dirty.snapshot();
  }

  /** The cached entry of `key`, marked most recently used, or `undefined` on a miss. */
  get(key: string): CachedValue | undefined {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      this.#hits++;
      this.#touch(entry);
    } else this.#misses++;
    return entry;
  }

  /** Caches a value just read from the store below (clean: it needs no write-down). */
  fill(key: string, value: Buffer): void {
    if (this.#entries.has(key)) return;
    this.#add(key, value, false, -1, value);
    this.#evictIfOverBudget();
  }

  /** Holds a write (`null`: a delete) until the next flush or eviction. */
  put(key: string, value: Buffer | null, timestamp: number): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) {
      this.#add(key, value, true, timestamp, undefined);
    } else {
      const size = entrySize(key, value, entry.below);
      this.#resize(size - entry.size);
      entry.size = size;
      entry.value = value;
      entry.dirty = true;
      entry.timestamp = timestamp;
      this.#touch(entry);
    }
    this.#dirty.set(key, value);
    this.#evictIfOverBudget();
  }

  /** Writes every dirty entry down, in key order. */
  flush(): void {
    const toFlush = this.#dirty;
    // A cache that was range-read will likely be again: keep its dirty keys sorted as it goes.
    this.#dirty = new OnDemandSortedMap(toFlush.ordered);
    for (const key of toFlush.sortedKeys()) {
      const entry = this.#entries.get(key);
      // Gone or clean: an eviction triggered by the listener already wrote it down.
      if (entry === undefined || !entry.dirty) continue;
      this.#flushEntry(entry);
    }
  }

  /** Drops every entry, written down or not (closing discards unflushed writes). */
  clear(): void {
    this.#entries.clear();
    this.#dirty.clear();
    this.#newest = undefined;
    this.#oldest = undefined;
    this.#resize(-this.#bytes);
  }

  #flushEntry(entry: CacheEntry): void {
    entry.dirty = false;
    this.#dirty.delete(entry.key);
    const written = entry.value;
    const keep = this.#writeDown(entry.key, written, entry.timestamp, entry.below);
    // Gone already when the write-down's listener made the cache evict it.
    if (this.#entries.get(entry.key) !== entry) return;
    if (!keep || written === null) {
      this.#remove(entry);
      return;
    }
    // What was just written down is now the value below (and no longer counts twice).
    entry.below = written;
    const size = entrySize(entry.key, entry.value, written);
    this.#resize(size - entry.size);
    entry.size = size;
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
      if (entry.dirty) this.#flushEntry(entry);
      if (this.#entries.get(entry.key) === entry) this.#remove(entry);
    }
  }

  #add(
    key: string,
    value: Buffer | null,
    dirty: boolean,
    timestamp: number,
    below: Buffer | undefined,
  ): void {
    const entry: CacheEntry = {
      key,
      value,
      dirty,
      timestamp,
      below,
      size: entrySize(key, value, below),
      newer: undefined,
      older: this.#newest,
    };
    if (this.#newest === undefined) this.#oldest = entry;
    else this.#newest.newer = entry;
    this.#newest = entry;
    this.#entries.set(key, entry);
    this.#resize(entry.size);
  }

  #remove(entry: CacheEntry): void {
    if (entry.newer === undefined) this.#newest = entry.older;
    else entry.newer.older = entry.older;
    if (entry.older === undefined) this.#oldest = entry.newer;
    else entry.older.newer = entry.newer;
    entry.newer = undefined;
    entry.older = undefined;
    this.#entries.delete(entry.key);
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

/** Key strings are latin1, one char per byte; an old value kept for reporting counts too. */
function entrySize(key: string, value: Buffer | null, below: Buffer | undefined): number {
  const belowBytes = below === undefined || below === value ? 0 : below.length;
  return key.length + (value === null ? 0 : value.length) + belowBytes + ENTRY_OVERHEAD_BYTES;
}
