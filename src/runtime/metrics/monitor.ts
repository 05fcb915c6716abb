import type { Observable, Subscription } from 'rxjs';
import type { StreamsEvent } from '../events.js';

/** How one changelog partition of a store restores (or restored). */
export interface RestoreProgress {
  readonly store: string;
  readonly topic: string;
  readonly partition: number;
  restored: number;
  remaining: number;
  recordsPerSecond: number;
  done: boolean;
}

/** Something the live view lists under "recent": a rebalance, a state change, an error, a restore. */
export interface RecentEvent {
  /** Wall-clock ms. */
  readonly at: number;
  readonly type: StreamsEvent['type'];
  readonly summary: string;
}

const RECENT_EVENTS = 50;

/**
 * @internal Follows `app.events$` for what the sensors do not see: restore progress per changelog
 * partition, and the recent rebalances, state changes and errors. Commits are left out of
 * "recent" (one every commit interval would push everything else out).
 */
export class StreamsMonitor {
  readonly restores = new Map<string, RestoreProgress>();
  readonly recent: RecentEvent[] = [];
  private readonly subscription: Subscription;
  private readonly listeners = new Set<(event: RecentEvent) => void>();

  constructor(events$: Observable<StreamsEvent>) {
    this.subscription = events$.subscribe((event) => this.observe(event));
  }

  /** Called with every event added to "recent"; returns the unsubscribe function. */
  onRecent(listener: (event: RecentEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.subscription.unsubscribe();
    this.listeners.clear();
  }

  private observe(event: StreamsEvent): void {
    switch (event.type) {
      case 'restore-start': {
        const remaining = Math.max(0, Number(BigInt(event.endOffset) - BigInt(event.startOffset)));
        this.restores.set(`${event.store}|${event.topic}|${event.partition}`, {
          store: event.store,
          topic: event.topic,
          partition: event.partition,
          restored: 0,
          remaining,
          recordsPerSecond: 0,
          done: false,
        });
        return;
      }
      case 'restore-progress': {
        const progress = this.restores.get(`${event.store}|${event.topic}|${event.partition}`);
        if (progress === undefined) return;
        progress.restored = event.restored;
        progress.remaining = event.remaining;
        progress.recordsPerSecond = event.recordsPerSecond;
        return;
      }
      case 'restore-end': {
        const progress = this.restores.get(`${event.store}|${event.topic}|${event.partition}`);
        if (progress !== undefined) {
          progress.restored = event.totalRestored;
          progress.remaining = 0;
          progress.done = true;
        }
        this.add(
          event,
          `restored ${event.store} (${event.topic}-${event.partition}): ${event.totalRestored} records`,
        );
        return;
      }
      case 'rebalance':
        this.add(
          event,
          `rebalance: active [${event.active.join(', ')}], standby [${event.standby.join(', ')}]` +
            (event.revoked.length > 0 ? `, revoked [${event.revoked.join(', ')}]` : ''),
        );
        return;
      case 'state':
        this.add(event, `state ${event.from} → ${event.to}`);
        return;
      case 'error':
        this.add(event, `error: ${event.error.message}`);
        return;
      case 'commit':
        return;
    }
  }

  private add(event: StreamsEvent, summary: string): void {
    const recent: RecentEvent = { at: Date.now(), type: event.type, summary };
    this.recent.push(recent);
    if (this.recent.length > RECENT_EVENTS) this.recent.shift();
    for (const listener of this.listeners) listener(recent);
  }
}
