import type { KeyValue, KeyValueIterator } from '../store.js';
import { keyString, prefixUpperBound } from './byte-keys.js';
import type { CursorBounds } from './sorted-string-map.js';

/**
 * The range queries of the inner key-value stores (in memory and on `level`), whose entries sit
 * in a sorted index keyed by the latin1 string of the key bytes: every range is one cursor over
 * bounds of that index, which `iterate` opens. (Not `@internal`: the inner stores' declarations
 * extend it.)
 *
 * @example
 * ```ts
 * const store = Stores.inMemoryKeyValueStore('counts').get();
 * for (const { key, value } of store.prefixScan(Buffer.from('user-'))) console.log(key, value);
 * ```
 */
export abstract class SortedKeyValueBytesStore {
  abstract put(key: Buffer, value: Buffer | null): void;

  /** Opens a cursor over the index between `bounds`. */
  protected abstract iterate(bounds: CursorBounds): KeyValueIterator<Buffer, Buffer>;

  putAll(entries: readonly KeyValue<Buffer, Buffer | null>[]): void {
    for (const { key, value } of entries) this.put(key, value);
  }

  range(from?: Buffer, to?: Buffer): KeyValueIterator<Buffer, Buffer> {
    return this.iterate({ lower: from && keyString(from), upper: to && keyString(to) });
  }

  reverseRange(from?: Buffer, to?: Buffer): KeyValueIterator<Buffer, Buffer> {
    return this.iterate({ lower: from && keyString(from), upper: to && keyString(to), reverse: true });
  }

  all(): KeyValueIterator<Buffer, Buffer> {
    return this.iterate({});
  }

  reverseAll(): KeyValueIterator<Buffer, Buffer> {
    return this.iterate({ reverse: true });
  }

  prefixScan(prefix: Buffer): KeyValueIterator<Buffer, Buffer> {
    const lower = keyString(prefix);
    return this.iterate({ lower, upper: prefixUpperBound(lower), upperExclusive: true });
  }
}
