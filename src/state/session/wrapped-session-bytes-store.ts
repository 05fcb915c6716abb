import type { KeyValueIterator, StateStore, StateStoreContext } from '../store.js';
import type { SessionBytes, SessionBytesStore } from './session-store.js';

/** @internal A session bytes layer that forwards everything; layers override what they change. */
export abstract class WrappedSessionBytesStore implements SessionBytesStore {
  constructor(readonly wrapped: SessionBytesStore) {}

  get name(): string {
    return this.wrapped.name;
  }

  get persistent(): boolean {
    return this.wrapped.persistent;
  }

  get retentionPeriodMs(): number {
    return this.wrapped.retentionPeriodMs;
  }

  init(context: StateStoreContext, root: StateStore): void | Promise<void> {
    return this.wrapped.init(context, root);
  }

  flush(): void | Promise<void> {
    return this.wrapped.flush();
  }

  close(): void | Promise<void> {
    return this.wrapped.close();
  }

  isOpen(): boolean {
    return this.wrapped.isOpen();
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

/** @internal The bottom of a session store stack. */
export function innermostSessionStore(store: SessionBytesStore): SessionBytesStore {
  let current = store;
  while (current instanceof WrappedSessionBytesStore) current = current.wrapped;
  return current;
}
