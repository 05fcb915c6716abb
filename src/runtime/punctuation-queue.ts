import type { Cancellable, PunctuationType } from '../topology/processor.js';

interface Schedule {
  next: number;
  readonly interval: number;
  readonly callback: (timestamp: number) => void;
  readonly nodeName: string;
  cancelled: boolean;
}

/**
 * Punctuation schedules of one task on one clock. Like Kafka Streams, a late check fires a
 * punctuator once (not once per missed interval) and realigns its next time to the grid.
 */
export class PunctuationQueue {
  private schedules: Schedule[] = [];

  constructor(readonly type: PunctuationType) {}

  schedule(firstAt: number, interval: number, nodeName: string, callback: (ts: number) => void): Cancellable {
    const entry: Schedule = { next: firstAt, interval, callback, nodeName, cancelled: false };
    this.schedules.push(entry);
    return {
      cancel: () => {
        entry.cancelled = true;
        this.schedules = this.schedules.filter((s) => s !== entry);
      },
    };
  }

  get isEmpty(): boolean {
    return this.schedules.length === 0;
  }

  /** Fires every due schedule with `now`; returns whether any fired. `run` wraps each call. */
  mayPunctuate(now: number, run: (nodeName: string, fire: () => void) => void): boolean {
    let fired = false;
    // Snapshot: a punctuator may schedule or cancel others; new ones wait for the next check.
    for (const entry of [...this.schedules].sort((a, b) => a.next - b.next)) {
      if (entry.cancelled || entry.next > now) continue;
      fired = true;
      run(entry.nodeName, () => entry.callback(now));
      const next = entry.next + entry.interval;
      entry.next = now >= next ? now - ((now - entry.next) % entry.interval) + entry.interval : next;
    }
    return fired;
  }
}
