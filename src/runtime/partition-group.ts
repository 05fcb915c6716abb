import type { ConsumedBatch, ConsumedMessage, TopicPartition } from '../kafka/port.js';

/**
 * Without a `maxTaskIdleMs` of its own, how long a task waits for a partition known to lag (its
 * last fetch ended below the high watermark) before it processes the others anyway. The next
 * fetch normally delivers within the consumer's max wait (500 ms); this only guards against a
 * partition that never comes (a fetch error, a slow broker).
 */
export const LAGGING_PARTITION_WAIT_MS = 2_000;

/** @internal The buffered records of one input partition of a task. */
export interface PartitionQueue extends TopicPartition {
  /** `topic:partition`, the key of the task's offsets. */
  readonly key: string;
  readonly messages: ConsumedMessage[];
  /** Index of the next record to process in `messages`. */
  head: number;
  /** The last batch fetched ended below the partition's high watermark: more is on its way. */
  lagging: boolean;
}

/**
 * @internal The input of a task that reads several partitions (a join, a merge, a table and the
 * stream it enriches), merged by timestamp like Kafka Streams' partition group: the next record is
 * always the buffered head with the lowest timestamp, so a partition fetched first cannot push
 * stream time past records still on their way in another (which a windowed join would then drop
 * as late).
 *
 * When a partition has nothing buffered the task may wait for it instead of processing the
 * others, as with Kafka Streams' `max.task.idle.ms`:
 * - `maxIdleMs < 0`: never wait;
 * - `maxIdleMs === 0` (default): wait only for a partition known to lag, at most
 *   {@link LAGGING_PARTITION_WAIT_MS};
 * - `maxIdleMs > 0`: wait up to `maxIdleMs` for any empty partition.
 * Once the wait is over, the buffered records are processed ("enforced processing") until every
 * partition has data again.
 *
 * Records are ordered by their record timestamps (a custom timestamp extractor decides stream
 * time, not this order: it needs the deserialized record).
 *
 * @example
 * ```ts
 * const group = new PartitionGroup([{ topic: 'left', partition: 0 }, { topic: 'right', partition: 0 }], 0);
 * group.add(batch);
 * for (let q = group.nextQueue(Date.now()); q !== undefined; q = group.nextQueue(Date.now())) process(q.messages[q.head++]);
 * ```
 */
export class PartitionGroup {
  readonly queues: readonly PartitionQueue[];
  private readonly byKey = new Map<string, PartitionQueue>();
  /** When the task started waiting for an empty partition; undefined while not waiting. */
  private waitingSince: number | undefined;

  constructor(
    partitions: readonly TopicPartition[],
    private readonly maxIdleMs: number,
  ) {
    this.queues = partitions.map(({ topic, partition }) => ({
      topic,
      partition,
      key: `${topic}:${partition}`,
      messages: [],
      head: 0,
      lagging: false,
    }));
    for (const queue of this.queues) this.byKey.set(queue.key, queue);
  }

  /** Buffers a fetched batch; returns its partition's queue (undefined if not an input). */
  add(
    batch: ConsumedBatch,
    messages: readonly ConsumedMessage[] = batch.messages,
  ): PartitionQueue | undefined {
    const queue = this.byKey.get(`${batch.topic}:${batch.partition}`);
    if (queue === undefined) return undefined;
    if (queue.head > 0) {
      queue.messages.splice(0, queue.head);
      queue.head = 0;
    }
    for (const m of messages) queue.messages.push(m);
    queue.lagging = BigInt(batch.nextOffset) < BigInt(batch.highWatermark);
    return queue;
  }

  /**
   * Records what is known of a partition before its first batch (from its committed offset and
   * end offset): one with records to fetch is waited for, as if its last fetch had stopped short.
   */
  setLagging(topic: string, partition: number, lagging: boolean): void {
    const queue = this.byKey.get(`${topic}:${partition}`);
    if (queue !== undefined && queue.head === queue.messages.length) queue.lagging = lagging;
  }

  /** Records buffered in a queue and not processed yet. */
  static pending(queue: PartitionQueue): number {
    return queue.messages.length - queue.head;
  }

  /** Whether nothing is buffered. */
  get isEmpty(): boolean {
    return this.queues.every((q) => q.head === q.messages.length);
  }

  /** Whether every partition has been read to its high watermark as of its last fetch. */
  get caughtUp(): boolean {
    return this.isEmpty && this.queues.every((q) => !q.lagging);
  }

  /**
   * The queue whose head record is next (its `messages[head]`; the caller advances `head`), or
   * undefined when nothing is buffered or the task should wait for an empty partition.
   */
  nextQueue(now: number): PartitionQueue | undefined {
    let next: PartitionQueue | undefined;
    let waitFor = false;
    for (const queue of this.queues) {
      if (queue.head < queue.messages.length) {
        if (next === undefined || queue.messages[queue.head]!.timestamp < next.messages[next.head]!.timestamp)
          next = queue;
      } else if (this.maxIdleMs > 0 || (this.maxIdleMs === 0 && queue.lagging)) {
        waitFor = true;
      }
    }
    if (next === undefined || !waitFor) {
      this.waitingSince = undefined;
      return next;
    }
    this.waitingSince ??= now;
    const limit = this.maxIdleMs > 0 ? this.maxIdleMs : LAGGING_PARTITION_WAIT_MS;
    return now - this.waitingSince >= limit ? next : undefined;
  }

  /** Drops everything buffered (a rebalance: it is fetched again from the committed offsets). */
  clear(): void {
    for (const queue of this.queues) {
      queue.messages.length = 0;
      queue.head = 0;
      queue.lagging = false;
    }
    this.waitingSince = undefined;
  }
}
