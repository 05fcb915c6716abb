import { InMemorySegmentedBytesStore } from './in-memory-segmented-bytes-store.js';
import { SegmentedWindowStore } from './segmented-window-store.js';
import { WINDOW_KEY_SCHEMA } from './window-key-schema.js';

/**
 * The in-memory inner window store: one sorted map in the window key layout (key bytes, window
 * start, sequence number), plus a time index so that windows whose start is at or before
 * `observedStreamTime - retentionPeriod` are dropped as soon as a later window is written, which
 * keeps memory bounded. `observedStreamTime` is the largest window start written, as in Kafka
 * Streams. Iterators read a snapshot taken when they are created.
 *
 * @example
 * ```ts
 * const store = Stores.inMemoryWindowStore('clicks', 86_400_000, 60_000, false).get();
 * ```
 */
export class InMemoryWindowStore extends SegmentedWindowStore {
  constructor(name: string, retentionPeriodMs: number, windowSizeMs: number, retainDuplicates: boolean) {
    const segments = new InMemorySegmentedBytesStore(name, retentionPeriodMs, WINDOW_KEY_SCHEMA);
    super(name, retentionPeriodMs, windowSizeMs, retainDuplicates, segments);
  }
}
