import type { ChangelogRecord, StateStore, StateStoreContext } from '../store.js';
import { andThen } from './lifecycle.js';

/**
 * @internal The changelog topic of a logged store: `<applicationId>-<storeName>-changelog`, as in
 * Kafka Streams. The one place this name is made.
 *
 * @example
 * ```ts
 * changelogTopicName('word-count', 'counts'); // 'word-count-counts-changelog'
 * ```
 */
export function changelogTopicName(applicationId: string, storeName: string): string {
  return `${applicationId}-${storeName}-changelog`;
}

/**
 * @internal What the typed outer layers of key-value, window and session stores share: the
 * changelog topic their serdes are given, and `init`, which initializes the layers below and then
 * registers the store with its task so restored records go straight to the innermost store
 * (bypassing caching and change-logging).
 *
 * @example
 * ```ts
 * readonly #core = new MeteredStoreCore();
 * init(context: StateStoreContext, root: StateStore) {
 *   const target = () => innermost(this.wrapped);
 *   return this.#core.init(context, root, this.wrapped, () => (record) => target().put(record.key, record.value));
 * }
 * ```
 */
export class MeteredStoreCore {
  /** Serdes get the changelog topic, as in Kafka Streams (e.g. for schema subjects); set at `init`. */
  topic: string | undefined;

  /**
   * Initializes `wrapped`, then registers `root` for restoration; `restorer` is asked, once the
   * stack is open, for the function that applies one restored record.
   */
  init(
    context: StateStoreContext,
    root: StateStore,
    wrapped: StateStore,
    restorer: () => (record: ChangelogRecord) => void,
  ): void | Promise<void> {
    this.topic = changelogTopicName(context.applicationId, wrapped.name);
    return andThen(wrapped.init(context, root), () => {
      const restore = restorer();
      context.register(root, (batch: readonly ChangelogRecord[]) => {
        for (const record of batch) restore(record);
      });
    });
  }
}
