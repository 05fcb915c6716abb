import { StateStoreError } from '../../errors.js';
import type { Serde } from '../../serde/serde.js';
import type { Windowed } from '../../windowing/windowed.js';
import { MeteredStoreCore } from '../internal/metered-store-core.js';
import type { TypedCacheFlushListener } from '../metered-key-value-store.js';
import type { ChangelogRecord, KeyValueIterator, StateStore, StateStoreContext } from '../store.js';
import type { WindowedStoreMetrics } from '../window/metered-window-store.js';
import { MappedIterator } from '../window/store-iterators.js';
import { CachingSessionStore } from './caching-session-store.js';
import type { SessionBytes, SessionBytesStore, SessionStore } from './session-store.js';
import { findLayer, innermost, WrappedStateStore } from '../internal/wrapped-state-store.js';

/**
 * The typed outer layer of a session store: serializes with the store's serdes, counts operations
 * and dropped late records, and registers the store for restoration on `init`.
 *
 * @example
 * ```ts
 * const store = Stores.sessionStoreBuilder(Stores.inMemorySessionStore('s', 86_400_000), Serdes.string(), Serdes.long()).build();
 * ```
 */
export class MeteredSessionStore<K, V>
  extends WrappedStateStore<SessionBytesStore>
  implements SessionStore<K, V>
{
  readonly #core = new MeteredStoreCore();
  #puts = 0;
  #fetches = 0;
  #droppedRecords = 0;

  constructor(
    wrapped: SessionBytesStore,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
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
    return { puts: this.#puts, fetches: this.#fetches, droppedRecords: this.#droppedRecords };
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
   * const cached = store.setFlushListener((session, newValue, oldValue) => forward(session, newValue, oldValue, session.window.end), true);
   * ```
   */
  setFlushListener(listener: TypedCacheFlushListener<Windowed<K>, V>, sendOldValues: boolean): boolean {
    const cache = findLayer(this.wrapped, CachingSessionStore);
    if (cache === undefined || !cache.holdsWrites) return false;
    cache.setFlushListener(
      (key, newValue, oldValue, timestamp) =>
        listener(this.#sessionKey(key), this.#valueOrNull(newValue), this.#valueOrNull(oldValue), timestamp),
      sendOldValues,
    );
    return true;
  }

  put(session: Windowed<K>, value: V | null): void {
    this.#puts++;
    const { start, end } = session.window;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start > end) {
      throw this.#error(`a session needs integer bounds with start <= end, got [${start}, ${end}]`);
    }
    const valueBytes = value === null ? null : this.valueSerde.serialize(value, this.#core.topic);
    this.wrapped.put(this.#keyBytes(session.key), start, end, valueBytes);
  }

  remove(session: Windowed<K>): void {
    this.put(session, null);
  }

  fetchSession(key: K, sessionStart: number, sessionEnd: number): V | undefined {
    this.#fetches++;
    const bytes = this.wrapped.fetchSession(this.#keyBytes(key), sessionStart, sessionEnd);
    return bytes === undefined ? undefined : this.#value(bytes);
  }

  findSessions(
    key: K,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
  ): KeyValueIterator<Windowed<K>, V> {
    const k = this.#keyBytes(key);
    return this.#find(k, k, earliestSessionEndTime, latestSessionStartTime, false);
  }

  backwardFindSessions(
    key: K,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
  ): KeyValueIterator<Windowed<K>, V> {
    const k = this.#keyBytes(key);
    return this.#find(k, k, earliestSessionEndTime, latestSessionStartTime, true);
  }

  findSessionsInRange(
    keyFrom: K | undefined,
    keyTo: K | undefined,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
  ): KeyValueIterator<Windowed<K>, V> {
    return this.#find(
      this.#bound(keyFrom),
      this.#bound(keyTo),
      earliestSessionEndTime,
      latestSessionStartTime,
      false,
    );
  }

  fetch(key: K): KeyValueIterator<Windowed<K>, V> {
    return this.findSessions(key, 0, Number.MAX_SAFE_INTEGER);
  }

  backwardFetch(key: K): KeyValueIterator<Windowed<K>, V> {
    return this.backwardFindSessions(key, 0, Number.MAX_SAFE_INTEGER);
  }

  fetchRange(keyFrom: K | undefined, keyTo: K | undefined): KeyValueIterator<Windowed<K>, V> {
    return this.findSessionsInRange(keyFrom, keyTo, 0, Number.MAX_SAFE_INTEGER);
  }

  #find(
    keyFrom: Buffer | undefined,
    keyTo: Buffer | undefined,
    earliestEnd: number,
    latestStart: number,
    backward: boolean,
  ): KeyValueIterator<Windowed<K>, V> {
    this.#fetches++;
    const bytes: KeyValueIterator<SessionBytes, Buffer> = this.wrapped.findSessions(
      keyFrom,
      keyTo,
      earliestEnd,
      latestStart,
      backward,
    );
    return new MappedIterator(bytes, ({ key, value }) => ({
      key: this.#sessionKey(key),
      value: this.#value(value),
    }));
  }

  #sessionKey({ key, start, end }: SessionBytes): Windowed<K> {
    return { key: this.keySerde.deserialize(key, this.#core.topic) as K, window: { start, end } };
  }

  #keyBytes(key: K): Buffer {
    const bytes = this.keySerde.serialize(key, this.#core.topic);
    if (bytes === null) throw this.#error(`key serde '${this.keySerde.name}' turned a key into null`);
    return bytes;
  }

  #bound(key: K | undefined): Buffer | undefined {
    return key === undefined ? undefined : this.#keyBytes(key);
  }

  #value(bytes: Buffer): V {
    return this.valueSerde.deserialize(bytes, this.#core.topic) as V;
  }

  #valueOrNull(bytes: Buffer | null): V | null {
    return bytes === null ? null : this.#value(bytes);
  }

  #error(problem: string): StateStoreError {
    return new StateStoreError(`Session store '${this.name}': ${problem}.`);
  }
}
