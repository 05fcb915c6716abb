import type { KeyValueIterator, StateStore } from '../store.js';
import type { Windowed } from '../../windowing/windowed.js';

/**
 * An iterator over one key's windows: each entry's `key` is the window start (ms), ordered by
 * time (Kafka Streams' `WindowStoreIterator`).
 */
export type WindowStoreIterator<V> = KeyValueIterator<number, V>;

/**
 * A typed window store: values per (key, window start), dropped once older than the retention
 * period (relative to the largest window start written so far). Time ranges are inclusive at both
 * ends. With `retainDuplicates` every `put` adds an entry (stream–stream joins), and a `null` put
 * is ignored.
 *
 * @example
 * ```ts
 * const store = context.getStateStore<WindowStore<string, number>>('clicks-per-minute');
 * store.put('alice', 3, 60_000);
 * store.fetch('alice', 60_000); // 3
 * for (const { key: start, value } of store.fetch('alice', 0, 120_000)) console.log(start, value);
 * ```
 */
export interface WindowStore<K, V> extends StateStore {
  /** The size of the windows this store holds: results carry `window.end = start + size`. */
  readonly windowSizeMs: number;
  readonly retentionPeriodMs: number;
  readonly retainDuplicates: boolean;
  /** Writes `value` for `key` in the window starting at `windowStart`; `null` deletes it. */
  put(key: K, value: V | null, windowStart: number): void;
  /** The value of one window, or `undefined`. */
  fetch(key: K, windowStart: number): V | undefined;
  /** One key's windows with `timeFrom <= start <= timeTo`, oldest first. */
  fetch(key: K, timeFrom: number, timeTo: number): WindowStoreIterator<V>;
  /** Like `fetch(key, timeFrom, timeTo)`, newest first. */
  backwardFetch(key: K, timeFrom: number, timeTo: number): WindowStoreIterator<V>;
  /** Windows of keys `keyFrom..keyTo` (inclusive; `undefined` is open) in the time range, by key then start. */
  fetchRange(
    keyFrom: K | undefined,
    keyTo: K | undefined,
    timeFrom: number,
    timeTo: number,
  ): KeyValueIterator<Windowed<K>, V>;
  /** Like `fetchRange`, in reverse order. */
  backwardFetchRange(
    keyFrom: K | undefined,
    keyTo: K | undefined,
    timeFrom: number,
    timeTo: number,
  ): KeyValueIterator<Windowed<K>, V>;
  /** Every window with `timeFrom <= start <= timeTo`, by start then key. */
  fetchAll(timeFrom: number, timeTo: number): KeyValueIterator<Windowed<K>, V>;
  /** Like `fetchAll`, newest first. */
  backwardFetchAll(timeFrom: number, timeTo: number): KeyValueIterator<Windowed<K>, V>;
  /** Every live window, by key then start. */
  all(): KeyValueIterator<Windowed<K>, V>;
  /** Every live window, in reverse order. */
  backwardAll(): KeyValueIterator<Windowed<K>, V>;
}

/** A window key below the typed layer: the key's bytes and the window start. */
export interface WindowedBytes {
  readonly key: Buffer;
  readonly windowStart: number;
}

/**
 * The bytes-only window store every layer below the typed one implements. An inner store keeps
 * entries under "key bytes, then the window start as a big-endian int64, then a 4-byte sequence
 * number" (Kafka Streams' window key schema), which is also the changelog key.
 */
export interface WindowBytesStore extends StateStore {
  readonly windowSizeMs: number;
  readonly retentionPeriodMs: number;
  readonly retainDuplicates: boolean;
  /** Returns the sequence number the entry was stored under (0 unless `retainDuplicates`), or -1 if it was ignored. */
  put(key: Buffer, value: Buffer | null, windowStart: number): number;
  fetch(key: Buffer, windowStart: number): Buffer | undefined;
  fetchKey(
    key: Buffer,
    timeFrom: number,
    timeTo: number,
    backward: boolean,
  ): KeyValueIterator<number, Buffer>;
  fetchRange(
    keyFrom: Buffer | undefined,
    keyTo: Buffer | undefined,
    timeFrom: number,
    timeTo: number,
    backward: boolean,
  ): KeyValueIterator<WindowedBytes, Buffer>;
  fetchAll(timeFrom: number, timeTo: number, backward: boolean): KeyValueIterator<WindowedBytes, Buffer>;
  /** Applies one changelog record, keyed in the store-key layout. */
  restore(storeKey: Buffer, value: Buffer | null): void;
  /**
   * The largest window start written or restored so far (-1 before any), which retention counts
   * from. Optional for custom stores: a caching layer above uses it to hide what they would.
   */
  readonly observedStreamTime?: number;
}

/** Makes fresh inner window stores; `Stores.inMemoryWindowStore(...)` returns one. */
export interface WindowBytesStoreSupplier {
  readonly name: string;
  readonly kind: string;
  readonly retentionPeriodMs: number;
  readonly windowSizeMs: number;
  readonly retainDuplicates: boolean;
  get(): WindowBytesStore;
}
