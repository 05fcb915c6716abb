import { keyBytes, keyString } from '../internal/byte-keys.js';
import { EmptyIterator } from '../internal/key-value-iterators.js';
import { SortedCursor, SortedStringMap } from '../internal/sorted-string-map.js';
import { storeNotOpen } from '../internal/store-errors.js';
import type { KeyValue, KeyValueIterator, StateStore, StateStoreContext } from '../store.js';
import { ArrayKeyValueIterator, DecodingCursorIterator } from './store-iterators.js';
import { TimeIndex } from './time-index.js';
import {
  decodeWindowStoreKey,
  MAX_SEQ,
  readTimeChars,
  seqChars,
  timeChars,
  WINDOW_SUFFIX_CHARS,
  windowStoreKey,
} from './window-key-schema.js';
import type { WindowBytesStore, WindowedBytes } from './window-store.js';

const MAX_SUFFIX = '\xff'.repeat(WINDOW_SUFFIX_CHARS);

/**
 * The in-memory inner window store: one sorted map in the window key layout (key bytes, window
 * start, sequence number), plus a time index so that windows whose start is at or before
 * `observedStreamTime - retentionPeriod` are dropped as soon as a later window is written, which
 * keeps memory bounded. `observedStreamTime` is the largest window start written, as in Kafka
 * Streams. Iterators read a snapshot taken when they are created.
 *
 * @example
 * ```ts
 * const store = Stores.inMemoryWindowStore('clicks', 86_400_000, 60_000, false).get();
 * ```
 */
export class InMemoryWindowStore implements WindowBytesStore {
  readonly persistent = false;
  readonly #entries = new SortedStringMap<Buffer>();
  readonly #byTime = new TimeIndex();
  #observedStreamTime = -1;
  #seq = 0;
  #open = false;

  constructor(
    readonly name: string,
    readonly retentionPeriodMs: number,
    readonly windowSizeMs: number,
    readonly retainDuplicates: boolean,
  ) {}

  init(_context: StateStoreContext, _root: StateStore): void {
    this.#open = true;
  }

  flush(): void {}

  close(): void {
    this.#open = false;
    this.#entries.clear();
    this.#byTime.clear();
  }

  isOpen(): boolean {
    return this.#open;
  }

  get observedStreamTime(): number {
    return this.#observedStreamTime;
  }

  put(key: Buffer, value: Buffer | null, windowStart: number): number {
    this.#requireOpen();
    if (this.retainDuplicates && value === null) return -1;
    const seq = this.retainDuplicates ? (this.#seq = (this.#seq + 1) % (MAX_SEQ + 1)) : 0;
    return this.#write(keyString(key), windowStart, seq, value) ? seq : -1;
  }

  restore(storeKey: Buffer, value: Buffer | null): void {
    this.#requireOpen();
    const { key, windowStart, seq } = decodeWindowStoreKey(keyString(storeKey));
    if (this.retainDuplicates && seq > this.#seq) this.#seq = seq;
    this.#write(key, windowStart, seq, value);
  }

  fetch(key: Buffer, windowStart: number): Buffer | undefined {
    this.#requireOpen();
    if (windowStart < this.#minLiveTime()) return undefined;
    const k = keyString(key);
    if (!this.retainDuplicates) return this.#entries.get(windowStoreKey(k, windowStart, 0));
    const first = new SortedCursor(this.#entries.snapshot(), {
      lower: windowStoreKey(k, windowStart, 0),
      upper: windowStoreKey(k, windowStart, MAX_SEQ),
    });
    return first.key === undefined ? undefined : first.value;
  }

  fetchKey(
    key: Buffer,
    timeFrom: number,
    timeTo: number,
    backward: boolean,
  ): KeyValueIterator<number, Buffer> {
    this.#requireOpen();
    const from = Math.max(timeFrom, this.#minLiveTime());
    if (from > timeTo) return new EmptyIterator();
    const k = keyString(key);
    const length = k.length + WINDOW_SUFFIX_CHARS;
    const cursor = new SortedCursor(this.#entries.snapshot(), {
      lower: k + timeChars(from) + seqChars(0),
      upper: k + timeChars(timeTo) + seqChars(MAX_SEQ),
      reverse: backward,
    });
    // Same length and inside the bounds means same key (the bounds share the key as a prefix).
    return new DecodingCursorIterator(cursor, (storeKey, value) =>
      storeKey.length === length ? { key: readTimeChars(storeKey, k.length), value } : undefined,
    );
  }

  fetchRange(
    keyFrom: Buffer | undefined,
    keyTo: Buffer | undefined,
    timeFrom: number,
    timeTo: number,
    backward: boolean,
  ): KeyValueIterator<WindowedBytes, Buffer> {
    this.#requireOpen();
    const from = Math.max(timeFrom, this.#minLiveTime());
    const lowKey = keyFrom === undefined ? undefined : keyString(keyFrom);
    const highKey = keyTo === undefined ? undefined : keyString(keyTo);
    if (from > timeTo || (lowKey !== undefined && highKey !== undefined && lowKey > highKey)) {
      return new EmptyIterator();
    }
    const cursor = new SortedCursor(this.#entries.snapshot(), {
      lower: lowKey,
      upper: highKey === undefined ? undefined : highKey + MAX_SUFFIX,
      reverse: backward,
    });
    return new DecodingCursorIterator(cursor, (storeKey, value) => {
      const decoded = decodeWindowStoreKey(storeKey);
      if (decoded.windowStart < from || decoded.windowStart > timeTo) return undefined;
      if (
        (lowKey !== undefined && decoded.key < lowKey) ||
        (highKey !== undefined && decoded.key > highKey)
      ) {
        return undefined;
      }
      return { key: { key: keyBytes(decoded.key), windowStart: decoded.windowStart }, value };
    });
  }

  fetchAll(timeFrom: number, timeTo: number, backward: boolean): KeyValueIterator<WindowedBytes, Buffer> {
    this.#requireOpen();
    const entries: KeyValue<WindowedBytes, Buffer>[] = [];
    for (const storeKey of this.#byTime.keysBetween(Math.max(timeFrom, this.#minLiveTime()), timeTo)) {
      const value = this.#entries.get(storeKey);
      if (value === undefined) continue;
      const decoded = decodeWindowStoreKey(storeKey);
      entries.push({ key: { key: keyBytes(decoded.key), windowStart: decoded.windowStart }, value });
    }
    if (backward) entries.reverse();
    return new ArrayKeyValueIterator(entries);
  }

  /** Writes one entry; returns false if its window is already past retention. */
  #write(key: string, windowStart: number, seq: number, value: Buffer | null): boolean {
    if (windowStart > this.#observedStreamTime) this.#observedStreamTime = windowStart;
    this.#expire();
    if (windowStart < this.#minLiveTime()) return false;
    const storeKey = windowStoreKey(key, windowStart, seq);
    if (value === null) {
      if (this.#entries.delete(storeKey)) this.#byTime.remove(windowStart, storeKey);
    } else if (this.#entries.set(storeKey, value)) {
      this.#byTime.add(windowStart, storeKey);
    }
    return true;
  }

  /** The earliest window start still kept. */
  #minLiveTime(): number {
    return Math.max(0, this.#observedStreamTime - this.retentionPeriodMs + 1);
  }

  #expire(): void {
    this.#byTime.expireUpTo(this.#observedStreamTime - this.retentionPeriodMs, (storeKey) => {
      this.#entries.delete(storeKey);
    });
  }

  #requireOpen(): void {
    if (!this.#open) throw storeNotOpen(this.name);
  }
}
