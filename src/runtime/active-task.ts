import type { ConsumedBatch, ProducerTransaction, TransactionalProducer } from '../kafka/port.js';
import type { ChangelogRecord, StateStore } from '../state/store.js';
import { ReadCancellation } from './changelog-restore.js';
import type { KafkaRecordCollector } from './kafka-record-collector.js';
import type { PartitionGroup } from './partition-group.js';
import type { StateLock } from './state-directory.js';
import type { StreamTask } from './stream-task.js';

/** @internal A store registered by a task, with where its changelog is. */
export interface RegisteredStore {
  readonly store: StateStore;
  readonly restore: (batch: readonly ChangelogRecord[]) => void;
  readonly changelogTopic: string | undefined;
}

/** @internal A task as the runtime holds it: the processor graph plus offsets and stores. */
export class ActiveTask {
  /** Next offset to read per input `topic:partition`, to commit. */
  readonly nextOffsets = new Map<string, number>();
  /** Offsets last committed, per input `topic:partition`. */
  readonly committedOffsets = new Map<string, number>();
  /** Changelog position per `topic:partition`: where a restore would start. */
  readonly changelogOffsets = new Map<string, string>();
  readonly stores: RegisteredStore[] = [];
  /** Exactly-once: this task's own transactional producer (`<applicationId>-<taskId>`). */
  producer: TransactionalProducer | undefined;
  /** Exactly-once: the transaction records of this commit interval go into, once one is open. */
  transaction: ProducerTransaction | undefined;
  /**
   * `RESTORING` from assignment until its stores caught up (its input partitions are paused and
   * batches fetched before the pause wait in `pendingBatches`), then `RUNNING`.
   */
  phase: 'RESTORING' | 'RUNNING' = 'RESTORING';
  readonly pendingBatches: ConsumedBatch[] = [];
  /** Tasks with several input partitions: their records, merged by timestamp before processing. */
  group: PartitionGroup | undefined;
  /** Input partitions paused because their buffer in `group` is full. */
  readonly bufferPaused = new Set<string>();
  /** Opening and restoring in the background; settles when done, failed or cancelled. */
  restoration: Promise<boolean> | undefined;
  readonly cancellation = new ReadCancellation();
  /** The task directory's lock, once taken. */
  lock: StateLock | undefined;

  constructor(
    readonly task: StreamTask,
    readonly taskDir: string,
    readonly inputPartitions: readonly { topic: string; partition: number }[],
    /** Outputs, repartition and changelog records of this task since its last commit. */
    readonly collector: KafkaRecordCollector,
  ) {}

  get id(): string {
    return this.task.id;
  }

  get persistent(): boolean {
    return this.stores.some((s) => s.store.persistent);
  }

  /** Offsets processed since the last commit, as the commit should record them. */
  uncommittedOffsets(): { topic: string; partition: number; offset: string }[] {
    const out: { topic: string; partition: number; offset: string }[] = [];
    for (const [tp, offset] of this.nextOffsets) {
      if (this.committedOffsets.get(tp) === offset) continue;
      const split = tp.lastIndexOf(':');
      out.push({ topic: tp.slice(0, split), partition: Number(tp.slice(split + 1)), offset: String(offset) });
    }
    return out;
  }

  markCommitted(): void {
    for (const [tp, offset] of this.nextOffsets) this.committedOffsets.set(tp, offset);
  }
}
