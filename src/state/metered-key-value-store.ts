import { StateStoreError } from '../errors.js';
import type { Serde } from '../serde/serde.js';
import { CachingKeyValueStore } from './caching-key-value-store.js';
import { LookaheadIterator } from './internal/key-value-iterators.js';
import { MeteredStoreCore } from './internal/metered-store-core.js';
import { findLayer, innermost, WrappedStateStore } from './internal/wrapped-state-store.js';
import type {
  ChangelogRecord,
  KeyValue,
  KeyValueBytesStore,
  KeyValueIterator,
  KeyValueStore,
  StateStore,
  StateStoreContext,
} from './store.js';

/** Operation counts of one store since it was built. */
export interface KeyValueStoreMetrics {
  /** `put`, `putIfAbsent`, and each entry of `putAll`. */
  readonly puts: number;
  readonly gets: number;
  readonly deletes: number;
  /** `range`, `reverseRange`, `all`, `reverseAll` and `prefixScan` calls. */
  readonly rangeScans: number;
}

/** A typed flush listener: a cache write-down, deserialized. */
export type TypedCacheFlushListener<K, V> = (
  key: K,
  newValue: V | null,
  oldValue: V | null,
  timestamp: number,
) => void;

/**
 * The outer, typed layer of every key-value store: serializes keys and values with the store's
 * serdes, deserializes results, counts operations, and on `init` registers the store with its task
 * so the changelog can restore it (restored records go straight into the innermost store,
 * bypassing caching and change-logging).
 *
 * @example
 * ```ts
 * const store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('counts'), Serdes.string(), Serdes.int32()).build();
 * store.put('alice', 1);
 * store.metrics().puts; // 1
 * ```
 */
export class MeteredKeyValueStore<K, V>
  extends WrappedStateStore<KeyValueBytesStore>
  implements KeyValueStore<K, V>
{
  readonly #keySerde: Serde<K>;
  readonly #valueSerde: Serde<V>;
  readonly #core = new MeteredStoreCore();
  #puts = 0;
  #gets = 0;
  #deletes = 0;
  #rangeScans = 0;

  constructor(wrapped: KeyValueBytesStore, keySerde: Serde<K>, valueSerde: Serde<V>) {
    super(wrapped);
    this.#keySerde = keySerde;
    this.#valueSerde = valueSerde;
  }

  override init(context: StateStoreContext, root: StateStore): void | Promise<void> {
    return this.#core.init(context, root, this.wrapped, () => {
      const target = innermost(this.wrapped);
      return (record: ChangelogRecord) => target.put(record.key, record.value);
    });
  }

  /** Counts of the operations made on this store so far. */
  metrics(): KeyValueStoreMetrics {
    return { puts: this.#puts, gets: this.#gets, deletes: this.#deletes, rangeScans: this.#rangeScans };
  }

  /**
   * Forwards cache write-downs, deserialized, to `listener`. Returns false (and does nothing) when
   * the store has no caching layer; the caller then forwards updates itself.
   */
  setFlushListener(listener: TypedCacheFlushListener<K, V>, sendOldValues: boolean): boolean {
    const layer = findLayer(this.wrapped, CachingKeyValueStore);
    // A write-through cache (budget 0, as in the test driver) must not take over forwarding:
    // processors then emit every update themselves, tombstones of absent keys included.
    if (layer === undefined || !layer.holdsWrites) return false;
    layer.setFlushListener(
      (key, newValue, oldValue, timestamp) =>
        listener(this.#key(key), this.#valueOrNull(newValue), this.#valueOrNull(oldValue), timestamp),
      sendOldValues,
    );
    return true;
  }

  get(key: K): V | undefined {
    this.#gets++;
    const bytes = this.wrapped.get(this.#keyBytes(key));
    return bytes === undefined ? undefined : this.#value(bytes);
  }

  put(key: K, value: V | null): void {
    this.#puts++;
    this.wrapped.put(this.#keyBytes(key), this.#valueBytes(value));
  }

  putIfAbsent(key: K, value: V): V | undefined {
    this.#puts++;
    const valueBytes = this.#valueBytes(value);
    if (valueBytes === null)
      throw this.#error('putIfAbsent needs a value that serializes to bytes, not null');
    const existing = this.wrapped.putIfAbsent(this.#keyBytes(key), valueBytes);
    return existing === undefined ? undefined : this.#value(existing);
  }

  putAll(entries: readonly KeyValue<K, V | null>[]): void {
    this.#puts += entries.length;
    this.wrapped.putAll(
      entries.map(({ key, value }) => ({ key: this.#keyBytes(key), value: this.#valueBytes(value) })),
    );
  }

  delete(key: K): V | undefined {
    this.#deletes++;
    const existing = this.wrapped.delete(this.#keyBytes(key));
    return existing === undefined ? undefined : this.#value(existing);
  }

  range(from?: K, to?: K): KeyValueIterator<K, V> {
    this.#rangeScans++;
    return this.#typed(this.wrapped.range(this.#boundBytes(from), this.#boundBytes(to)));
  }

  reverseRange(from?: K, to?: K): KeyValueIterator<K, V> {
    this.#rangeScans++;
    return this.#typed(this.wrapped.reverseRange(this.#boundBytes(from), this.#boundBytes(to)));
  }

  all(): KeyValueIterator<K, V> {
    this.#rangeScans++;
    return this.#typed(this.wrapped.all());
  }

  reverseAll(): KeyValueIterator<K, V> {
    this.#rangeScans++;
    return this.#typed(this.wrapped.reverseAll());
  }

  prefixScan<P>(prefix: P, prefixSerde: Serde<P>): KeyValueIterator<K, V> {
    this.#rangeScans++;
    const prefixBytes = prefixSerde.serialize(prefix, this.#core.topic);
    if (prefixBytes === null)
      throw this.#error(`prefix serde '${prefixSerde.name}' turned the prefix into null`);
    return this.#typed(this.wrapped.prefixScan(prefixBytes));
  }

  approximateNumEntries(): number {
    return this.wrapped.approximateNumEntries();
  }

  #typed(bytes: KeyValueIterator<Buffer, Buffer>): KeyValueIterator<K, V> {
    return new DeserializingIterator(
      bytes,
      (key) => this.#key(key),
      (value) => this.#value(value),
    );
  }

  #keyBytes(key: K): Buffer {
    const bytes = this.#keySerde.serialize(key, this.#core.topic);
    if (bytes === null) throw this.#error(`key serde '${this.#keySerde.name}' turned a key into null`);
    return bytes;
  }

  #boundBytes(bound: K | undefined): Buffer | undefined {
    return bound === undefined ? undefined : this.#keyBytes(bound);
  }

  #valueBytes(value: V | null): Buffer | null {
    return value === null ? null : this.#valueSerde.serialize(value, this.#core.topic);
  }

  #key(bytes: Buffer): K {
    return this.#keySerde.deserialize(bytes, this.#core.topic) as K;
  }

  #value(bytes: Buffer): V {
    return this.#valueSerde.deserialize(bytes, this.#core.topic) as V;
  }

  #valueOrNull(bytes: Buffer | null): V | null {
    return bytes === null ? null : this.#value(bytes);
  }

  #error(problem: string): StateStoreError {
    return new StateStoreError(`State store '${this.name}': ${problem}.`);
  }
}

class DeserializingIterator<K, V> extends LookaheadIterator<K, V> {
  readonly #bytes: KeyValueIterator<Buffer, Buffer>;
  readonly #key: (bytes: Buffer) => K;
  readonly #value: (bytes: Buffer) => V;

  constructor(
    bytes: KeyValueIterator<Buffer, Buffer>,
    key: (bytes: Buffer) => K,
    value: (bytes: Buffer) => V,
  ) {
    super();
    this.#bytes = bytes;
    this.#key = key;
    this.#value = value;
  }

  protected fetch(): KeyValue<K, V> | undefined {
    const next = this.#bytes.next();
    return next.done === true
      ? undefined
      : { key: this.#key(next.value.key), value: this.#value(next.value.value) };
  }

  protected override onClose(): void {
    this.#bytes.close();
  }
}
