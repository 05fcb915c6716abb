import type { Serde } from '../../serde/serde.js';
import type { Windowed } from '../../windowing/windowed.js';
import { findLayer } from '../internal/wrapped-state-store.js';
import type { KeyValueIterator } from '../store.js';
import { CachingWindowStore } from './caching-window-store.js';
import { MeteredWindowedStore, type WindowedCachingLayer } from './metered-windowed-store.js';
import { MappedIterator } from './store-iterators.js';
import type { WindowBytesStore, WindowedBytes, WindowStore, WindowStoreIterator } from './window-store.js';

export type { WindowedStoreMetrics } from './metered-windowed-store.js';

/** @internal Counts late records a windowed processor dropped; window and session stores match it. */
export interface DroppedRecordsSensor {
  recordDroppedRecord(): void;
}

/**
 * The typed outer layer of a window store: serializes with the store's serdes, counts operations
 * and dropped late records, and registers the store for restoration on `init` (restored records go
 * straight to the innermost store).
 *
 * @example
 * ```ts
 * const store = Stores.windowStoreBuilder(Stores.inMemoryWindowStore('w', 86_400_000, 60_000, false), Serdes.string(), Serdes.long()).build();
 * ```
 */
export class MeteredWindowStore<K, V>
  extends MeteredWindowedStore<WindowBytesStore, WindowedBytes, K, V>
  implements WindowStore<K, V>
{
  constructor(
    wrapped: WindowBytesStore,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    /** @internal Values are `ValueAndTimestamp`s (DSL stores). */
    readonly timestampedValues = false,
  ) {
    super(wrapped, keySerde, valueSerde, 'Window');
  }

  get windowSizeMs(): number {
    return this.wrapped.windowSizeMs;
  }

  get retainDuplicates(): boolean {
    return this.wrapped.retainDuplicates;
  }

  put(key: K, value: V | null, windowStart: number): void {
    this.puts++;
    if (!Number.isSafeInteger(windowStart))
      throw this.error(`windowStart must be an integer, got ${windowStart}`);
    this.wrapped.put(this.keyBytes(key), this.valueBytes(value), windowStart);
  }

  fetch(key: K, windowStart: number): V | undefined;
  fetch(key: K, timeFrom: number, timeTo: number): WindowStoreIterator<V>;
  fetch(key: K, timeFrom: number, timeTo?: number): V | undefined | WindowStoreIterator<V> {
    this.fetches++;
    if (timeTo === undefined) {
      const bytes = this.wrapped.fetch(this.keyBytes(key), timeFrom);
      return bytes === undefined ? undefined : this.value(bytes);
    }
    return this.#valuesByTime(this.wrapped.fetchKey(this.keyBytes(key), timeFrom, timeTo, false));
  }

  backwardFetch(key: K, timeFrom: number, timeTo: number): WindowStoreIterator<V> {
    this.fetches++;
    return this.#valuesByTime(this.wrapped.fetchKey(this.keyBytes(key), timeFrom, timeTo, true));
  }

  fetchRange(
    keyFrom: K | undefined,
    keyTo: K | undefined,
    timeFrom: number,
    timeTo: number,
  ): KeyValueIterator<Windowed<K>, V> {
    this.fetches++;
    return this.typed(
      this.wrapped.fetchRange(this.bound(keyFrom), this.bound(keyTo), timeFrom, timeTo, false),
    );
  }

  backwardFetchRange(
    keyFrom: K | undefined,
    keyTo: K | undefined,
    timeFrom: number,
    timeTo: number,
  ): KeyValueIterator<Windowed<K>, V> {
    this.fetches++;
    return this.typed(
      this.wrapped.fetchRange(this.bound(keyFrom), this.bound(keyTo), timeFrom, timeTo, true),
    );
  }

  fetchAll(timeFrom: number, timeTo: number): KeyValueIterator<Windowed<K>, V> {
    this.fetches++;
    return this.typed(this.wrapped.fetchAll(timeFrom, timeTo, false));
  }

  backwardFetchAll(timeFrom: number, timeTo: number): KeyValueIterator<Windowed<K>, V> {
    this.fetches++;
    return this.typed(this.wrapped.fetchAll(timeFrom, timeTo, true));
  }

  all(): KeyValueIterator<Windowed<K>, V> {
    return this.fetchRange(undefined, undefined, 0, Number.MAX_SAFE_INTEGER);
  }

  backwardAll(): KeyValueIterator<Windowed<K>, V> {
    return this.backwardFetchRange(undefined, undefined, 0, Number.MAX_SAFE_INTEGER);
  }

  #valuesByTime(bytes: KeyValueIterator<number, Buffer>): WindowStoreIterator<V> {
    return new MappedIterator(bytes, ({ key, value }) => ({ key, value: this.value(value) }));
  }

  protected cachingLayer(): WindowedCachingLayer<WindowedBytes> | undefined {
    return findLayer(this.wrapped, CachingWindowStore);
  }

  /** A window key from below, with `end = start + windowSizeMs`. */
  protected typedKey({ key, windowStart }: WindowedBytes): Windowed<K> {
    return { key: this.key(key), window: { start: windowStart, end: windowStart + this.windowSizeMs } };
  }
}
