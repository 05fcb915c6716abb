import { LookaheadIterator } from '../internal/key-value-iterators.js';
import type { SortedCursor } from '../internal/sorted-string-map.js';
import type { KeyValue } from '../store.js';

/**
 * @internal Walks a sorted-map cursor, turning each (store key, value) into an entry with
 * `decode`, which returns `undefined` to skip entries outside the requested range.
 */
export class DecodingCursorIterator<K, V> extends LookaheadIterator<K, V> {
  readonly #cursor: SortedCursor<Buffer>;
  readonly #decode: (storeKey: string, value: Buffer) => KeyValue<K, V> | undefined;

  constructor(
    cursor: SortedCursor<Buffer>,
    decode: (storeKey: string, value: Buffer) => KeyValue<K, V> | undefined,
  ) {
    super();
    this.#cursor = cursor;
    this.#decode = decode;
  }

  protected fetch(): KeyValue<K, V> | undefined {
    const cursor = this.#cursor;
    while (cursor.key !== undefined) {
      const entry = this.#decode(cursor.key, cursor.value as Buffer);
      cursor.advance();
      if (entry !== undefined) return entry;
    }
    return undefined;
  }
}

/** @internal Iterates entries collected up front. */
export class ArrayKeyValueIterator<K, V> extends LookaheadIterator<K, V> {
  readonly #entries: readonly KeyValue<K, V>[];
  #index = 0;

  constructor(entries: readonly KeyValue<K, V>[]) {
    super();
    this.#entries = entries;
  }

  protected fetch(): KeyValue<K, V> | undefined {
    return this.#entries[this.#index++];
  }
}

/** @internal Maps each entry of an iterator (keys and values) lazily. */
export class MappedIterator<K, V, KR, VR> extends LookaheadIterator<KR, VR> {
  readonly #source: Iterator<KeyValue<K, V>> & { close(): void };
  readonly #map: (entry: KeyValue<K, V>) => KeyValue<KR, VR>;

  constructor(
    source: Iterator<KeyValue<K, V>> & { close(): void },
    map: (entry: KeyValue<K, V>) => KeyValue<KR, VR>,
  ) {
    super();
    this.#source = source;
    this.#map = map;
  }

  protected fetch(): KeyValue<KR, VR> | undefined {
    const next = this.#source.next();
    return next.done === true ? undefined : this.#map(next.value);
  }

  protected override onClose(): void {
    this.#source.close();
  }
}
