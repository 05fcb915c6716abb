import { keyBytes, keyString } from '../internal/byte-keys.js';
import { EmptyIterator } from '../internal/key-value-iterators.js';
import { SortedCursor, SortedStringMap } from '../internal/sorted-string-map.js';
import { storeNotOpen } from '../internal/store-errors.js';
import type { KeyValueIterator, StateStore, StateStoreContext } from '../store.js';
import { DecodingCursorIterator } from '../window/store-iterators.js';
import { TimeIndex } from '../window/time-index.js';
import { readTimeChars, TIME_CHARS, timeChars } from '../window/window-key-schema.js';
import type { SessionBytes, SessionBytesStore } from './session-store.js';

const SUFFIX_CHARS = 2 * TIME_CHARS;
const MAX_SUFFIX = '\xff'.repeat(SUFFIX_CHARS);

/** @internal The session store key: key bytes, big-endian end, big-endian start. */
export function sessionStoreKey(key: string, start: number, end: number): string {
  return key + timeChars(end) + timeChars(start);
}

/**
 * The in-memory inner session store: one sorted map in the session key layout plus a time index
 * by session end, so sessions ending at or before `observedStreamTime - retentionPeriod` are
 * dropped as later sessions are written.
 *
 * @example
 * ```ts
 * const store = Stores.inMemorySessionStore('sessions', 86_400_000).get();
 * ```
 */
export class InMemorySessionStore implements SessionBytesStore {
  readonly persistent = false;
  readonly #entries = new SortedStringMap<Buffer>();
  readonly #byEnd = new TimeIndex();
  #observedStreamTime = -1;
  #open = false;

  constructor(
    readonly name: string,
    readonly retentionPeriodMs: number,
  ) {}

  init(_context: StateStoreContext, _root: StateStore): void {
    this.#open = true;
  }

  flush(): void {}

  close(): void {
    this.#open = false;
    this.#entries.clear();
    this.#byEnd.clear();
  }

  isOpen(): boolean {
    return this.#open;
  }

  get observedStreamTime(): number {
    return this.#observedStreamTime;
  }

  put(key: Buffer, start: number, end: number, value: Buffer | null): boolean {
    this.#requireOpen();
    return this.#write(sessionStoreKey(keyString(key), start, end), end, value);
  }

  restore(storeKey: Buffer, value: Buffer | null): void {
    this.#requireOpen();
    const k = keyString(storeKey);
    if (k.length < SUFFIX_CHARS)
      throw new RangeError(`A session store key needs at least ${SUFFIX_CHARS} bytes`);
    this.#write(k, readTimeChars(k, k.length - SUFFIX_CHARS), value);
  }

  fetchSession(key: Buffer, start: number, end: number): Buffer | undefined {
    this.#requireOpen();
    if (end < this.#minLiveEnd()) return undefined;
    return this.#entries.get(sessionStoreKey(keyString(key), start, end));
  }

  findSessions(
    keyFrom: Buffer | undefined,
    keyTo: Buffer | undefined,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
    backward: boolean,
  ): KeyValueIterator<SessionBytes, Buffer> {
    this.#requireOpen();
    const earliestEnd = Math.max(earliestSessionEndTime, this.#minLiveEnd());
    const lowKey = keyFrom === undefined ? undefined : keyString(keyFrom);
    const highKey = keyTo === undefined ? undefined : keyString(keyTo);
    if (lowKey !== undefined && highKey !== undefined && lowKey > highKey) return new EmptyIterator();
    const singleKey = lowKey !== undefined && lowKey === highKey;
    const cursor = new SortedCursor(this.#entries.snapshot(), {
      // One key: start the scan at its first session that may end late enough.
      lower: singleKey ? lowKey + timeChars(earliestEnd) + timeChars(0) : lowKey,
      upper: highKey === undefined ? undefined : highKey + MAX_SUFFIX,
      reverse: backward,
    });
    return new DecodingCursorIterator(cursor, (storeKey, value) => {
      const keyLength = storeKey.length - SUFFIX_CHARS;
      const key = storeKey.slice(0, keyLength);
      if ((lowKey !== undefined && key < lowKey) || (highKey !== undefined && key > highKey))
        return undefined;
      const end = readTimeChars(storeKey, keyLength);
      const start = readTimeChars(storeKey, keyLength + TIME_CHARS);
      if (end < earliestEnd || start > latestSessionStartTime) return undefined;
      return { key: { key: keyBytes(key), start, end }, value };
    });
  }

  #write(storeKey: string, end: number, value: Buffer | null): boolean {
    if (end > this.#observedStreamTime) this.#observedStreamTime = end;
    this.#byEnd.expireUpTo(this.#observedStreamTime - this.retentionPeriodMs, (k) => this.#entries.delete(k));
    if (end < this.#minLiveEnd()) return false;
    if (value === null) {
      if (this.#entries.delete(storeKey)) this.#byEnd.remove(end, storeKey);
    } else if (this.#entries.set(storeKey, value)) {
      this.#byEnd.add(end, storeKey);
    }
    return true;
  }

  #minLiveEnd(): number {
    return Math.max(0, this.#observedStreamTime - this.retentionPeriodMs + 1);
  }

  #requireOpen(): void {
    if (!this.#open) throw storeNotOpen(this.name);
  }
}
