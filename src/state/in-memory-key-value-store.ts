import { keyString } from './internal/byte-keys.js';
import { SortedKeyValueBytesStore } from './internal/sorted-key-value-bytes-store.js';
import { SnapshotIterator } from './internal/key-value-iterators.js';
import { OnDemandSortedMap } from './internal/on-demand-sorted-map.js';
import { SortedCursor } from './internal/sorted-string-map.js';
import type { CursorBounds } from './internal/sorted-string-map.js';
import { storeNotOpen } from './internal/store-errors.js';
import type { KeyValueBytesStore, KeyValueIterator, StateStore, StateStoreContext } from './store.js';

/**
 * The in-memory inner bytes store: a sorted map keyed by the latin1 string of the key bytes, so
 * entries are in unsigned byte order. Iterators read an O(1) copy-on-write snapshot taken when they
 * are created: writes made while iterating never show up in (or break) an open iterator. Closing
 * the store drops its contents. Keys and values are kept as given, not copied: callers must not
 * mutate a buffer after handing it to the store.
 *
 * @example
 * ```ts
 * const store = Stores.inMemoryKeyValueStore('counts').get(); // an InMemoryKeyValueStore
 * store.init(context, store);
 * store.put(Buffer.from('a'), Buffer.from('1'));
 * ```
 */
export class InMemoryKeyValueStore extends SortedKeyValueBytesStore implements KeyValueBytesStore {
  readonly name: string;
  readonly persistent = false;
  readonly #entries = new OnDemandSortedMap<Buffer>();
  #open = false;

  constructor(name: string) {
    super();
    this.name = name;
  }

  init(_context: StateStoreContext, _root: StateStore): void {
    this.#open = true;
  }

  flush(): void {}

  close(): void {
    this.#open = false;
    this.#entries.clear();
  }

  isOpen(): boolean {
    return this.#open;
  }

  get(key: Buffer): Buffer | undefined {
    if (!this.#open) throw storeNotOpen(this.name);
    return this.#entries.get(keyString(key));
  }

  put(key: Buffer, value: Buffer | null): void {
    if (!this.#open) throw storeNotOpen(this.name);
    if (value === null) this.#entries.delete(keyString(key));
    else this.#entries.set(keyString(key), value);
  }

  putIfAbsent(key: Buffer, value: Buffer): Buffer | undefined {
    if (!this.#open) throw storeNotOpen(this.name);
    const k = keyString(key);
    const existing = this.#entries.get(k);
    if (existing === undefined) this.#entries.set(k, value);
    return existing;
  }

  delete(key: Buffer): Buffer | undefined {
    if (!this.#open) throw storeNotOpen(this.name);
    const k = keyString(key);
    const existing = this.#entries.get(k);
    if (existing !== undefined) this.#entries.delete(k);
    return existing;
  }

  approximateNumEntries(): number {
    if (!this.#open) throw storeNotOpen(this.name);
    return this.#entries.size;
  }

  protected iterate(bounds: CursorBounds): KeyValueIterator<Buffer, Buffer> {
    if (!this.#open) throw storeNotOpen(this.name);
    return new SnapshotIterator(new SortedCursor(this.#entries.snapshot(), bounds));
  }
}
