import type { KeyValue, KeyValueIterator } from '../store.js';
import { keyBytes } from './byte-keys.js';
import type { SortedCursor } from './sorted-string-map.js';

/**
 * Base for store iterators: subclasses produce entries one at a time with `fetch()`, this class
 * adds one entry of lookahead (for `peekNextKey`) and closes the iterator when a `for…of` loop
 * exits early.
 */
export abstract class LookaheadIterator<K, V> implements KeyValueIterator<K, V> {
  #lookahead: KeyValue<K, V> | undefined;
  #fetched = false;
  #closed = false;

  /** The next entry, or `undefined` at the end. Called at most once past the end. */
  protected abstract fetch(): KeyValue<K, V> | undefined;

  /** Releases what the iterator holds; called once. */
  protected onClose(): void {}

  [Symbol.iterator](): this {
    return this;
  }

  next(): IteratorResult<KeyValue<K, V>, undefined> {
    const entry = this.#peek();
    if (entry === undefined) return { done: true, value: undefined };
    this.#fetched = false;
    this.#lookahead = undefined;
    return { done: false, value: entry };
  }

  /** Called by `for…of` on `break`/`return`/`throw`. */
  return(): IteratorResult<KeyValue<K, V>, undefined> {
    this.close();
    return { done: true, value: undefined };
  }

  peekNextKey(): K | undefined {
    return this.#peek()?.key;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#lookahead = undefined;
    this.#fetched = true;
    this.onClose();
  }

  #peek(): KeyValue<K, V> | undefined {
    if (!this.#fetched) {
      this.#lookahead = this.fetch();
      this.#fetched = true;
    }
    return this.#lookahead;
  }
}

/** Iterates a sorted snapshot of key strings to `Buffer` values. */
export class SnapshotIterator extends LookaheadIterator<Buffer, Buffer> {
  readonly #cursor: SortedCursor<Buffer>;

  constructor(cursor: SortedCursor<Buffer>) {
    super();
    this.#cursor = cursor;
  }

  protected fetch(): KeyValue<Buffer, Buffer> | undefined {
    const cursor = this.#cursor;
    if (cursor.key === undefined) return undefined;
    const entry = { key: keyBytes(cursor.key), value: cursor.value as Buffer };
    cursor.advance();
    return entry;
  }
}

/** An iterator with no entries (e.g. a range whose `from` is after its `to`). */
export class EmptyIterator<K, V> extends LookaheadIterator<K, V> {
  protected fetch(): undefined {
    return undefined;
  }
}
