import { keyBytes, keyString } from '../internal/byte-keys.js';
import { EmptyIterator } from '../internal/key-value-iterators.js';
import type { KeyValueIterator } from '../store.js';
import { type SegmentedBytesStore, SegmentedStore } from '../window/segmented-bytes-store.js';
import { readTimeChars, TIME_CHARS, timeChars } from '../window/window-key-schema.js';
import { SESSION_KEY_SCHEMA, SESSION_SUFFIX_CHARS, sessionStoreKey } from './session-key-schema.js';
import type { SessionBytes, SessionBytesStore } from './session-store.js';

const MAX_SUFFIX = '\xff'.repeat(SESSION_SUFFIX_CHARS);

/**
 * The inner session store over a {@link SegmentedBytesStore} in the session key layout
 * (key bytes, big-endian end, big-endian start); the in-memory and `level` session stores differ
 * only in the segmented store they pass.
 */
export abstract class SegmentedSessionStore extends SegmentedStore implements SessionBytesStore {
  protected constructor(name: string, retentionPeriodMs: number, segments: SegmentedBytesStore) {
    super(name, retentionPeriodMs, segments);
  }

  put(key: Buffer, start: number, end: number, value: Buffer | null): boolean {
    this.segments.requireOpen();
    return this.segments.write(sessionStoreKey(keyString(key), start, end), end, value);
  }

  restore(storeKey: Buffer, value: Buffer | null): void {
    this.segments.requireOpen();
    const k = keyString(storeKey);
    this.segments.write(k, SESSION_KEY_SCHEMA.segmentTimestamp(k), value);
  }

  fetchSession(key: Buffer, start: number, end: number): Buffer | undefined {
    this.segments.requireOpen();
    if (end < this.segments.minLiveTime()) return undefined;
    return this.segments.get(sessionStoreKey(keyString(key), start, end));
  }

  findSessions(
    keyFrom: Buffer | undefined,
    keyTo: Buffer | undefined,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
    backward: boolean,
  ): KeyValueIterator<SessionBytes, Buffer> {
    this.segments.requireOpen();
    const earliestEnd = Math.max(earliestSessionEndTime, this.segments.minLiveTime());
    const lowKey = keyFrom === undefined ? undefined : keyString(keyFrom);
    const highKey = keyTo === undefined ? undefined : keyString(keyTo);
    if (lowKey !== undefined && highKey !== undefined && lowKey > highKey) return new EmptyIterator();
    const singleKey = lowKey !== undefined && lowKey === highKey;
    // One key: start the scan at its first session that may end late enough.
    const lower = singleKey ? lowKey + timeChars(earliestEnd) + timeChars(0) : lowKey;
    const upper = highKey === undefined ? undefined : highKey + MAX_SUFFIX;
    return this.segments.scan(lower, upper, backward, (storeKey, value) => {
      const keyLength = storeKey.length - SESSION_SUFFIX_CHARS;
      const key = storeKey.slice(0, keyLength);
      if ((lowKey !== undefined && key < lowKey) || (highKey !== undefined && key > highKey))
        return undefined;
      const end = readTimeChars(storeKey, keyLength);
      const start = readTimeChars(storeKey, keyLength + TIME_CHARS);
      if (end < earliestEnd || start > latestSessionStartTime) return undefined;
      return { key: { key: keyBytes(key), start, end }, value };
    });
  }
}
