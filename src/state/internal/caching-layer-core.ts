import type { StateStoreContext } from '../store.js';
import { storeNotOpen } from './store-errors.js';
import { WriteBackCache } from './write-back-cache.js';
import type { WriteDown } from './write-back-cache.js';

/** A flush listener for keys of type `K` (e.g. a window or session key below the typed layer). */
export type FlushListener<K> = (
  key: K,
  newValue: Buffer | null,
  oldValue: Buffer | null,
  timestamp: number,
) => void;

/**
 * @internal What the window and session caching layers share besides the cache itself: the
 * open/closed state, the task context, the observed stream time of the writes they took, and
 * the flush listener with Kafka Streams' reporting rules.
 *
 * @example
 * ```ts
 * const core = new CachingLayerCore<SessionBytes>((storeKey, value, timestamp) => writeDown(storeKey, value, timestamp));
 * core.open(context);
 * core.report(session, null, timestamp, () => below.fetchSession(key, start, end)); // false: nothing below
 * ```
 */
export class CachingLayerCore<K> {
  readonly cache: WriteBackCache;
  /** The largest time (window start, session end) written through the layer; -1 before any. */
  observedStreamTime = -1;
  #context: StateStoreContext | undefined;
  #open = false;
  #listener: FlushListener<K> | undefined;
  #sendOldValues = false;
  /** The latest-in-time delete dropped at write-down since the last flush. */
  #skippedDelete: { storeKey: string; time: number } | undefined;

  constructor(writeDown: WriteDown) {
    this.cache = new WriteBackCache(writeDown);
  }

  get hasListener(): boolean {
    return this.#listener !== undefined;
  }

  setFlushListener(listener: FlushListener<K>, sendOldValues: boolean): void {
    this.#listener = listener;
    this.#sendOldValues = sendOldValues;
  }

  open(context: StateStoreContext): void {
    this.#context = context;
    this.cache.init(context);
    this.#open = true;
  }

  close(): void {
    this.#open = false;
    this.cache.clear();
    this.#skippedDelete = undefined;
  }

  /** Notes a delete dropped at write-down because the store below did not hold the entry. */
  noteSkippedDelete(storeKey: string, time: number): void {
    if (this.#skippedDelete === undefined || time > this.#skippedDelete.time) {
      this.#skippedDelete = { storeKey, time };
    }
  }

  /**
   * After a flush: the store key of the latest dropped delete if its time is beyond the stream
   * time of the store below (`belowTime`), else `undefined`. Writing that one delete down moves
   * the store's stream time, and so its changelog's, to where this layer's is, so a restore
   * expires what the running store expired; the other dropped deletes change nothing below.
   */
  takeSkippedDelete(belowTime: number | undefined): string | undefined {
    const skipped = this.#skippedDelete;
    this.#skippedDelete = undefined;
    return skipped !== undefined && belowTime !== undefined && skipped.time > belowTime
      ? skipped.storeKey
      : undefined;
  }

  /**
   * Starts a write of a record at `time`: checks the layer is open, advances the observed stream
   * time, and returns the timestamp of the record being processed.
   */
  beginWrite(storeName: string, time: number): number {
    if (!this.#open) throw storeNotOpen(storeName);
    if (time > this.observedStreamTime) this.observedStreamTime = time;
    return (this.#context as StateStoreContext).currentTimestamp();
  }

  /**
   * Tells the listener about a write going down. `readOld` reads the store below; it is called
   * only when needed. Returns false, reporting nothing, for a delete of an entry the store below
   * does not hold (Kafka Streams neither forwards nor writes such deletes).
   */
  report(key: K, newValue: Buffer | null, timestamp: number, readOld: () => Buffer | undefined): boolean {
    const listener = this.#listener;
    const oldValue =
      newValue === null || (listener !== undefined && this.#sendOldValues) ? (readOld() ?? null) : null;
    if (newValue === null && oldValue === null) return false;
    listener?.(key, newValue, this.#sendOldValues ? oldValue : null, timestamp);
    return true;
  }
}
