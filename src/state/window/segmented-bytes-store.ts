import { storeNotOpen } from '../internal/store-errors.js';
import type { KeyValue, KeyValueIterator, StateStore, StateStoreContext } from '../store.js';
import { TimeIndex } from './time-index.js';

/**
 * How a windowed store lays out its store keys. The bytes store below only needs the
 * time each key belongs to: its window start (window stores) or its session end (session stores).
 */
export interface KeySchema {
  /** The time `storeKey` belongs to; throws a `RangeError` for a key too short for the layout. */
  segmentTimestamp(storeKey: string): number;
}

/** Maps one (store key, value) to an entry, or `undefined` to skip it. */
export type EntryDecoder<K> = (storeKey: string, value: Buffer) => KeyValue<K, Buffer> | undefined;

/**
 * The base shared by the window and session stores, in memory and on `level`: entries
 * under latin1 store keys (see {@link KeySchema}), plus an in-memory index of which keys belong to
 * which time. Entries whose time is at or before `observedStreamTime - retentionPeriodMs` are
 * dropped as soon as a later time is written, which keeps a store bounded by its retention.
 * `observedStreamTime` is the largest time written. Subclasses hold the entries. (Not `@internal`:
 * the inner stores' declarations reference it.)
 */
export abstract class SegmentedBytesStore {
  abstract readonly persistent: boolean;
  protected readonly byTime = new TimeIndex();
  #observedStreamTime = -1;

  constructor(
    readonly name: string,
    readonly retentionPeriodMs: number,
    readonly keySchema: KeySchema,
  ) {}

  /** Opens the entries; `visit` sees every key already stored. */
  abstract open(
    context: StateStoreContext,
    root: StateStore,
    visit?: (storeKey: string) => void,
  ): void | Promise<void>;
  abstract flush(): void | Promise<void>;
  abstract close(): void | Promise<void>;
  abstract isOpen(): boolean;
  abstract get(storeKey: string): Buffer | undefined;
  /** The value of the first store key in `[lower, upper]`, or `undefined`. */
  abstract first(lower: string, upper: string): Buffer | undefined;
  /** Entries with store keys in `[lower, upper]` (an omitted bound is open), mapped by `decode`. */
  abstract scan<K>(
    lower: string | undefined,
    upper: string | undefined,
    backward: boolean,
    decode: EntryDecoder<K>,
  ): KeyValueIterator<K, Buffer>;
  /** Stores an entry; true if the key is new (so the time index must learn it). */
  protected abstract setEntry(storeKey: string, value: Buffer): boolean;
  /** Removes an entry; true if it was there. */
  protected abstract deleteEntry(storeKey: string): boolean;
  /** Removes an entry that fell out of retention. */
  protected abstract expireEntry(storeKey: string): void;

  requireOpen(): void {
    if (!this.isOpen()) throw storeNotOpen(this.name);
  }

  /** The largest time written or opened with (-1: none). */
  get observedStreamTime(): number {
    return this.#observedStreamTime;
  }

  /** The earliest time still kept. */
  minLiveTime(): number {
    return Math.max(0, this.#observedStreamTime - this.retentionPeriodMs + 1);
  }

  /**
   * Writes (or with `null` deletes) one entry, first advancing the observed stream time and
   * expiring what fell out of retention. Returns false if the entry is itself already expired.
   */
  write(storeKey: string, time: number, value: Buffer | null): boolean {
    if (time > this.#observedStreamTime) {
      this.#observedStreamTime = time;
      this.byTime.expireUpTo(time - this.retentionPeriodMs, (expired) => this.expireEntry(expired));
    }
    if (time < this.minLiveTime()) return false;
    if (value === null) {
      if (this.deleteEntry(storeKey)) this.byTime.remove(time, storeKey);
    } else if (this.setEntry(storeKey, value)) {
      this.byTime.add(time, storeKey);
    }
    return true;
  }

  /** Store keys whose time is in `[from, to]`, by time then key. */
  keysBetween(from: number, to: number): string[] {
    return this.byTime.keysBetween(from, to);
  }

  /** Forgets the time index and the observed stream time, before re-reading stored entries. */
  protected resetIndex(): void {
    this.byTime.clear();
    this.#observedStreamTime = -1;
  }

  /** Indexes one entry read back from storage. */
  protected indexStored(storeKey: string): void {
    const time = this.keySchema.segmentTimestamp(storeKey);
    this.byTime.add(time, storeKey);
    if (time > this.#observedStreamTime) this.#observedStreamTime = time;
  }

  /** Expires what the entries read back from storage left behind (deletes never flushed). */
  protected expireStored(): void {
    this.byTime.expireUpTo(this.#observedStreamTime - this.retentionPeriodMs, (expired) =>
      this.expireEntry(expired),
    );
  }
}

/**
 * The lifecycle shared by the inner window and session stores over a {@link SegmentedBytesStore}:
 * each forwards it and adds its own key layout on top.
 */
export abstract class SegmentedStore {
  protected constructor(
    readonly name: string,
    readonly retentionPeriodMs: number,
    protected readonly segments: SegmentedBytesStore,
  ) {}

  get persistent(): boolean {
    return this.segments.persistent;
  }

  init(context: StateStoreContext, root: StateStore): void | Promise<void> {
    return this.segments.open(context, root);
  }

  flush(): void | Promise<void> {
    return this.segments.flush();
  }

  close(): void | Promise<void> {
    return this.segments.close();
  }

  isOpen(): boolean {
    return this.segments.isOpen();
  }

  /** The largest window start (or session end) written or restored so far; -1 before any. */
  get observedStreamTime(): number {
    return this.segments.observedStreamTime;
  }
}
