import { StateStoreError } from '../../errors.js';
import { keyBytes, keyString } from '../internal/byte-keys.js';
import { CacheMergeIterator, FilteredCursor } from '../internal/cache-merge-iterator.js';
import { CachingLayerCore } from '../internal/caching-layer-core.js';
import { CachingWindowedLayer } from '../internal/caching-windowed-layer.js';
import type { FlushListener } from '../internal/caching-layer-core.js';
import { EmptyIterator } from '../internal/key-value-iterators.js';
import { SortedCursor, SortedStringMap } from '../internal/sorted-string-map.js';
import type { KeyValueIterator } from '../store.js';
import {
  decodeWindowStoreKey,
  MAX_SEQ,
  readTimeChars,
  TIME_CHARS,
  timeChars,
  WINDOW_SUFFIX_CHARS,
  windowStoreKey,
} from './window-key-schema.js';
import type { WindowBytesStore, WindowedBytes } from './window-store.js';

/**
 * Told about each window the cache writes down (at flush or eviction), just before it is written.
 * `oldValue` is what the store below held until now, or `null` when the listener was set without
 * `sendOldValues` or there was none. A listener must not write to the store it listens to.
 */
export type WindowCacheFlushListener = FlushListener<WindowedBytes>;

const MAX_SUFFIX = '\xff'.repeat(WINDOW_SUFFIX_CHARS);

function windowedBytes(storeKey: string): WindowedBytes {
  const { key, windowStart } = decodeWindowStoreKey(storeKey);
  return { key: keyBytes(key), windowStart };
}

/**
 * A window bytes layer with a write-back LRU cache, Kafka Streams' `CachingWindowStore`: the
 * key-value cache's behaviour (see `CachingKeyValueStore`) per (key, window start). A window
 * written many times between flushes reaches the store below, the changelog and the flush
 * listener once, with its last value; eviction writes down (and reports) dirty windows first;
 * with `cacheMaxBytes === 0` every write goes straight down and is reported.
 *
 * Entries are cached under the store's window key (key bytes, window start, sequence number 0),
 * so every fetch merges the dirty windows with the store below in the order the store returns
 * (`fetchAll`: by start, then store key); the cache wins and a cached delete hides the window
 * below. Retention follows the inner stores: the observed stream time is the largest window
 * start written through this layer or seen by the store below, and windows starting at or before
 * `observedStreamTime - retentionPeriod` are neither returned nor written down. A delete of a
 * window the store below never held is dropped at write-down, unreported, as in Kafka Streams;
 * only if the latest such delete of a flush is beyond the store's stream time is it written, so
 * the store and its changelog expire what this layer expired. A store that retains duplicates
 * cannot be cached.
 *
 * @example
 * ```ts
 * const cached = new CachingWindowStore(new ChangeLoggingWindowStore(Stores.inMemoryWindowStore('w', 86_400_000, 60_000, false).get()));
 * cached.setFlushListener(({ key, windowStart }, newValue, oldValue, timestamp) => forward(key, windowStart, newValue, oldValue, timestamp), true);
 * ```
 */
export class CachingWindowStore
  extends CachingWindowedLayer<WindowBytesStore, WindowedBytes>
  implements WindowBytesStore
{
  /** The dirty entries again under "start, then store key", the order of `fetchAll`. */
  readonly #dirtyByTime = new SortedStringMap<Buffer | null>();
  protected readonly core = new CachingLayerCore<WindowedBytes>(this.wrapped, {
    decode: windowedBytes,
    timeOf: (window) => window.windowStart,
    writeBelow: ({ key, windowStart }, value) => this.wrapped.put(key, value, windowStart),
    readBelow: ({ key, windowStart }) => this.wrapped.fetch(key, windowStart),
    onWriteDown: (storeKey, { windowStart }) => this.#dirtyByTime.delete(timeChars(windowStart) + storeKey),
  });
  readonly #cache = this.core.cache;

  constructor(wrapped: WindowBytesStore) {
    super(wrapped);
    if (wrapped.retainDuplicates) {
      throw new StateStoreError(
        `Window store '${wrapped.name}' retains duplicates: a caching layer, which keeps one value per key and window, cannot sit over it.`,
      );
    }
  }

  get windowSizeMs(): number {
    return this.wrapped.windowSizeMs;
  }

  get retainDuplicates(): boolean {
    return false;
  }

  override close(): void | Promise<void> {
    this.#dirtyByTime.clear();
    return super.close();
  }

  put(key: Buffer, value: Buffer | null, windowStart: number): number {
    const timestamp = this.core.admit(this.name, windowStart);
    if (timestamp === undefined) return -1;
    if (!this.#cache.holdsWrites) {
      if (this.core.hasListener) this.core.reportThrough({ key, windowStart }, value, timestamp);
      return this.wrapped.put(key, value, windowStart);
    }
    const storeKey = windowStoreKey(keyString(key), windowStart, 0);
    // Before the cache takes it: an eviction may write it down (and unlist it) at once.
    this.#dirtyByTime.set(timeChars(windowStart) + storeKey, value);
    this.#cache.put(storeKey, value, timestamp);
    return 0;
  }

  fetch(key: Buffer, windowStart: number): Buffer | undefined {
    if (!this.#cache.holdsWrites) return this.wrapped.fetch(key, windowStart);
    if (windowStart < this.#minLiveTime()) return undefined;
    const storeKey = windowStoreKey(keyString(key), windowStart, 0);
    const cached = this.core.cached(storeKey);
    if (cached !== undefined) return cached ?? undefined;
    return this.core.fill(storeKey, this.wrapped.fetch(key, windowStart));
  }

  fetchKey(
    key: Buffer,
    timeFrom: number,
    timeTo: number,
    backward: boolean,
  ): KeyValueIterator<number, Buffer> {
    if (!this.#cache.holdsWrites) return this.wrapped.fetchKey(key, timeFrom, timeTo, backward);
    const from = Math.max(timeFrom, this.#minLiveTime());
    if (from > timeTo) return new EmptyIterator();
    const inner = this.wrapped.fetchKey(key, from, timeTo, backward);
    if (this.#cache.dirtyCount === 0) return inner;
    const k = keyString(key);
    const length = k.length + WINDOW_SUFFIX_CHARS;
    const range = new SortedCursor(this.#cache.dirtySnapshot(), {
      lower: windowStoreKey(k, from, 0),
      upper: windowStoreKey(k, timeTo, MAX_SEQ),
      reverse: backward,
    });
    // Same length and inside the bounds means same key (the bounds share the key as a prefix).
    const cached = new FilteredCursor(range, (storeKey) => storeKey.length === length);
    return new CacheMergeIterator(
      cached,
      inner,
      (start) => windowStoreKey(k, start, 0),
      (storeKey) => readTimeChars(storeKey, k.length),
      backward,
    );
  }

  fetchRange(
    keyFrom: Buffer | undefined,
    keyTo: Buffer | undefined,
    timeFrom: number,
    timeTo: number,
    backward: boolean,
  ): KeyValueIterator<WindowedBytes, Buffer> {
    if (!this.#cache.holdsWrites) return this.wrapped.fetchRange(keyFrom, keyTo, timeFrom, timeTo, backward);
    const from = Math.max(timeFrom, this.#minLiveTime());
    const lowKey = keyFrom === undefined ? undefined : keyString(keyFrom);
    const highKey = keyTo === undefined ? undefined : keyString(keyTo);
    if (from > timeTo || (lowKey !== undefined && highKey !== undefined && lowKey > highKey)) {
      return new EmptyIterator();
    }
    const inner = this.wrapped.fetchRange(keyFrom, keyTo, from, timeTo, backward);
    if (this.#cache.dirtyCount === 0) return inner;
    const range = new SortedCursor(this.#cache.dirtySnapshot(), {
      lower: lowKey,
      upper: highKey === undefined ? undefined : highKey + MAX_SUFFIX,
      reverse: backward,
    });
    const cached = new FilteredCursor(range, (storeKey) => {
      const { key, windowStart } = decodeWindowStoreKey(storeKey);
      return (
        windowStart >= from &&
        windowStart <= timeTo &&
        (lowKey === undefined || key >= lowKey) &&
        (highKey === undefined || key <= highKey)
      );
    });
    return new CacheMergeIterator(
      cached,
      inner,
      ({ key, windowStart }) => windowStoreKey(keyString(key), windowStart, 0),
      windowedBytes,
      backward,
    );
  }

  fetchAll(timeFrom: number, timeTo: number, backward: boolean): KeyValueIterator<WindowedBytes, Buffer> {
    if (!this.#cache.holdsWrites) return this.wrapped.fetchAll(timeFrom, timeTo, backward);
    const from = Math.max(timeFrom, this.#minLiveTime());
    if (from > timeTo) return new EmptyIterator();
    const inner = this.wrapped.fetchAll(from, timeTo, backward);
    if (this.#dirtyByTime.size === 0) return inner;
    const cached = new SortedCursor(this.#dirtyByTime.snapshot(), {
      lower: timeChars(from),
      upper: timeChars(timeTo + 1),
      upperExclusive: true,
      reverse: backward,
    });
    return new CacheMergeIterator(
      cached,
      inner,
      ({ key, windowStart }) => timeChars(windowStart) + windowStoreKey(keyString(key), windowStart, 0),
      (order) => windowedBytes(order.slice(TIME_CHARS)),
      backward,
    );
  }

  #minLiveTime(): number {
    return this.core.minLiveTime();
  }
}
