import { keyBytes, keyString } from '../internal/byte-keys.js';
import { EmptyIterator } from '../internal/key-value-iterators.js';
import type { KeyValue, KeyValueIterator, StateStore, StateStoreContext } from '../store.js';
import { type SegmentedBytesStore, SegmentedStore } from './segmented-bytes-store.js';
import { ArrayKeyValueIterator } from './store-iterators.js';
import {
  decodeWindowStoreKey,
  MAX_SEQ,
  readTimeChars,
  WINDOW_SUFFIX_CHARS,
  windowStoreKey,
} from './window-key-schema.js';
import type { WindowBytesStore, WindowedBytes } from './window-store.js';

const MAX_SUFFIX = '\xff'.repeat(WINDOW_SUFFIX_CHARS);

/**
 * The inner window store over a {@link SegmentedBytesStore} in the window key layout
 * (key bytes, window start, sequence number); the in-memory and `level` window stores differ only
 * in the segmented store they pass.
 */
export abstract class SegmentedWindowStore extends SegmentedStore implements WindowBytesStore {
  #seq = 0;

  protected constructor(
    name: string,
    retentionPeriodMs: number,
    readonly windowSizeMs: number,
    readonly retainDuplicates: boolean,
    segments: SegmentedBytesStore,
  ) {
    super(name, retentionPeriodMs, segments);
  }

  override init(context: StateStoreContext, root: StateStore): void | Promise<void> {
    // A persistent store continues after the largest sequence number on disk, so a duplicate
    // written after a restart does not overwrite one written before it; in memory it counts on.
    if (this.segments.persistent) this.#seq = 0;
    return this.segments.open(context, root, (storeKey) => {
      if (this.retainDuplicates) this.#seq = Math.max(this.#seq, decodeWindowStoreKey(storeKey).seq);
    });
  }

  put(key: Buffer, value: Buffer | null, windowStart: number): number {
    this.segments.requireOpen();
    if (this.retainDuplicates && value === null) return -1;
    const seq = this.retainDuplicates ? (this.#seq = (this.#seq + 1) % (MAX_SEQ + 1)) : 0;
    const written = this.segments.write(windowStoreKey(keyString(key), windowStart, seq), windowStart, value);
    return written ? seq : -1;
  }

  restore(storeKey: Buffer, value: Buffer | null): void {
    this.segments.requireOpen();
    const k = keyString(storeKey);
    const { windowStart, seq } = decodeWindowStoreKey(k);
    if (this.retainDuplicates && seq > this.#seq) this.#seq = seq;
    this.segments.write(k, windowStart, value);
  }

  fetch(key: Buffer, windowStart: number): Buffer | undefined {
    this.segments.requireOpen();
    if (windowStart < this.segments.minLiveTime()) return undefined;
    const k = keyString(key);
    if (!this.retainDuplicates) return this.segments.get(windowStoreKey(k, windowStart, 0));
    return this.segments.first(windowStoreKey(k, windowStart, 0), windowStoreKey(k, windowStart, MAX_SEQ));
  }

  fetchKey(
    key: Buffer,
    timeFrom: number,
    timeTo: number,
    backward: boolean,
  ): KeyValueIterator<number, Buffer> {
    this.segments.requireOpen();
    const from = Math.max(timeFrom, this.segments.minLiveTime());
    if (from > timeTo) return new EmptyIterator();
    const k = keyString(key);
    const length = k.length + WINDOW_SUFFIX_CHARS;
    // Same length and inside the bounds means same key (the bounds share the key as a prefix).
    return this.segments.scan(
      windowStoreKey(k, from, 0),
      windowStoreKey(k, timeTo, MAX_SEQ),
      backward,
      (storeKey, value) =>
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
    this.segments.requireOpen();
    const from = Math.max(timeFrom, this.segments.minLiveTime());
    const lowKey = keyFrom === undefined ? undefined : keyString(keyFrom);
    const highKey = keyTo === undefined ? undefined : keyString(keyTo);
    if (from > timeTo || (lowKey !== undefined && highKey !== undefined && lowKey > highKey)) {
      return new EmptyIterator();
    }
    const upper = highKey === undefined ? undefined : highKey + MAX_SUFFIX;
    return this.segments.scan(lowKey, upper, backward, (storeKey, value) => {
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
    this.segments.requireOpen();
    const entries: KeyValue<WindowedBytes, Buffer>[] = [];
    const from = Math.max(timeFrom, this.segments.minLiveTime());
    for (const storeKey of this.segments.keysBetween(from, timeTo)) {
      const value = this.segments.get(storeKey);
      if (value === undefined) continue;
      const decoded = decodeWindowStoreKey(storeKey);
      entries.push({ key: { key: keyBytes(decoded.key), windowStart: decoded.windowStart }, value });
    }
    if (backward) entries.reverse();
    return new ArrayKeyValueIterator(entries);
  }
}
