import type { StateStoreContext } from '../store.js';
import { storeNotOpen } from './store-errors.js';
import { WriteBackCache } from './write-back-cache.js';

/** A flush listener for keys of type `K` (e.g. a window or session key below the typed layer). */
export type FlushListener<K> = (
  key: K,
  newValue: Buffer | null,
  oldValue: Buffer | null,
  timestamp: number,
) => void;

/** The store below a windowed caching layer, as far as the layer's shared logic reads it. */
export interface CachedStoreBelow {
  readonly retentionPeriodMs: number;
  readonly observedStreamTime?: number;
  flush(): void | Promise<void>;
}

/**
 * How a windowed caching layer's keys look: `K` is the windowed key (window or session) below
 * the typed layer, cached under a latin1 store key.
 */
export interface CachedKeyLayout<K> {
  decode(storeKey: string): K;
  /** The time retention counts from: window start, or session end. */
  timeOf(key: K): number;
  writeBelow(key: K, value: Buffer | null): void;
  readBelow(key: K): Buffer | undefined;
  /** Called first when an entry is written down (e.g. to unlist it from a second index). */
  onWriteDown?(storeKey: string, key: K): void;
}

/**
 * @internal What the window and session caching layers share besides their key layout: the
 * cache, the open/closed state, the task context, the observed stream time (of the writes they
 * took and of the store below) and retention, write-down and flush, and the flush listener with
 * Kafka Streams' reporting rules.
 *
 * @example
 * ```ts
 * const core = new CachingLayerCore<SessionBytes>(below, layout);
 * core.open(context);
 * const timestamp = core.admit('sessions', end); // undefined: already past retention
 * ```
 */
export class CachingLayerCore<K> {
  readonly cache: WriteBackCache;
  #observedStreamTime = -1;
  #context: StateStoreContext | undefined;
  #open = false;
  #listener: FlushListener<K> | undefined;
  #sendOldValues = false;
  /** The latest-in-time delete dropped at write-down since the last flush. */
  #skippedDelete: { storeKey: string; time: number } | undefined;

  constructor(
    private readonly below: CachedStoreBelow,
    private readonly layout: CachedKeyLayout<K>,
  ) {
    this.cache = new WriteBackCache((storeKey, value, timestamp) =>
      this.#writeDown(storeKey, value, timestamp),
    );
  }

  /** The largest time written through this layer or seen by the store below; -1 before any. */
  get observedStreamTime(): number {
    return Math.max(this.#observedStreamTime, this.below.observedStreamTime ?? -1);
  }

  /** The earliest time still kept, by this layer's and the store below's stream time. */
  minLiveTime(): number {
    return Math.max(0, this.observedStreamTime - this.below.retentionPeriodMs + 1);
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

  /**
   * Writes the dirty entries down, then flushes the store below. If the latest delete dropped at
   * write-down is beyond the stream time of the store below, it is written after all: that moves
   * the store's stream time, and so its changelog's, to where this layer's is, so a restore
   * expires what the running store expired; the other dropped deletes change nothing below.
   */
  flush(): void | Promise<void> {
    this.cache.flush();
    const skipped = this.#skippedDelete;
    this.#skippedDelete = undefined;
    const belowTime = this.below.observedStreamTime;
    if (skipped !== undefined && belowTime !== undefined && skipped.time > belowTime) {
      this.layout.writeBelow(this.layout.decode(skipped.storeKey), null);
    }
    return this.below.flush();
  }

  /**
   * Starts a put at `time`: checks the layer is open and advances the observed stream time.
   * Returns the timestamp of the record being processed, or `undefined` if `time` is already past
   * retention (the store below would refuse it too).
   */
  admit(storeName: string, time: number): number | undefined {
    const timestamp = this.#beginWrite(storeName, time);
    return time < this.minLiveTime() ? undefined : timestamp;
  }

  #beginWrite(storeName: string, time: number): number {
    if (!this.#open) throw storeNotOpen(storeName);
    if (time > this.#observedStreamTime) this.#observedStreamTime = time;
    return (this.#context as StateStoreContext).currentTimestamp();
  }

  /** A put written straight through (no write-back): the listener, if any, hears of it. */
  reportThrough(key: K, newValue: Buffer | null, timestamp: number): void {
    this.#report(key, newValue, timestamp);
  }

  /** The cached value of `storeKey`: `null` for a cached delete, `undefined` when not cached. */
  cached(storeKey: string): Buffer | null | undefined {
    return this.cache.get(storeKey)?.value;
  }

  /** Fills the cache with what the store below returned for `storeKey`, and returns it. */
  fill(storeKey: string, value: Buffer | undefined): Buffer | undefined {
    if (value !== undefined) this.cache.fill(storeKey, value);
    return value;
  }

  #writeDown(storeKey: string, value: Buffer | null, timestamp: number): boolean {
    const key = this.layout.decode(storeKey);
    this.layout.onWriteDown?.(storeKey, key);
    const time = this.layout.timeOf(key);
    // Expired while cached: the store below would refuse it.
    if (time < this.minLiveTime()) return false;
    if (!this.#report(key, value, timestamp)) {
      // A delete of an entry the store below never held; the latest one may be written at flush.
      if (this.#skippedDelete === undefined || time > this.#skippedDelete.time) {
        this.#skippedDelete = { storeKey, time };
      }
      return false;
    }
    this.layout.writeBelow(key, value);
    return true;
  }

  /**
   * Tells the listener about a write going down; reads the store below only when needed. Returns
   * false, reporting nothing, for a delete of an entry the store below does not hold (Kafka
   * Streams neither forwards nor writes such deletes).
   */
  #report(key: K, newValue: Buffer | null, timestamp: number): boolean {
    const listener = this.#listener;
    const oldValue =
      newValue === null || (listener !== undefined && this.#sendOldValues)
        ? (this.layout.readBelow(key) ?? null)
        : null;
    if (newValue === null && oldValue === null) return false;
    listener?.(key, newValue, this.#sendOldValues ? oldValue : null, timestamp);
    return true;
  }
}
