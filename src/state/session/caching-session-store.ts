import { keyString } from '../internal/byte-keys.js';
import { CacheMergeIterator, FilteredCursor } from '../internal/cache-merge-iterator.js';
import { CachingLayerCore } from '../internal/caching-layer-core.js';
import { CachingWindowedLayer } from '../internal/caching-windowed-layer.js';
import type { FlushListener } from '../internal/caching-layer-core.js';
import { EmptyIterator } from '../internal/key-value-iterators.js';
import { SortedCursor } from '../internal/sorted-string-map.js';
import type { KeyValueIterator } from '../store.js';
import { readTimeChars, TIME_CHARS, timeChars } from '../window/window-key-schema.js';
import { SESSION_SUFFIX_CHARS, sessionBytes, sessionStoreKey } from './session-key-schema.js';
import type { SessionBytes, SessionBytesStore } from './session-store.js';

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
export class CachingSessionStore
  extends CachingWindowedLayer<SessionBytesStore, SessionBytes>
  implements SessionBytesStore
{
  protected readonly core = new CachingLayerCore<SessionBytes>(this.wrapped, {
    decode: sessionBytes,
    timeOf: (session) => session.end,
    writeBelow: ({ key, start, end }, value) => this.wrapped.put(key, start, end, value),
    readBelow: ({ key, start, end }) => this.wrapped.fetchSession(key, start, end),
  });
  readonly #cache = this.core.cache;

  put(key: Buffer, start: number, end: number, value: Buffer | null): boolean {
    const timestamp = this.core.admit(this.name, end);
    if (timestamp === undefined) return false;
    if (!this.#cache.holdsWrites) {
      if (this.core.hasListener) this.core.reportThrough({ key, start, end }, value, timestamp);
      return this.wrapped.put(key, start, end, value);
    }
    this.#cache.put(sessionStoreKey(keyString(key), start, end), value, timestamp);
    return true;
  }

  fetchSession(key: Buffer, start: number, end: number): Buffer | undefined {
    if (!this.#cache.holdsWrites) return this.wrapped.fetchSession(key, start, end);
    if (end < this.#minLiveEnd()) return undefined;
    const storeKey = sessionStoreKey(keyString(key), start, end);
    const cached = this.core.cached(storeKey);
    if (cached !== undefined) return cached ?? undefined;
    return this.core.fill(storeKey, this.wrapped.fetchSession(key, start, end));
  }

  findSessions(
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
    return this.core.minLiveTime();
  }
}
