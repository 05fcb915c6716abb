import type { KeyValue, KeyValueIterator } from '../store.js';
import { LookaheadIterator } from './key-value-iterators.js';

/**
 * The cache's side of a merge: dirty entries in merge order (descending for a reverse merge).
 * `key` is the entry's order string, `undefined` past the end; `value` `null` is a delete.
 * A `SortedCursor` over a cache's dirty snapshot is one.
 */
export interface DirtyCursor {
  readonly key: string | undefined;
  readonly value: Buffer | null | undefined;
  advance(): void;
}

/**
 * @internal Skips the entries of a cursor whose key `accept` rejects (outside a time range, or a
 * longer key that shares the bounds' prefix).
 *
 * @example
 * ```ts
 * const inRange = new FilteredCursor(new SortedCursor(cache.dirtySnapshot()), (k) => timeOf(k) >= from);
 * ```
 */
export class FilteredCursor implements DirtyCursor {
  key: string | undefined;
  value: Buffer | null | undefined;
  readonly #source: DirtyCursor;
  readonly #accept: (key: string) => boolean;

  constructor(source: DirtyCursor, accept: (key: string) => boolean) {
    this.#source = source;
    this.#accept = accept;
    this.#load();
  }

  advance(): void {
    this.#source.advance();
    this.#load();
  }

  #load(): void {
    const source = this.#source;
    while (source.key !== undefined && !this.#accept(source.key)) source.advance();
    this.key = source.key;
    this.value = source.value;
  }
}

/**
 * @internal Merges a cache's dirty entries with an iterator over the store below, both in the
 * same order: `orderOf` gives an inner key's order string, `keyOf` turns a cached order string
 * back into a key. On equal order strings the cache wins; a cached delete hides the entry below.
 *
 * @example
 * ```ts
 * const merged = new CacheMergeIterator(new SortedCursor(cache.dirtySnapshot()), below.all(), keyString, keyBytes, false);
 * ```
 */
export class CacheMergeIterator<K> extends LookaheadIterator<K, Buffer> {
  readonly #cached: DirtyCursor;
  readonly #inner: KeyValueIterator<K, Buffer>;
  readonly #orderOf: (key: K) => string;
  readonly #keyOf: (order: string) => K;
  readonly #reverse: boolean;

  constructor(
    cached: DirtyCursor,
    inner: KeyValueIterator<K, Buffer>,
    orderOf: (key: K) => string,
    keyOf: (order: string) => K,
    reverse: boolean,
  ) {
    super();
    this.#cached = cached;
    this.#inner = inner;
    this.#orderOf = orderOf;
    this.#keyOf = keyOf;
    this.#reverse = reverse;
  }

  protected fetch(): KeyValue<K, Buffer> | undefined {
    const cached = this.#cached;
    while (true) {
      const cachedKey = cached.key;
      const innerKey = this.#inner.peekNextKey();
      if (cachedKey === undefined) return innerKey === undefined ? undefined : this.#nextInner();
      if (innerKey !== undefined) {
        const innerOrder = this.#orderOf(innerKey);
        if (innerOrder !== cachedKey) {
          if (innerOrder < cachedKey !== this.#reverse) return this.#nextInner();
        } else {
          this.#inner.next(); // shadowed by the cache
        }
      }
      const value = cached.value as Buffer | null;
      cached.advance();
      if (value !== null) return { key: this.#keyOf(cachedKey), value };
    }
  }

  protected override onClose(): void {
    this.#inner.close();
  }

  #nextInner(): KeyValue<K, Buffer> {
    return this.#inner.next().value as KeyValue<K, Buffer>;
  }
}
