import type { Windowed } from '../../windowing/windowed.js';
import type { KeyValueIterator, StateStore } from '../store.js';

/**
 * A typed session store: one value per (key, session `[start, end]`, both inclusive). Sessions
 * whose end is at or before `observedStreamTime - retentionPeriod` are dropped, where
 * `observedStreamTime` is the largest session end written.
 *
 * @example
 * ```ts
 * const store = context.getStateStore<SessionStore<string, number>>('sessions');
 * store.put({ key: 'alice', window: { start: 0, end: 5_000 } }, 3);
 * for (const { key, value } of store.findSessions('alice', 0, 10_000)) console.log(key.window, value);
 * ```
 */
export interface SessionStore<K, V> extends StateStore {
  readonly retentionPeriodMs: number;
  /** Writes a session's aggregate; `null` removes the session. */
  put(session: Windowed<K>, value: V | null): void;
  remove(session: Windowed<K>): void;
  /** The value of the session with exactly these bounds, or `undefined`. */
  fetchSession(key: K, sessionStart: number, sessionEnd: number): V | undefined;
  /**
   * Sessions of `key` that end at or after `earliestSessionEndTime` and start at or before
   * `latestSessionStartTime` (those that overlap that span), by end then start.
   */
  findSessions(
    key: K,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
  ): KeyValueIterator<Windowed<K>, V>;
  backwardFindSessions(
    key: K,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
  ): KeyValueIterator<Windowed<K>, V>;
  /** Like `findSessions` over keys `keyFrom..keyTo` (inclusive; `undefined` is open), by key, end, start. */
  findSessionsInRange(
    keyFrom: K | undefined,
    keyTo: K | undefined,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
  ): KeyValueIterator<Windowed<K>, V>;
  /** Every session of `key`. */
  fetch(key: K): KeyValueIterator<Windowed<K>, V>;
  backwardFetch(key: K): KeyValueIterator<Windowed<K>, V>;
  /** Every session of keys `keyFrom..keyTo`. */
  fetchRange(keyFrom: K | undefined, keyTo: K | undefined): KeyValueIterator<Windowed<K>, V>;
}

/** A session key below the typed layer. */
export interface SessionBytes {
  readonly key: Buffer;
  readonly start: number;
  readonly end: number;
}

/**
 * The bytes-only session store. Inner stores keep entries under "key bytes, big-endian end,
 * big-endian start" (Kafka Streams' session key schema), which is also the changelog key.
 */
export interface SessionBytesStore extends StateStore {
  readonly retentionPeriodMs: number;
  /** Returns false if the session was already past retention and ignored. */
  put(key: Buffer, start: number, end: number, value: Buffer | null): boolean;
  fetchSession(key: Buffer, start: number, end: number): Buffer | undefined;
  findSessions(
    keyFrom: Buffer | undefined,
    keyTo: Buffer | undefined,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
    backward: boolean,
  ): KeyValueIterator<SessionBytes, Buffer>;
  /** Applies one changelog record, keyed in the store-key layout. */
  restore(storeKey: Buffer, value: Buffer | null): void;
  /**
   * The largest session end written or restored so far (-1 before any), which retention counts
   * from. Optional for custom stores: a caching layer above uses it to hide what they would.
   */
  readonly observedStreamTime?: number;
}

/** Makes fresh inner session stores; `Stores.inMemorySessionStore(...)` returns one. */
export interface SessionBytesStoreSupplier {
  readonly name: string;
  readonly kind: string;
  readonly retentionPeriodMs: number;
  get(): SessionBytesStore;
}
