import type { KeyValue, KeyValueBytesStore, KeyValueIterator } from '../store.js';
import { WrappedStateStore } from './wrapped-state-store.js';

/**
 * A bytes layer that forwards everything to the store it wraps. Layers extend it and override
 * only what they change, so each layer's file shows just its own behaviour.
 */
export abstract class WrappedKeyValueBytesStore
  extends WrappedStateStore<KeyValueBytesStore>
  implements KeyValueBytesStore
{
  get(key: Buffer): Buffer | undefined {
    return this.wrapped.get(key);
  }

  put(key: Buffer, value: Buffer | null): void {
    this.wrapped.put(key, value);
  }

  putIfAbsent(key: Buffer, value: Buffer): Buffer | undefined {
    return this.wrapped.putIfAbsent(key, value);
  }

  putAll(entries: readonly KeyValue<Buffer, Buffer | null>[]): void {
    this.wrapped.putAll(entries);
  }

  delete(key: Buffer): Buffer | undefined {
    return this.wrapped.delete(key);
  }

  range(from?: Buffer, to?: Buffer): KeyValueIterator<Buffer, Buffer> {
    return this.wrapped.range(from, to);
  }

  reverseRange(from?: Buffer, to?: Buffer): KeyValueIterator<Buffer, Buffer> {
    return this.wrapped.reverseRange(from, to);
  }

  all(): KeyValueIterator<Buffer, Buffer> {
    return this.wrapped.all();
  }

  reverseAll(): KeyValueIterator<Buffer, Buffer> {
    return this.wrapped.reverseAll();
  }

  prefixScan(prefix: Buffer): KeyValueIterator<Buffer, Buffer> {
    return this.wrapped.prefixScan(prefix);
  }

  approximateNumEntries(): number {
    return this.wrapped.approximateNumEntries();
  }
}
