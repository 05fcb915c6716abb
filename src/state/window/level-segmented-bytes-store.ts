import { keyBytes, keyString } from '../internal/byte-keys.js';
import { LookaheadIterator } from '../internal/key-value-iterators.js';
import { LevelKeyValueStore } from '../level-key-value-store.js';
import type { KeyValue, KeyValueIterator, StateStore, StateStoreContext } from '../store.js';
import { type EntryDecoder, type KeySchema, SegmentedBytesStore } from './segmented-bytes-store.js';

/**
 * @internal The persistent segmented bytes store: entries in a {@link LevelKeyValueStore} (so reads
 * stay synchronous and writes reach disk as one atomic batch per flush). Expired entries are
 * deleted with the next flush, so the database holds only the retention period. Opening reads
 * every entry once to rebuild the time index and the observed stream time.
 */
export class LevelSegmentedBytesStore extends SegmentedBytesStore {
  readonly persistent = true;
  readonly #entries: LevelKeyValueStore;

  constructor(name: string, retentionPeriodMs: number, keySchema: KeySchema) {
    super(name, retentionPeriodMs, keySchema);
    this.#entries = new LevelKeyValueStore(name);
  }

  /** Opens `<taskDir>/<name>` and rebuilds the time index. */
  async open(
    context: StateStoreContext,
    root: StateStore,
    visit: (storeKey: string) => void = () => undefined,
  ): Promise<void> {
    await this.#entries.init(context, root);
    this.resetIndex();
    for (const { key } of this.#entries.all()) {
      const storeKey = keyString(key);
      this.indexStored(storeKey);
      visit(storeKey);
    }
    this.expireStored();
  }

  flush(): Promise<void> {
    return this.#entries.flush();
  }

  async close(): Promise<void> {
    await this.#entries.close();
    this.byTime.clear();
  }

  isOpen(): boolean {
    return this.#entries.isOpen();
  }

  get(storeKey: string): Buffer | undefined {
    return this.#entries.get(keyBytes(storeKey));
  }

  first(lower: string, upper: string): Buffer | undefined {
    const entries = this.scan(lower, upper, false, (_storeKey, value) => ({ key: 0, value }));
    const entry = entries.next();
    entries.close();
    return entry.done === true ? undefined : entry.value.value;
  }

  /** As of now: a write while the iterator is open may show through (see `LevelKeyValueStore`). */
  scan<K>(
    lower: string | undefined,
    upper: string | undefined,
    backward: boolean,
    decode: EntryDecoder<K>,
  ): KeyValueIterator<K, Buffer> {
    const from = lower === undefined ? undefined : keyBytes(lower);
    const to = upper === undefined ? undefined : keyBytes(upper);
    const source = backward ? this.#entries.reverseRange(from, to) : this.#entries.range(from, to);
    return new DecodingBytesIterator(source, decode);
  }

  protected setEntry(storeKey: string, value: Buffer): boolean {
    this.#entries.put(keyBytes(storeKey), value);
    return true;
  }

  protected deleteEntry(storeKey: string): boolean {
    return this.#entries.delete(keyBytes(storeKey)) !== undefined;
  }

  protected expireEntry(storeKey: string): void {
    this.#entries.put(keyBytes(storeKey), null);
  }
}

/** Decodes and filters the entries of a bytes iterator. */
class DecodingBytesIterator<K> extends LookaheadIterator<K, Buffer> {
  readonly #source: KeyValueIterator<Buffer, Buffer>;
  readonly #decode: EntryDecoder<K>;

  constructor(source: KeyValueIterator<Buffer, Buffer>, decode: EntryDecoder<K>) {
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
