import { WrappedStateStore } from '../internal/wrapped-state-store.js';
import type { KeyValueIterator } from '../store.js';
import type { WindowBytesStore, WindowedBytes } from './window-store.js';

/** @internal A window bytes layer that forwards everything; layers override what they change. */
export abstract class WrappedWindowBytesStore
  extends WrappedStateStore<WindowBytesStore>
  implements WindowBytesStore
{
  get windowSizeMs(): number {
    return this.wrapped.windowSizeMs;
  }

  get retentionPeriodMs(): number {
    return this.wrapped.retentionPeriodMs;
  }

  get retainDuplicates(): boolean {
    return this.wrapped.retainDuplicates;
  }

  get observedStreamTime(): number | undefined {
    return this.wrapped.observedStreamTime;
  }

  put(key: Buffer, value: Buffer | null, windowStart: number): number {
    return this.wrapped.put(key, value, windowStart);
  }

  fetch(key: Buffer, windowStart: number): Buffer | undefined {
    return this.wrapped.fetch(key, windowStart);
  }

  fetchKey(
    key: Buffer,
    timeFrom: number,
    timeTo: number,
    backward: boolean,
  ): KeyValueIterator<number, Buffer> {
    return this.wrapped.fetchKey(key, timeFrom, timeTo, backward);
  }

  fetchRange(
    keyFrom: Buffer | undefined,
    keyTo: Buffer | undefined,
    timeFrom: number,
    timeTo: number,
    backward: boolean,
  ): KeyValueIterator<WindowedBytes, Buffer> {
    return this.wrapped.fetchRange(keyFrom, keyTo, timeFrom, timeTo, backward);
  }

  fetchAll(timeFrom: number, timeTo: number, backward: boolean): KeyValueIterator<WindowedBytes, Buffer> {
    return this.wrapped.fetchAll(timeFrom, timeTo, backward);
  }

  restore(storeKey: Buffer, value: Buffer | null): void {
    this.wrapped.restore(storeKey, value);
  }
}
