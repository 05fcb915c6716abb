import type { Serde } from '../../serde/serde.js';
import type { Windowed } from '../../windowing/windowed.js';
import { findLayer } from '../internal/wrapped-state-store.js';
import type { KeyValueIterator } from '../store.js';
import { MeteredWindowedStore, type WindowedCachingLayer } from '../window/metered-windowed-store.js';
import { CachingSessionStore } from './caching-session-store.js';
import type { SessionBytes, SessionBytesStore, SessionStore } from './session-store.js';

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
  extends MeteredWindowedStore<SessionBytesStore, SessionBytes, K, V>
  implements SessionStore<K, V>
{
  constructor(wrapped: SessionBytesStore, keySerde: Serde<K>, valueSerde: Serde<V>) {
    super(wrapped, keySerde, valueSerde, 'Session');
  }

  put(session: Windowed<K>, value: V | null): void {
    this.puts++;
    const { start, end } = session.window;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start > end) {
      throw this.error(`a session needs integer bounds with start <= end, got [${start}, ${end}]`);
    }
    const valueBytes = this.valueBytes(value);
    this.wrapped.put(this.keyBytes(session.key), start, end, valueBytes);
  }

  remove(session: Windowed<K>): void {
    this.put(session, null);
  }

  fetchSession(key: K, sessionStart: number, sessionEnd: number): V | undefined {
    this.fetches++;
    const bytes = this.wrapped.fetchSession(this.keyBytes(key), sessionStart, sessionEnd);
    return bytes === undefined ? undefined : this.value(bytes);
  }

  findSessions(
    key: K,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
  ): KeyValueIterator<Windowed<K>, V> {
    const k = this.keyBytes(key);
    return this.#find(k, k, earliestSessionEndTime, latestSessionStartTime, false);
  }

  backwardFindSessions(
    key: K,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
  ): KeyValueIterator<Windowed<K>, V> {
    const k = this.keyBytes(key);
    return this.#find(k, k, earliestSessionEndTime, latestSessionStartTime, true);
  }

  findSessionsInRange(
    keyFrom: K | undefined,
    keyTo: K | undefined,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
  ): KeyValueIterator<Windowed<K>, V> {
    return this.#find(
      this.bound(keyFrom),
      this.bound(keyTo),
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
    this.fetches++;
    return this.typed(this.wrapped.findSessions(keyFrom, keyTo, earliestEnd, latestStart, backward));
  }

  protected cachingLayer(): WindowedCachingLayer<SessionBytes> | undefined {
    return findLayer(this.wrapped, CachingSessionStore);
  }

  protected typedKey({ key, start, end }: SessionBytes): Windowed<K> {
    return { key: this.key(key), window: { start, end } };
  }
}
