import type { StateStore, StateStoreContext } from '../store.js';
import { windowStoreKeyBytes } from './window-key-schema.js';
import { WrappedWindowBytesStore } from './wrapped-window-bytes-store.js';

/**
 * A window bytes layer that sends each write to the changelog after writing it below, keyed in
 * the window key layout (key bytes, big-endian window start, sequence number), as Kafka Streams
 * does.
 *
 * @example
 * ```ts
 * const logged = new ChangeLoggingWindowStore(Stores.inMemoryWindowStore('w', 86_400_000, 60_000, false).get());
 * ```
 */
export class ChangeLoggingWindowStore extends WrappedWindowBytesStore {
  #context: StateStoreContext | undefined;

  override init(context: StateStoreContext, root: StateStore): void | Promise<void> {
    this.#context = context;
    return super.init(context, root);
  }

  override put(key: Buffer, value: Buffer | null, windowStart: number): number {
    const seq = this.wrapped.put(key, value, windowStart);
    if (seq >= 0) {
      const context = this.#context as StateStoreContext;
      context.logChange(
        this.name,
        windowStoreKeyBytes(key, windowStart, seq),
        value,
        context.currentTimestamp(),
      );
    }
    return seq;
  }
}
