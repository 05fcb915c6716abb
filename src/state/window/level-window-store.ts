import { keyBytes, keyString } from '../internal/byte-keys.js';
import { EmptyIterator } from '../internal/key-value-iterators.js';
import type { KeyValue, KeyValueIterator, StateStore, StateStoreContext } from '../store.js';
import { RetainedLevelEntries } from './retained-level-entries.js';
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
 * The persistent inner window store, on LevelDB through `level`, in `<taskDir>/<name>`. Entries use
 * the window key layout (key bytes, big-endian window start, sequence number) like the in-memory
 * store, and the same `LevelKeyValueStore` mechanics: synchronous reads through an in-memory key
 * index and `getSync`, writes to disk as one atomic batch per `flush()`. Windows whose start is at
 * or before `observedStreamTime - retentionPeriod` are deleted as later windows are written, and
 * those deletes are part of the next batch, so the database stays bounded by the retention period.
 *
 * @example
 * ```ts
 * const store = Stores.persistentWindowStore('clicks', 86_400_000, 60_000, false).get();
 * await store.init(context, store); // opens <taskDir>/clicks
 * ```
 */
export class LevelWindowStore implements WindowBytesStore {
  readonly persistent = true;
  readonly #entries: RetainedLevelEntries;
  #seq = 0;

  constructor(
    readonly name: string,
    readonly retentionPeriodMs: number,
    readonly windowSizeMs: number,
    readonly retainDuplicates: boolean,
  ) {
    this.#entries = new RetainedLevelEntries(
      name,
      retentionPeriodMs,
      (storeKey) => decodeWindowStoreKey(storeKey).windowStart,
    );
  }

  async init(context: StateStoreContext, root: StateStore): Promise<void> {
    this.#seq = 0;
    // Continue after the largest sequence number on disk, so a duplicate written after a restart
    // does not overwrite one written before it.
    await this.#entries.open(context, root, (storeKey) => {
      if (this.retainDuplicates) this.#seq = Math.max(this.#seq, decodeWindowStoreKey(storeKey).seq);
    });
  }

  flush(): Promise<void> {
    return this.#entries.flush();
  }

  close(): Promise<void> {
    return this.#entries.close();
  }

  isOpen(): boolean {
    return this.#entries.isOpen();
  }

  get observedStreamTime(): number {
    return this.#entries.observedStreamTime;
  }

  put(key: Buffer, value: Buffer | null, windowStart: number): number {
    this.#entries.requireOpen();
    if (this.retainDuplicates && value === null) return -1;
    const seq = this.retainDuplicates ? (this.#seq = (this.#seq + 1) % (MAX_SEQ + 1)) : 0;
    const written = this.#entries.write(windowStoreKey(keyString(key), windowStart, seq), windowStart, value);
    return written ? seq : -1;
  }

  restore(storeKey: Buffer, value: Buffer | null): void {
    this.#entries.requireOpen();
    const k = keyString(storeKey);
    const { windowStart, seq } = decodeWindowStoreKey(k);
    if (this.retainDuplicates && seq > this.#seq) this.#seq = seq;
    this.#entries.write(k, windowStart, value);
  }

  fetch(key: Buffer, windowStart: number): Buffer | undefined {
    this.#entries.requireOpen();
    if (windowStart < this.#entries.minLiveTime()) return undefined;
    const k = keyString(key);
    if (!this.retainDuplicates) return this.#entries.get(windowStoreKey(k, windowStart, 0));
    const first = this.#entries.scan(
      windowStoreKey(k, windowStart, 0),
      windowStoreKey(k, windowStart, MAX_SEQ),
      false,
      (_storeKey, value) => ({ key: 0, value }),
    );
    const entry = first.next();
    first.close();
    return entry.done === true ? undefined : entry.value.value;
  }

  fetchKey(
    key: Buffer,
    timeFrom: number,
    timeTo: number,
    backward: boolean,
  ): KeyValueIterator<number, Buffer> {
    this.#entries.requireOpen();
    const from = Math.max(timeFrom, this.#entries.minLiveTime());
    if (from > timeTo) return new EmptyIterator();
    const k = keyString(key);
    const length = k.length + WINDOW_SUFFIX_CHARS;
    // Same length and inside the bounds means same key (the bounds share the key as a prefix).
    return this.#entries.scan(
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
    this.#entries.requireOpen();
    const from = Math.max(timeFrom, this.#entries.minLiveTime());
    const lowKey = keyFrom === undefined ? undefined : keyString(keyFrom);
    const highKey = keyTo === undefined ? undefined : keyString(keyTo);
    if (from > timeTo || (lowKey !== undefined && highKey !== undefined && lowKey > highKey)) {
      return new EmptyIterator();
    }
    const upper = highKey === undefined ? undefined : highKey + MAX_SUFFIX;
    return this.#entries.scan(lowKey, upper, backward, (storeKey, value) => {
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
    this.#entries.requireOpen();
    const entries: KeyValue<WindowedBytes, Buffer>[] = [];
    const from = Math.max(timeFrom, this.#entries.minLiveTime());
    for (const storeKey of this.#entries.keysBetween(from, timeTo)) {
      const value = this.#entries.get(storeKey);
      if (value === undefined) continue;
      const decoded = decodeWindowStoreKey(storeKey);
      entries.push({ key: { key: keyBytes(decoded.key), windowStart: decoded.windowStart }, value });
    }
    if (backward) entries.reverse();
    return new ArrayKeyValueIterator(entries);
  }
}
