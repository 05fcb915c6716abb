import { WrappedStateStore } from '../internal/wrapped-state-store.js';
import type { KeyValueIterator } from '../store.js';
import type { SessionBytes, SessionBytesStore } from './session-store.js';

/** @internal A session bytes layer that forwards everything; layers override what they change. */
export abstract class WrappedSessionBytesStore
  extends WrappedStateStore<SessionBytesStore>
  implements SessionBytesStore
{
  get retentionPeriodMs(): number {
    return this.wrapped.retentionPeriodMs;
  }

  get observedStreamTime(): number | undefined {
    return this.wrapped.observedStreamTime;
  }

  put(key: Buffer, start: number, end: number, value: Buffer | null): boolean {
    return this.wrapped.put(key, start, end, value);
  }

  fetchSession(key: Buffer, start: number, end: number): Buffer | undefined {
    return this.wrapped.fetchSession(key, start, end);
  }

  findSessions(
    keyFrom: Buffer | undefined,
    keyTo: Buffer | undefined,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
    backward: boolean,
  ): KeyValueIterator<SessionBytes, Buffer> {
    return this.wrapped.findSessions(
      keyFrom,
      keyTo,
      earliestSessionEndTime,
      latestSessionStartTime,
      backward,
    );
  }

  restore(storeKey: Buffer, value: Buffer | null): void {
    this.wrapped.restore(storeKey, value);
  }
}
