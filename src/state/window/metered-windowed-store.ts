import { StateStoreError } from '../../errors.js';
import type { Serde } from '../../serde/serde.js';
import type { Windowed } from '../../windowing/windowed.js';
import type { FlushListener } from '../internal/caching-layer-core.js';
import { MeteredStoreCore } from '../internal/metered-store-core.js';
import { innermost, WrappedStateStore } from '../internal/wrapped-state-store.js';
import type { TypedCacheFlushListener } from '../metered-key-value-store.js';
import type { ChangelogRecord, KeyValueIterator, StateStore, StateStoreContext } from '../store.js';
import { MappedIterator } from './store-iterators.js';

/** Operation counts of one windowed (window or session) store since it was built. */
export interface WindowedStoreMetrics {
  readonly puts: number;
  readonly fetches: number;
  /**
   * Records a windowed aggregation over this store dropped because their window had already
   * closed (stream time past window end + grace), or had expired from the store.
   */
  readonly droppedRecords: number;
}

/** What a windowed bytes store below a metered layer offers it. */
export interface WindowedBytesStoreBase extends StateStore {
  readonly retentionPeriodMs: number;
  restore(storeKey: Buffer, value: Buffer | null): void;
}

/** A caching layer below a metered windowed store, with windowed keys of type `KB`. */
export interface WindowedCachingLayer<KB> {
  readonly holdsWrites: boolean;
  setFlushListener(listener: FlushListener<KB>, sendOldValues: boolean): void;
}

/**
 * The typed outer layer shared by window and session stores: serdes on the changelog topic,
 * operation and dropped-record counts, restoration straight into the innermost store, and the
 * flush listener over the caching layer. `MeteredWindowStore` and `MeteredSessionStore` add their
 * key shapes (`KB`: the windowed key below the typed layer).
 *
 * @example
 * ```ts
 * const store = Stores.sessionStoreBuilder(Stores.inMemorySessionStore('s', 86_400_000), Serdes.string(), Serdes.long()).build();
 * store.metrics(); // { puts: 0, fetches: 0, droppedRecords: 0 }
 * ```
 */
export abstract class MeteredWindowedStore<
  S extends WindowedBytesStoreBase,
  KB,
  K,
  V,
> extends WrappedStateStore<S> {
  readonly #core = new MeteredStoreCore();
  protected puts = 0;
  protected fetches = 0;
  #droppedRecords = 0;

  protected constructor(
    wrapped: S,
    protected readonly keySerde: Serde<K>,
    protected readonly valueSerde: Serde<V>,
    /** `Window` or `Session`, for error messages. */
    private readonly kind: string,
  ) {
    super(wrapped);
  }

  get retentionPeriodMs(): number {
    return this.wrapped.retentionPeriodMs;
  }

  override init(context: StateStoreContext, root: StateStore): void | Promise<void> {
    return this.#core.init(context, root, this.wrapped, () => {
      const target = innermost(this.wrapped);
      return (record: ChangelogRecord) => target.restore(record.key, record.value);
    });
  }

  /** Counts of operations and dropped late records so far. */
  metrics(): WindowedStoreMetrics {
    return { puts: this.puts, fetches: this.fetches, droppedRecords: this.#droppedRecords };
  }

  /** @internal */
  recordDroppedRecord(): void {
    this.#droppedRecords++;
  }

  /**
   * Forwards the caching layer's write-downs, deserialized, to `listener`. Returns false (and
   * does nothing) when the store has no caching layer holding writes (none, or a budget of 0 as
   * in the test driver); the caller then forwards updates itself.
   *
   * @example
   * ```ts
   * const cached = store.setFlushListener((window, newValue, oldValue, timestamp) => forward(window, newValue, oldValue, timestamp), true);
   * ```
   */
  setFlushListener(listener: TypedCacheFlushListener<Windowed<K>, V>, sendOldValues: boolean): boolean {
    const cache = this.cachingLayer();
    if (cache === undefined || !cache.holdsWrites) return false;
    cache.setFlushListener(
      (key, newValue, oldValue, timestamp) =>
        listener(this.typedKey(key), this.valueOrNull(newValue), this.valueOrNull(oldValue), timestamp),
      sendOldValues,
    );
    return true;
  }

  /** The caching layer in the stack, if any. */
  protected abstract cachingLayer(): WindowedCachingLayer<KB> | undefined;

  /** The typed form of a windowed key from below. */
  protected abstract typedKey(key: KB): Windowed<K>;

  /** Deserializes the entries of a windowed iterator from below, lazily. */
  protected typed(bytes: KeyValueIterator<KB, Buffer>): KeyValueIterator<Windowed<K>, V> {
    return new MappedIterator(bytes, ({ key, value }) => ({
      key: this.typedKey(key),
      value: this.value(value),
    }));
  }

  protected keyBytes(key: K): Buffer {
    const bytes = this.keySerde.serialize(key, this.#core.topic);
    if (bytes === null) throw this.error(`key serde '${this.keySerde.name}' turned a key into null`);
    return bytes;
  }

  protected bound(key: K | undefined): Buffer | undefined {
    return key === undefined ? undefined : this.keyBytes(key);
  }

  protected key(bytes: Buffer): K {
    return this.keySerde.deserialize(bytes, this.#core.topic) as K;
  }

  protected valueBytes(value: V | null): Buffer | null {
    return value === null ? null : this.valueSerde.serialize(value, this.#core.topic);
  }

  protected value(bytes: Buffer): V {
    return this.valueSerde.deserialize(bytes, this.#core.topic) as V;
  }

  protected valueOrNull(bytes: Buffer | null): V | null {
    return bytes === null ? null : this.value(bytes);
  }

  protected error(problem: string): StateStoreError {
    return new StateStoreError(`${this.kind} store '${this.name}': ${problem}.`);
  }
}
