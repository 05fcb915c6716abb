import { LevelSegmentedBytesStore } from '../window/level-segmented-bytes-store.js';
import { SegmentedSessionStore } from './segmented-session-store.js';
import { SESSION_KEY_SCHEMA } from './session-key-schema.js';

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
export class LevelSessionStore extends SegmentedSessionStore {
  constructor(name: string, retentionPeriodMs: number) {
    super(name, retentionPeriodMs, new LevelSegmentedBytesStore(name, retentionPeriodMs, SESSION_KEY_SCHEMA));
  }
}
