import { keyBytes, keyString } from '../internal/byte-keys.js';
import { LookaheadIterator } from '../internal/key-value-iterators.js';
import { storeNotOpen } from '../internal/store-errors.js';
import { LevelKeyValueStore } from '../level-key-value-store.js';
import type { KeyValue, KeyValueIterator, StateStore, StateStoreContext } from '../store.js';
import { TimeIndex } from './time-index.js';

/**
 * @internal The persistent core shared by the `level` window and session stores: entries in a
 * {@link LevelKeyValueStore} (so reads stay synchronous and writes reach disk as one atomic batch
 * per flush), plus an in-memory index of which store keys belong to which time (window start, or
 * session end). Entries whose time is at or before `observedStreamTime - retentionPeriodMs` are
 * deleted as soon as a later time is written; the deletes go to disk with the next flush, so the
 * database holds only the retention period.
 *
 * Opening reads every entry once to rebuild the time index and the observed stream time.
 */
export class RetainedLevelEntries {
  readonly #entries: LevelKeyValueStore;
  readonly #byTime = new TimeIndex();
  #observedStreamTime = -1;

  constructor(
    readonly name: string,
    readonly retentionPeriodMs: number,
    /** The time (window start or session end) a store key belongs to. */
    private readonly timeOf: (storeKey: string) => number,
  ) {
    this.#entries = new LevelKeyValueStore(name);
  }

  /** Opens `<taskDir>/<name>` and rebuilds the time index; `visit` sees every stored key. */
  async open(
    context: StateStoreContext,
    root: StateStore,
    visit: (storeKey: string) => void = () => undefined,
  ): Promise<void> {
    await this.#entries.init(context, root);
    this.#byTime.clear();
    this.#observedStreamTime = -1;
    for (const { key } of this.#entries.all()) {
      const storeKey = keyString(key);
      const time = this.timeOf(storeKey);
      this.#byTime.add(time, storeKey);
      if (time > this.#observedStreamTime) this.#observedStreamTime = time;
      visit(storeKey);
    }
    // Deletes that were never flushed before the last close.
    this.#byTime.expireUpTo(this.#observedStreamTime - this.retentionPeriodMs, (expired) =>
      this.#entries.put(keyBytes(expired), null),
    );
  }

  flush(): Promise<void> {
    return this.#entries.flush();
  }

  async close(): Promise<void> {
    await this.#entries.close();
    this.#byTime.clear();
  }

  isOpen(): boolean {
    return this.#entries.isOpen();
  }

  requireOpen(): void {
    if (!this.#entries.isOpen()) throw storeNotOpen(this.name);
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
      this.#byTime.expireUpTo(time - this.retentionPeriodMs, (expired) =>
        this.#entries.put(keyBytes(expired), null),
      );
    }
    if (time < this.minLiveTime()) return false;
    const bytes = keyBytes(storeKey);
    if (value === null) {
      if (this.#entries.delete(bytes) !== undefined) this.#byTime.remove(time, storeKey);
    } else {
      this.#entries.put(bytes, value);
      this.#byTime.add(time, storeKey);
    }
    return true;
  }

  get(storeKey: string): Buffer | undefined {
    return this.#entries.get(keyBytes(storeKey));
  }

  /**
   * Entries with store keys in `[lower, upper]` (an omitted bound is open), as of now, mapped by
   * `decode`, which returns `undefined` to skip an entry.
   */
  scan<K>(
    lower: string | undefined,
    upper: string | undefined,
    backward: boolean,
    decode: (storeKey: string, value: Buffer) => KeyValue<K, Buffer> | undefined,
  ): KeyValueIterator<K, Buffer> {
    const from = lower === undefined ? undefined : keyBytes(lower);
    const to = upper === undefined ? undefined : keyBytes(upper);
    const source = backward ? this.#entries.reverseRange(from, to) : this.#entries.range(from, to);
    return new DecodingBytesIterator(source, decode);
  }

  /** Store keys whose time is in `[from, to]`, by time then key. */
  keysBetween(from: number, to: number): string[] {
    return this.#byTime.keysBetween(from, to);
  }
}

/** Decodes and filters the entries of a bytes iterator. */
class DecodingBytesIterator<K> extends LookaheadIterator<K, Buffer> {
  readonly #source: KeyValueIterator<Buffer, Buffer>;
  readonly #decode: (storeKey: string, value: Buffer) => KeyValue<K, Buffer> | undefined;

  constructor(
    source: KeyValueIterator<Buffer, Buffer>,
    decode: (storeKey: string, value: Buffer) => KeyValue<K, Buffer> | undefined,
  ) {
    super();
    this.#source = source;
    this.#decode = decode;
  }

  protected fetch(): KeyValue<K, Buffer> | undefined {
    for (let next = this.#source.next(); next.done !== true; next = this.#source.next()) {
      const entry = this.#decode(keyString(next.value.key), next.value.value);
      if (entry !== undefined) return entry;
    }
    return undefined;
  }

  protected override onClose(): void {
    this.#source.close();
  }
}
