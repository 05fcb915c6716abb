import type { CacheStats } from '../internal/write-back-cache.js';
import { keyString } from '../internal/byte-keys.js';
import { CacheMergeIterator, FilteredCursor } from '../internal/cache-merge-iterator.js';
import { CachingLayerCore } from '../internal/caching-layer-core.js';
import type { FlushListener } from '../internal/caching-layer-core.js';
import { EmptyIterator } from '../internal/key-value-iterators.js';
import { SortedCursor } from '../internal/sorted-string-map.js';
import type { KeyValueIterator, StateStore, StateStoreContext } from '../store.js';
import { readTimeChars, TIME_CHARS, timeChars } from '../window/window-key-schema.js';
import { SESSION_SUFFIX_CHARS, sessionBytes, sessionStoreKey } from './session-key-schema.js';
import type { SessionBytes } from './session-store.js';
import { WrappedSessionBytesStore } from './wrapped-session-bytes-store.js';

/**
 * Told about each session the cache writes down (at flush or eviction), just before it is
 * written. `oldValue` is what the store below held until now, or `null` when the listener was set
 * without `sendOldValues` or there was none. A listener must not write to the store it listens to.
 */
export type SessionCacheFlushListener = FlushListener<SessionBytes>;

const MAX_SUFFIX = '\xff'.repeat(SESSION_SUFFIX_CHARS);

/**
 * A session bytes layer with a write-back LRU cache, Kafka Streams' `CachingSessionStore`: the
 * key-value cache's behaviour (see `CachingKeyValueStore`) per (key, session start and end). A
 * session written many times between flushes reaches the store below, the changelog and the
 * flush listener once, with its last value; eviction writes down (and reports) dirty sessions
 * first; with `cacheMaxBytes === 0` every write goes straight down and is reported.
 *
 * Entries are cached under the store's session key (key bytes, end, start), so `findSessions`
 * merges the dirty sessions with the store below in the order the store returns; the cache wins
 * and a cached removal hides the session below. A session created and merged away between two
 * flushes never reaches the store below: its removal is dropped at write-down, unreported, as in
 * Kafka Streams (only if the latest such removal of a flush is beyond the store's stream time is
 * it written, so the store and its changelog expire what this layer expired). Retention follows the inner stores: the observed stream time is the largest
 * session end written through this layer or seen by the store below, and sessions ending at or
 * before `observedStreamTime - retentionPeriod` are neither returned nor written down.
 *
 * @example
 * ```ts
 * const cached = new CachingSessionStore(new ChangeLoggingSessionStore(Stores.inMemorySessionStore('s', 86_400_000).get()));
 * cached.setFlushListener(({ key, start, end }, newValue, oldValue) => forward(key, start, end, newValue, oldValue), true);
 * ```
 */
export class CachingSessionStore extends WrappedSessionBytesStore {
  readonly #core = new CachingLayerCore<SessionBytes>(this.wrapped, {
    decode: sessionBytes,
    timeOf: (session) => session.end,
    writeBelow: ({ key, start, end }, value) => this.wrapped.put(key, start, end, value),
    readBelow: ({ key, start, end }) => this.wrapped.fetchSession(key, start, end),
  });
  readonly #cache = this.#core.cache;

  /** Cache look-ups that hit and missed, for the `hit-ratio` metric. */
  cacheStats(): CacheStats {
    return this.#cache.stats();
  }

  /** Whether this layer holds writes back (a budget above 0); at 0 it writes straight through. */
  get holdsWrites(): boolean {
    return this.#cache.holdsWrites;
  }

  override get observedStreamTime(): number {
    return this.#core.observedStreamTime;
  }

  /**
   * Sets the listener told about every session written down. With `sendOldValues` the listener
   * gets the previous value too (one extra read of the store below per session).
   *
   * @example
   * ```ts
   * cache.setFlushListener(({ key, start, end }, newValue) => forward(key, start, end, newValue), false);
   * ```
   */
  setFlushListener(listener: SessionCacheFlushListener, sendOldValues: boolean): void {
    this.#core.setFlushListener(listener, sendOldValues);
  }

  override init(context: StateStoreContext, root: StateStore): void | Promise<void> {
    this.#core.open(context);
    return super.init(context, root);
  }

  override flush(): void | Promise<void> {
    return this.#core.flush();
  }

  override close(): void | Promise<void> {
    this.#core.close();
    return super.close();
  }

  override put(key: Buffer, start: number, end: number, value: Buffer | null): boolean {
    const timestamp = this.#core.admit(this.name, end);
    if (timestamp === undefined) return false;
    if (!this.#cache.holdsWrites) {
      if (this.#core.hasListener) this.#core.reportThrough({ key, start, end }, value, timestamp);
      return this.wrapped.put(key, start, end, value);
    }
    this.#cache.put(sessionStoreKey(keyString(key), start, end), value, timestamp);
    return true;
  }

  override fetchSession(key: Buffer, start: number, end: number): Buffer | undefined {
    if (!this.#cache.holdsWrites) return this.wrapped.fetchSession(key, start, end);
    if (end < this.#minLiveEnd()) return undefined;
    const storeKey = sessionStoreKey(keyString(key), start, end);
    const cached = this.#core.cached(storeKey);
    if (cached !== undefined) return cached ?? undefined;
    return this.#core.fill(storeKey, this.wrapped.fetchSession(key, start, end));
  }

  override findSessions(
    keyFrom: Buffer | undefined,
    keyTo: Buffer | undefined,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
    backward: boolean,
  ): KeyValueIterator<SessionBytes, Buffer> {
    if (!this.#cache.holdsWrites) {
      return this.wrapped.findSessions(
        keyFrom,
        keyTo,
        earliestSessionEndTime,
        latestSessionStartTime,
        backward,
      );
    }
    const earliestEnd = Math.max(earliestSessionEndTime, this.#minLiveEnd());
    const lowKey = keyFrom === undefined ? undefined : keyString(keyFrom);
    const highKey = keyTo === undefined ? undefined : keyString(keyTo);
    if (lowKey !== undefined && highKey !== undefined && lowKey > highKey) return new EmptyIterator();
    const inner = this.wrapped.findSessions(keyFrom, keyTo, earliestEnd, latestSessionStartTime, backward);
    if (this.#cache.dirtyCount === 0) return inner;
    const singleKey = lowKey !== undefined && lowKey === highKey;
    const range = new SortedCursor(this.#cache.dirtySnapshot(), {
      // One key: start at its first session that may end late enough, as the inner stores do.
      lower: singleKey ? lowKey + timeChars(earliestEnd) + timeChars(0) : lowKey,
      upper: highKey === undefined ? undefined : highKey + MAX_SUFFIX,
      reverse: backward,
    });
    const cached = new FilteredCursor(range, (storeKey) => {
      const keyLength = storeKey.length - SESSION_SUFFIX_CHARS;
      const key = storeKey.slice(0, keyLength);
      return (
        (lowKey === undefined || key >= lowKey) &&
        (highKey === undefined || key <= highKey) &&
        readTimeChars(storeKey, keyLength) >= earliestEnd &&
        readTimeChars(storeKey, keyLength + TIME_CHARS) <= latestSessionStartTime
      );
    });
    return new CacheMergeIterator(
      cached,
      inner,
      ({ key, start, end }) => sessionStoreKey(keyString(key), start, end),
      sessionBytes,
      backward,
    );
  }

  #minLiveEnd(): number {
    return this.#core.minLiveTime();
  }
}
