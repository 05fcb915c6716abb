import type { TopicPartitionOffset } from '../kafka/port.js';

/**
 * @internal Deletes records of repartition topics once their offsets are committed, as Kafka
 * Streams does: repartition topics have no retention of their own (records of any age must reach
 * the next sub-topology), so without purging they would grow forever. At most one purge per
 * interval, in the background: a commit never waits for it.
 */
export class RepartitionPurger {
  /** The newest committed offset per `topic:partition` not purged yet. */
  private readonly pending = new Map<string, TopicPartitionOffset>();
  private lastPurge = Date.now();
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly topics: ReadonlySet<string>,
    private readonly intervalMs: number,
    private readonly deleteRecords: (offsets: TopicPartitionOffset[]) => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Notes a task's committed input offsets (`topic:partition` → next offset to read). */
  noteCommitted(committed: ReadonlyMap<string, number>): void {
    if (this.topics.size === 0) return;
    for (const [tp, offset] of committed) {
      const split = tp.lastIndexOf(':');
      const topic = tp.slice(0, split);
      if (!this.topics.has(topic)) continue;
      this.pending.set(tp, { topic, partition: Number(tp.slice(split + 1)), offset: String(offset) });
    }
  }

  /** Starts a purge of what was committed when the interval has passed and none is running. */
  maybePurge(now = Date.now()): void {
    if (this.pending.size === 0 || this.inFlight !== undefined || now - this.lastPurge < this.intervalMs)
      return;
    this.lastPurge = now;
    const offsets = [...this.pending.values()];
    this.pending.clear();
    this.inFlight = this.deleteRecords(offsets)
      .catch((error: unknown) => this.onError(error))
      .finally(() => {
        this.inFlight = undefined;
      });
  }

  /** Waits for the purge in flight, if any (its failure was reported already). */
  async drain(): Promise<void> {
    await this.inFlight;
  }
}
