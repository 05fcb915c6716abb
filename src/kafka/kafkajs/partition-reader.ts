import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import type {
  BatchHandler,
  PartitionRange,
  PartitionReader,
  PartitionReaderOptions,
  ReadProgress,
} from '../port.js';
import type { KafkajsAdmin } from './admin.js';
import { toKafkajsAssigner } from './assignor.js';
import { toConsumedBatch } from './group-consumer.js';
import { ClientStateError } from '../errors.js';
import { translateError, translated } from './errors.js';

interface Cursor {
  range: PartitionRange;
  position: bigint;
  until: bigint | undefined;
}

const isDone = (cursor: Cursor): boolean => cursor.until !== undefined && cursor.position >= cursor.until;

/**
 * Reads given partitions from given offsets over kafkajs, which cannot assign partitions manually:
 * the reader joins a private, single-member group (`<groupIdPrefix>-<uuid>`) with an assignor that
 * hands itself exactly the requested partitions, seeks to the start offsets, tracks positions from `END_BATCH_PROCESS` events (which also cover batches of only
 * transaction markers), and deletes the group when done.
 */
export class KafkajsPartitionReader implements PartitionReader {
  private consumer: Consumer | undefined;
  private readonly groupId: string;
  private closed = false;
  private started = false;
  private finish: (() => void) | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly admin: () => Promise<KafkajsAdmin>,
    private readonly options: PartitionReaderOptions,
  ) {
    this.groupId = `${options.groupIdPrefix}-${randomUUID()}`;
  }

  async run({
    eachBatch,
    onProgress,
  }: {
    eachBatch: BatchHandler;
    onProgress?: (progress: ReadProgress) => void;
  }): Promise<void> {
    if (this.started) throw new ClientStateError('a partition reader runs once');
    this.started = true;
    const cursors = new Map<string, Cursor>();
    for (const range of this.options.partitions) {
      const cursor = {
        range,
        position: BigInt(range.fromOffset),
        until: range.untilOffset === undefined ? undefined : BigInt(range.untilOffset),
      };
      if (!isDone(cursor)) cursors.set(`${range.topic}\u0000${range.partition}`, cursor);
    }
    if (cursors.size === 0 || this.closed) return;
    const ranges = [...cursors.values()].map((c) => c.range);

    const assignment: Record<string, number[]> = {};
    for (const { topic, partition } of ranges) (assignment[topic] ??= []).push(partition);
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      partitionAssigners: [
        toKafkajsAssigner(
          {
            name: 'tributary-partition-reader',
            version: 1,
            userData: () => Buffer.alloc(0),
            assign: async ({ members }) =>
              Object.fromEntries(
                members.map((m, i) => [
                  m.memberId,
                  { assignment: i === 0 ? assignment : {}, userData: Buffer.alloc(0) },
                ]),
              ),
          },
          () => undefined,
        ),
      ],
      readUncommitted: (this.options.isolation ?? 'read_committed') === 'read_uncommitted',
      maxWaitTimeInMs: this.options.maxWaitMs ?? 500,
      allowAutoTopicCreation: false,
      retry: { restartOnFailure: async () => false },
    });
    this.consumer = consumer;

    const finished = new Promise<void>((resolve, reject) => {
      this.finish = resolve;
      const advance = (topic: string, partition: number, lastOffset: string | null): void => {
        const cursor = cursors.get(`${topic}\u0000${partition}`);
        if (!cursor || lastOffset === null) return;
        const next = BigInt(lastOffset) + 1n;
        if (next <= cursor.position) return;
        cursor.position = next;
        onProgress?.({ topic, partition, position: String(next), untilOffset: cursor.range.untilOffset });
        if (isDone(cursor)) consumer.pause([{ topic, partitions: [partition] }]);
        if ([...cursors.values()].every(isDone)) resolve();
      };
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        // An empty fetch reports the high watermark - 1 as its last offset (kafkajs Batch.lastOffset),
        // which would skip records not fetched yet: only batches that held records advance the cursor.
        if (payload.firstOffset === null) return;
        advance(payload.topic, payload.partition, payload.lastOffset);
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => reject(translateError(payload.error)));
      void translated(async () => {
        await consumer.connect();
        await consumer.subscribe({ topics: Object.keys(assignment), fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const cursor = cursors.get(`${batch.topic}\u0000${batch.partition}`);
            if (!cursor || isDone(cursor)) return;
            const within = (offset: string): boolean =>
              BigInt(offset) >= cursor.position &&
              (cursor.until === undefined || BigInt(offset) < cursor.until);
            const consumed = toConsumedBatch(batch, within);
            if (consumed.messages.length === 0) return;
            try {
              await eachBatch(consumed);
            } catch (error) {
              // Not thrown back to kafkajs, which would redeliver the batch.
              reject(error);
            }
          },
        });
        // Seeking after run() instead of committing start offsets first: kafkajs' admin.setOffsets
        // takes ~5 s per call on Kafka 4, which made every restoration wait that long. Batches
        // fetched before the seek applies are filtered out by the cursor check above.
        for (const r of ranges)
          consumer.seek({ topic: r.topic, partition: r.partition, offset: r.fromOffset });
      }).catch(reject);
    });
    try {
      await finished;
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.finish?.();
    if (!this.consumer) return;
    await this.consumer.disconnect().catch(() => undefined);
    await (await this.admin()).deleteGroups([this.groupId]).catch(() => undefined);
  }
}
