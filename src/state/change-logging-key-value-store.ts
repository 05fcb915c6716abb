import { WrappedKeyValueBytesStore } from './internal/wrapped-key-value-bytes-store.js';
import type { KeyValue, StateStore, StateStoreContext } from './store.js';

/**
 * A bytes layer that sends every write to the store's changelog (through
 * `context.logChange`) after writing it to the store below; deletes are logged as `null`
 * tombstones. Beneath a caching layer it only sees what the cache writes down, so repeated
 * updates of a key between flushes are logged once.
 *
 * @example
 * ```ts
 * const logged = new ChangeLoggingKeyValueStore(new InMemoryKeyValueStore('counts'));
 * ```
 */
export class ChangeLoggingKeyValueStore extends WrappedKeyValueBytesStore {
  #context: StateStoreContext | undefined;

  override init(context: StateStoreContext, root: StateStore): void | Promise<void> {
    this.#context = context;
    return super.init(context, root);
  }

  override put(key: Buffer, value: Buffer | null): void {
    this.wrapped.put(key, value);
    this.#log(key, value);
  }

  override putIfAbsent(key: Buffer, value: Buffer): Buffer | undefined {
    const existing = this.wrapped.putIfAbsent(key, value);
    if (existing === undefined) this.#log(key, value);
    return existing;
  }

  override putAll(entries: readonly KeyValue<Buffer, Buffer | null>[]): void {
    this.wrapped.putAll(entries);
    for (const { key, value } of entries) this.#log(key, value);
  }

  override delete(key: Buffer): Buffer | undefined {
    const existing = this.wrapped.delete(key);
    this.#log(key, null);
    return existing;
  }

  #log(key: Buffer, value: Buffer | null): void {
    const context = this.#context as StateStoreContext;
    context.logChange(this.name, key, value, context.currentTimestamp());
  }
}
