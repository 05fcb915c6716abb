import { keyBytes, keyString } from '../internal/byte-keys.js';
import type { StateStore, StateStoreContext } from '../store.js';
import { sessionStoreKey } from './session-key-schema.js';
import { WrappedSessionBytesStore } from './wrapped-session-bytes-store.js';

/**
 * A session bytes layer that sends each write to the changelog after writing it below, keyed as
 * key bytes, big-endian end, big-endian start (the bytes of `Serdes.sessionWindowed`).
 *
 * @example
 * ```ts
 * const logged = new ChangeLoggingSessionStore(Stores.inMemorySessionStore('s', 86_400_000).get());
 * ```
 */
export class ChangeLoggingSessionStore extends WrappedSessionBytesStore {
  #context: StateStoreContext | undefined;

  override init(context: StateStoreContext, root: StateStore): void | Promise<void> {
    this.#context = context;
    return super.init(context, root);
  }

  override put(key: Buffer, start: number, end: number, value: Buffer | null): boolean {
    const written = this.wrapped.put(key, start, end, value);
    if (written) {
      const context = this.#context as StateStoreContext;
      const storeKey = keyBytes(sessionStoreKey(keyString(key), start, end));
      context.logChange(this.name, storeKey, value, context.currentTimestamp());
    }
    return written;
  }
}
