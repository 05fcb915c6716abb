import { LevelSegmentedBytesStore } from './level-segmented-bytes-store.js';
import { SegmentedWindowStore } from './segmented-window-store.js';
import { WINDOW_KEY_SCHEMA } from './window-key-schema.js';

/**
 * The persistent inner window store, on LevelDB through `level`, in `<taskDir>/<name>`. Entries use
 * the window key layout (key bytes, big-endian window start, sequence number) like the in-memory
 * store, and the same `LevelKeyValueStore` mechanics: synchronous reads through an in-memory key
 * index and `getSync`, writes to disk as one atomic batch per `flush()`. Windows whose start is at
 * or before `observedStreamTime - retentionPeriod` are deleted as later windows are written, and
 * those deletes are part of the next batch, so the database stays bounded by the retention period.
 *
 * @example
 * ```ts
 * const store = Stores.persistentWindowStore('clicks', 86_400_000, 60_000, false).get();
 * await store.init(context, store); // opens <taskDir>/clicks
 * ```
 */
export class LevelWindowStore extends SegmentedWindowStore {
  constructor(name: string, retentionPeriodMs: number, windowSizeMs: number, retainDuplicates: boolean) {
    const segments = new LevelSegmentedBytesStore(name, retentionPeriodMs, WINDOW_KEY_SCHEMA);
    super(name, retentionPeriodMs, windowSizeMs, retainDuplicates, segments);
  }
}
