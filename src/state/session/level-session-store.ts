import { keyBytes, keyString } from '../internal/byte-keys.js';
import { EmptyIterator } from '../internal/key-value-iterators.js';
import type { KeyValueIterator, StateStore, StateStoreContext } from '../store.js';
import { RetainedLevelEntries } from '../window/retained-level-entries.js';
import { readTimeChars, TIME_CHARS, timeChars } from '../window/window-key-schema.js';
import { sessionStoreKey } from './in-memory-session-store.js';
import type { SessionBytes, SessionBytesStore } from './session-store.js';

const SUFFIX_CHARS = 2 * TIME_CHARS;
const MAX_SUFFIX = '\xff'.repeat(SUFFIX_CHARS);

function sessionEndOf(storeKey: string): number {
  if (storeKey.length < SUFFIX_CHARS)
    throw new RangeError(`A session store key needs at least ${SUFFIX_CHARS} bytes`);
  return readTimeChars(storeKey, storeKey.length - SUFFIX_CHARS);
}

/**
 * The persistent inner session store, on LevelDB through `level`, in `<taskDir>/<name>`. Entries use
 * the session key layout (key bytes, big-endian end, big-endian start); reads are synchronous and
 * writes reach disk as one atomic batch per `flush()`, as in `LevelKeyValueStore`. Sessions ending
 * at or before `observedStreamTime - retentionPeriod` are deleted as later sessions are written, in
 * the next batch, so the database stays bounded by the retention period.
 *
 * @example
 * ```ts
 * const store = Stores.persistentSessionStore('user-sessions', 86_400_000).get();
 * await store.init(context, store); // opens <taskDir>/user-sessions
 * ```
 */
export class LevelSessionStore implements SessionBytesStore {
  readonly persistent = true;
  readonly #entries: RetainedLevelEntries;

  constructor(
    readonly name: string,
    readonly retentionPeriodMs: number,
  ) {
    this.#entries = new RetainedLevelEntries(name, retentionPeriodMs, sessionEndOf);
  }

  init(context: StateStoreContext, root: StateStore): Promise<void> {
    return this.#entries.open(context, root);
  }

  flush(): Promise<void> {
    return this.#entries.flush();
  }

  close(): Promise<void> {
    return this.#entries.close();
  }

  isOpen(): boolean {
    return this.#entries.isOpen();
  }

  get observedStreamTime(): number {
    return this.#entries.observedStreamTime;
  }

  put(key: Buffer, start: number, end: number, value: Buffer | null): boolean {
    this.#entries.requireOpen();
    return this.#entries.write(sessionStoreKey(keyString(key), start, end), end, value);
  }

  restore(storeKey: Buffer, value: Buffer | null): void {
    this.#entries.requireOpen();
    const k = keyString(storeKey);
    this.#entries.write(k, sessionEndOf(k), value);
  }

  fetchSession(key: Buffer, start: number, end: number): Buffer | undefined {
    this.#entries.requireOpen();
    if (end < this.#entries.minLiveTime()) return undefined;
    return this.#entries.get(sessionStoreKey(keyString(key), start, end));
  }

  findSessions(
    keyFrom: Buffer | undefined,
    keyTo: Buffer | undefined,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
    backward: boolean,
  ): KeyValueIterator<SessionBytes, Buffer> {
    this.#entries.requireOpen();
    const earliestEnd = Math.max(earliestSessionEndTime, this.#entries.minLiveTime());
    const lowKey = keyFrom === undefined ? undefined : keyString(keyFrom);
    const highKey = keyTo === undefined ? undefined : keyString(keyTo);
    if (lowKey !== undefined && highKey !== undefined && lowKey > highKey) return new EmptyIterator();
    const singleKey = lowKey !== undefined && lowKey === highKey;
    // One key: start the scan at its first session that may end late enough.
    const lower = singleKey ? lowKey + timeChars(earliestEnd) + timeChars(0) : lowKey;
    const upper = highKey === undefined ? undefined : highKey + MAX_SUFFIX;
    return this.#entries.scan(lower, upper, backward, (storeKey, value) => {
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
}
