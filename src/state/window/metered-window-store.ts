import { StateStoreError } from '../../errors.js';
import type { Serde } from '../../serde/serde.js';
import type { Windowed } from '../../windowing/windowed.js';
import { MeteredStoreCore } from '../internal/metered-store-core.js';
import type { TypedCacheFlushListener } from '../metered-key-value-store.js';
import type { ChangelogRecord, KeyValueIterator, StateStore, StateStoreContext } from '../store.js';
import { CachingWindowStore } from './caching-window-store.js';
import { MappedIterator } from './store-iterators.js';
import type { WindowBytesStore, WindowedBytes, WindowStore, WindowStoreIterator } from './window-store.js';
import { findLayer, innermost, WrappedStateStore } from '../internal/wrapped-state-store.js';

/** Operation counts of one windowed (window or session) store since it was built. */
export interface WindowedStoreMetrics {
  readonly puts: number;
  readonly fetches: number;
  /**
   * Records a windowed aggregation over this store dropped because their window had already
   * closed (stream time past window end + grace), or had expired from the store.
   */
  readonly droppedRecords: number;
}

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
  extends WrappedStateStore<WindowBytesStore>
  implements WindowStore<K, V>
{
  readonly #core = new MeteredStoreCore();
  #puts = 0;
  #fetches = 0;
  #droppedRecords = 0;

  constructor(
    wrapped: WindowBytesStore,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    /** @internal Values are `ValueAndTimestamp`s (DSL stores). */
    readonly timestampedValues = false,
  ) {
    super(wrapped);
  }

  get windowSizeMs(): number {
    return this.wrapped.windowSizeMs;
  }

  get retentionPeriodMs(): number {
    return this.wrapped.retentionPeriodMs;
  }

  get retainDuplicates(): boolean {
    return this.wrapped.retainDuplicates;
  }

  override init(context: StateStoreContext, root: StateStore): void | Promise<void> {
    return this.#core.init(context, root, this.wrapped, () => {
      const target = innermost(this.wrapped);
      return (record: ChangelogRecord) => target.restore(record.key, record.value);
    });
  }

  /** Counts of operations and dropped late records so far. */
  metrics(): WindowedStoreMetrics {
    return { puts: this.#puts, fetches: this.#fetches, droppedRecords: this.#droppedRecords };
  }

  /** @internal */
  recordDroppedRecord(): void {
    this.#droppedRecords++;
  }

  /**
   * Forwards the caching layer's write-downs, deserialized, to `listener`, each window with
   * `end = start + windowSizeMs`. Returns false (and does nothing) when the store has no caching
   * layer holding writes (none, or a budget of 0 as in the test driver); the caller then forwards
   * updates itself.
   *
   * @example
   * ```ts
   * const cached = store.setFlushListener((window, newValue, oldValue, timestamp) => forward(window, newValue, oldValue, timestamp), true);
   * ```
   */
  setFlushListener(listener: TypedCacheFlushListener<Windowed<K>, V>, sendOldValues: boolean): boolean {
    const cache = findLayer(this.wrapped, CachingWindowStore);
    if (cache === undefined || !cache.holdsWrites) return false;
    cache.setFlushListener(
      (key, newValue, oldValue, timestamp) =>
        listener(this.#windowedKey(key), this.#valueOrNull(newValue), this.#valueOrNull(oldValue), timestamp),
      sendOldValues,
    );
    return true;
  }

  put(key: K, value: V | null, windowStart: number): void {
    this.#puts++;
    if (!Number.isSafeInteger(windowStart))
      throw this.#error(`windowStart must be an integer, got ${windowStart}`);
    this.wrapped.put(
      this.#keyBytes(key),
      value === null ? null : this.valueSerde.serialize(value, this.#core.topic),
      windowStart,
    );
  }

  fetch(key: K, windowStart: number): V | undefined;
  fetch(key: K, timeFrom: number, timeTo: number): WindowStoreIterator<V>;
  fetch(key: K, timeFrom: number, timeTo?: number): V | undefined | WindowStoreIterator<V> {
    this.#fetches++;
    if (timeTo === undefined) {
      const bytes = this.wrapped.fetch(this.#keyBytes(key), timeFrom);
      return bytes === undefined ? undefined : this.#value(bytes);
    }
    return this.#valuesByTime(this.wrapped.fetchKey(this.#keyBytes(key), timeFrom, timeTo, false));
  }

  backwardFetch(key: K, timeFrom: number, timeTo: number): WindowStoreIterator<V> {
    this.#fetches++;
    return this.#valuesByTime(this.wrapped.fetchKey(this.#keyBytes(key), timeFrom, timeTo, true));
  }

  fetchRange(
    keyFrom: K | undefined,
    keyTo: K | undefined,
    timeFrom: number,
    timeTo: number,
  ): KeyValueIterator<Windowed<K>, V> {
    this.#fetches++;
    return this.#windowed(
      this.wrapped.fetchRange(this.#bound(keyFrom), this.#bound(keyTo), timeFrom, timeTo, false),
    );
  }

  backwardFetchRange(
    keyFrom: K | undefined,
    keyTo: K | undefined,
    timeFrom: number,
    timeTo: number,
  ): KeyValueIterator<Windowed<K>, V> {
    this.#fetches++;
    return this.#windowed(
      this.wrapped.fetchRange(this.#bound(keyFrom), this.#bound(keyTo), timeFrom, timeTo, true),
    );
  }

  fetchAll(timeFrom: number, timeTo: number): KeyValueIterator<Windowed<K>, V> {
    this.#fetches++;
    return this.#windowed(this.wrapped.fetchAll(timeFrom, timeTo, false));
  }

  backwardFetchAll(timeFrom: number, timeTo: number): KeyValueIterator<Windowed<K>, V> {
    this.#fetches++;
    return this.#windowed(this.wrapped.fetchAll(timeFrom, timeTo, true));
  }

  all(): KeyValueIterator<Windowed<K>, V> {
    return this.fetchRange(undefined, undefined, 0, Number.MAX_SAFE_INTEGER);
  }

  backwardAll(): KeyValueIterator<Windowed<K>, V> {
    return this.backwardFetchRange(undefined, undefined, 0, Number.MAX_SAFE_INTEGER);
  }

  #valuesByTime(bytes: KeyValueIterator<number, Buffer>): WindowStoreIterator<V> {
    return new MappedIterator(bytes, ({ key, value }) => ({ key, value: this.#value(value) }));
  }

  #windowed(bytes: KeyValueIterator<WindowedBytes, Buffer>): KeyValueIterator<Windowed<K>, V> {
    return new MappedIterator(bytes, ({ key, value }) => ({
      key: this.#windowedKey(key),
      value: this.#value(value),
    }));
  }

  #windowedKey({ key, windowStart }: WindowedBytes): Windowed<K> {
    return {
      key: this.keySerde.deserialize(key, this.#core.topic) as K,
      window: { start: windowStart, end: windowStart + this.windowSizeMs },
    };
  }

  #keyBytes(key: K): Buffer {
    const bytes = this.keySerde.serialize(key, this.#core.topic);
    if (bytes === null) throw this.#error(`key serde '${this.keySerde.name}' turned a key into null`);
    return bytes;
  }

  #bound(key: K | undefined): Buffer | undefined {
    return key === undefined ? undefined : this.#keyBytes(key);
  }

  #value(bytes: Buffer): V {
    return this.valueSerde.deserialize(bytes, this.#core.topic) as V;
  }

  #valueOrNull(bytes: Buffer | null): V | null {
    return bytes === null ? null : this.#value(bytes);
  }

  #error(problem: string): StateStoreError {
    return new StateStoreError(`Window store '${this.name}': ${problem}.`);
  }
}
