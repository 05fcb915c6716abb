import type { KeyValueIterator, StateStore, StateStoreContext } from '../store.js';
import { SortedCursor, SortedStringMap } from '../internal/sorted-string-map.js';
import { type EntryDecoder, SegmentedBytesStore } from './segmented-bytes-store.js';
import { DecodingCursorIterator } from './store-iterators.js';

/**
 * @internal The in-memory segmented bytes store: one sorted map of the entries. Iterators read a
 * snapshot taken when they are created. Closing drops the entries; the observed stream time stays.
 */
export class InMemorySegmentedBytesStore extends SegmentedBytesStore {
  readonly persistent = false;
  readonly #entries = new SortedStringMap<Buffer>();
  #open = false;

  open(_context: StateStoreContext, _root: StateStore): void {
    this.#open = true;
  }

  flush(): void {}

  close(): void {
    this.#open = false;
    this.#entries.clear();
    this.byTime.clear();
  }

  isOpen(): boolean {
    return this.#open;
  }

  get(storeKey: string): Buffer | undefined {
    return this.#entries.get(storeKey);
  }

  first(lower: string, upper: string): Buffer | undefined {
    const first = new SortedCursor(this.#entries.snapshot(), { lower, upper });
    return first.key === undefined ? undefined : first.value;
  }

  scan<K>(
    lower: string | undefined,
    upper: string | undefined,
    backward: boolean,
    decode: EntryDecoder<K>,
  ): KeyValueIterator<K, Buffer> {
    const cursor = new SortedCursor(this.#entries.snapshot(), { lower, upper, reverse: backward });
    return new DecodingCursorIterator(cursor, decode);
  }

  protected setEntry(storeKey: string, value: Buffer): boolean {
    return this.#entries.set(storeKey, value);
  }

  protected deleteEntry(storeKey: string): boolean {
    return this.#entries.delete(storeKey);
  }

  protected expireEntry(storeKey: string): void {
    this.#entries.delete(storeKey);
  }
}
