import { InMemorySegmentedBytesStore } from '../window/in-memory-segmented-bytes-store.js';
import { SegmentedSessionStore } from './segmented-session-store.js';
import { SESSION_KEY_SCHEMA } from './session-key-schema.js';

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
export class InMemorySessionStore extends SegmentedSessionStore {
  constructor(name: string, retentionPeriodMs: number) {
    super(
      name,
      retentionPeriodMs,
      new InMemorySegmentedBytesStore(name, retentionPeriodMs, SESSION_KEY_SCHEMA),
    );
  }
}
