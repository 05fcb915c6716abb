import type {
  ConsumedBatch,
  ConsumedMessage,
  KafkaClient,
  TopicPartition,
  TopicPartitionOffset,
} from '../kafka/port.js';
import { ReadCancellation, restoreTask, type RestoreEnvironment } from './changelog-restore.js';
import { deleteCheckpoint } from './checkpoint.js';
import type { KafkaRecordCollector } from './kafka-record-collector.js';
import { PartitionGroup } from './partition-group.js';
import { lockTaskDir, type StateLock } from './state-directory.js';
import type { TaskSensors, ThreadSensors } from './metrics/sensors.js';
import type { StreamTask } from './stream-task.js';
import { SerdeNotReadyError } from '../errors.js';
import { TaskCommitter } from './task-committer.js';
import type { StateTrust, TaskStores } from './task-stores.js';

/** Records a task buffers per input partition before pausing it (Kafka Streams' `buffered.records.per.partition`). */
const BUFFERED_RECORDS_PER_PARTITION = 1_000;

/** @internal Pausing, resuming and rewinding input partitions: the stream thread's consumer. */
export interface PartitionFlow {
  pause(partitions: TopicPartition[]): void;
  resume(partitions: TopicPartition[]): void;
  seek(offsets: TopicPartitionOffset[]): void;
}

/** How long a record waits for a serde that is loading (a schema from the registry). */
export const SERDE_WAIT_MS = 30_000;

/** @internal What every active task of a stream thread shares. */
export interface ActiveTaskEnvironment {
  readonly processId: string;
  readonly applicationId: string;
  readonly exactlyOnce: boolean;
  readonly client: KafkaClient;
  readonly flow: PartitionFlow;
  readonly trust: StateTrust;
  readonly restore: RestoreEnvironment;
  readonly maxTaskIdleMs: number;
  /** Records collected before a task sends them ahead of the commit. */
  readonly maxBufferedRecords: number;
  /** The thread's sensors; each task gets its own below them. */
  readonly sensors: ThreadSensors;
}

/**
 * @internal A task this instance processes: its processor graph (`StreamTask`), its stores
 * (`TaskStores`), its record collector and committer, and where it stands in its inputs. It
 * starts `RESTORING` (input paused, fetched batches held) and turns `RUNNING` once its stores
 * caught up with their changelogs.
 */
export class ActiveTask {
  /** Next offset to read per input `topic:partition`, to commit. */
  private readonly nextOffsets = new Map<string, number>();
  /** Offsets last committed, per input `topic:partition`. */
  readonly committedOffsets = new Map<string, number>();
  readonly committer: TaskCommitter;
  readonly sensors: TaskSensors;
  /** Commits since the task was created. */
  commits = 0;
  /** The input partitions' end offsets as of their last fetch, for `records-lag`. */
  private readonly endOffsets = new Map<string, number>();
  #phase: 'RESTORING' | 'RUNNING' = 'RESTORING';
  /** Set when a record waits for its serde (`SerdeNotReadyError`); see `waitForSerde`. */
  private serdeReady: Promise<unknown> | undefined;
  private readonly pendingBatches: ConsumedBatch[] = [];
  /** Tasks with several input partitions: their records, merged by timestamp before processing. */
  private readonly group: PartitionGroup | undefined;
  /** Input partitions paused because their buffer in `group` is full. */
  private readonly bufferPaused = new Set<string>();
  /** Opening and restoring in the background; settles when done, failed or cancelled. */
  private restoration: Promise<boolean> | undefined;
  private readonly cancellation = new ReadCancellation();
  private lock: StateLock | undefined;

  constructor(
    readonly task: StreamTask,
    readonly inputPartitions: readonly TopicPartition[],
    /** Outputs, repartition and changelog records of this task since its last commit. */
    readonly collector: KafkaRecordCollector,
    private readonly env: ActiveTaskEnvironment,
  ) {
    this.committer = new TaskCommitter(this, env.exactlyOnce);
    this.sensors = env.sensors.task();
    task.waitsForSerdes = true;
    task.onPunctuated = (ms) => this.sensors.punctuated(ms);
    if (inputPartitions.length > 1) this.group = new PartitionGroup(inputPartitions, env.maxTaskIdleMs);
  }

  get id(): string {
    return this.task.id;
  }

  get stores(): TaskStores {
    return this.task.stores;
  }

  get phase(): 'RESTORING' | 'RUNNING' {
    return this.#phase;
  }

  /** Whether the task merges several input partitions by timestamp. */
  get merges(): boolean {
    return this.group !== undefined;
  }

  /**
   * Pauses the input and opens and restores the task in the background. The promise resolves
   * true once restored, false when cancelled (the task was revoked meanwhile).
   */
  startRestoring(): Promise<boolean> {
    this.env.flow.pause([...this.inputPartitions]);
    this.restoration = this.openAndRestore();
    return this.restoration;
  }

  /** Whether a failure of the background restore still matters (the task was not cancelled). */
  get cancelled(): boolean {
    return this.cancellation.cancelled;
  }

  /** In a new assignment that keeps this task: its input flows again unless it is still restoring. */
  keep(): void {
    this.bufferPaused.clear();
    // It may have finished restoring during the rebalance, while its input stayed paused (or
    // paused on a full buffer, since emptied).
    if (this.#phase === 'RESTORING') this.env.flow.pause([...this.inputPartitions]);
    else this.env.flow.resume([...this.inputPartitions]);
  }

  /** Restored: the task runs; returns the batches fetched while it restored, and resumes its input. */
  finishRestoring(): ConsumedBatch[] {
    this.#phase = 'RUNNING';
    return this.pendingBatches.splice(0);
  }

  resumeInput(): void {
    this.env.flow.resume([...this.inputPartitions]);
  }

  /** A fetched batch of one of this task's partitions; held while the task restores. */
  accept(batch: ConsumedBatch): 'held' | 'process' {
    if (this.#phase === 'RUNNING') return 'process';
    this.pendingBatches.push(batch);
    return 'held';
  }

  /** Records fetched but not processed are dropped: fetched again from the committed offsets. */
  dropBuffered(): void {
    this.pendingBatches.length = 0;
    this.group?.clear();
  }

  /**
   * The hot path: every record of the batch is processed synchronously. A multi-partition task
   * buffers the batch instead (returns `'buffered'`; the thread processes the merged records a
   * moment later). Returns `'send'` when the collected records should go out before the commit.
   */
  process(batch: ConsumedBatch): 'buffered' | 'send' | 'done' | 'wait' {
    const key = `${batch.topic}:${batch.partition}`;
    this.endOffsets.set(key, Number(batch.highWatermark));
    let messages = batch.messages;
    // A batch overlapping what was processed already (one held while restoring, then fetched again).
    const processedUntil = this.nextOffsets.get(key);
    if (processedUntil !== undefined && messages.length > 0 && Number(messages[0]!.offset) < processedUntil)
      messages = messages.filter((m) => Number(m.offset) >= processedUntil);
    if (this.group !== undefined) {
      this.buffer(batch, messages);
      return 'buffered';
    }
    const streamTask = this.task;
    const began = performance.now();
    let next = -1;
    let processed = 0;
    try {
      for (; processed < messages.length; processed++) {
        const m = messages[processed]!;
        const offset = Number(m.offset);
        streamTask.process(batch.topic, offset, m.key, m.value, m.timestamp, m.headers);
        streamTask.punctuateStreamTime();
        next = offset + 1;
      }
    } catch (error) {
      // The records before this one are processed; the batch resumes here once the serde is ready.
      if (!(error instanceof SerdeNotReadyError)) throw error;
      this.serdeReady = error.ready;
    }
    if (next >= 0) this.nextOffsets.set(key, next);
    const ended = performance.now();
    this.sensors.processed(processed, ended - began, ended);
    if (this.serdeReady !== undefined) return 'wait';
    streamTask.waitsForSerdes = true;
    // Also send once a partition is drained (the batch reached its high watermark): a quiet input
    // then does not hold its last outputs back until the next commit.
    const drained = next >= 0 && String(next) === batch.highWatermark;
    return this.collector.size >= this.env.maxBufferedRecords || (drained && this.collector.size > 0)
      ? 'send'
      : 'done';
  }

  /**
   * A task with several input partitions buffers each batch and processes the merged records a
   * moment later: the batches of one fetch arrive one after another, and are merged best when all
   * of them are in. A full buffer pauses its partition until processing catches up.
   */
  private buffer(batch: ConsumedBatch, messages: readonly ConsumedMessage[]): void {
    const queue = this.group!.add(batch, messages);
    if (queue === undefined) return;
    if (
      PartitionGroup.pending(queue) >= BUFFERED_RECORDS_PER_PARTITION &&
      !this.bufferPaused.has(queue.key)
    ) {
      this.bufferPaused.add(queue.key);
      this.env.flow.pause([{ topic: queue.topic, partition: queue.partition }]);
    }
  }

  /**
   * After `'wait'`: waits until the serde is ready (at most `SERDE_WAIT_MS`), then the batch is
   * processed again from the waiting record. A serde still not ready by then sends that record to
   * the deserialization handler on the retry, so a registry that never answers cannot stall the task.
   */
  async waitForSerde(): Promise<void> {
    const ready = this.serdeReady;
    this.serdeReady = undefined;
    if (ready === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const expired = await Promise.race([
      ready.then(
        () => false,
        () => false,
      ),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), SERDE_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
    this.task.waitsForSerdes = !expired;
  }

  /** Processes the buffered records in timestamp order, as far as the partition group allows. */
  processBuffered(now: number): 'send' | 'done' | 'wait' {
    const group = this.group;
    if (group === undefined || group.isEmpty) return 'done';
    const streamTask = this.task;
    const began = performance.now();
    let processed = 0;
    for (let queue = group.nextQueue(now); queue !== undefined; queue = group.nextQueue(now)) {
      const m = queue.messages[queue.head++]!;
      const offset = Number(m.offset);
      try {
        streamTask.process(queue.topic, offset, m.key, m.value, m.timestamp, m.headers);
      } catch (error) {
        if (!(error instanceof SerdeNotReadyError)) throw error;
        queue.head--; // processed again once the serde is ready
        this.serdeReady = error.ready;
        break;
      }
      processed++;
      streamTask.punctuateStreamTime();
      this.nextOffsets.set(queue.key, offset + 1);
    }
    const ended = performance.now();
    this.sensors.processed(processed, ended - began, ended);
    if (this.serdeReady !== undefined) return 'wait';
    streamTask.waitsForSerdes = true;
    for (const queue of group.queues) {
      if (
        this.bufferPaused.has(queue.key) &&
        PartitionGroup.pending(queue) < BUFFERED_RECORDS_PER_PARTITION
      ) {
        this.bufferPaused.delete(queue.key);
        this.env.flow.resume([{ topic: queue.topic, partition: queue.partition }]);
      }
    }
    return this.collector.size >= this.env.maxBufferedRecords || (group.caughtUp && this.collector.size > 0)
      ? 'send'
      : 'done';
  }

  /** Offsets processed since the last commit, as the commit should record them. */
  uncommittedOffsets(): TopicPartitionOffset[] {
    const out: TopicPartitionOffset[] = [];
    for (const [tp, offset] of this.nextOffsets) {
      if (this.committedOffsets.get(tp) === offset) continue;
      const split = tp.lastIndexOf(':');
      out.push({ topic: tp.slice(0, split), partition: Number(tp.slice(split + 1)), offset: String(offset) });
    }
    return out;
  }

  /** Records behind the end offset per input partition, as of each partition's last fetch. */
  inputLag(): { topic: string; partition: number; lag: number }[] {
    const out: { topic: string; partition: number; lag: number }[] = [];
    for (const { topic, partition } of this.inputPartitions) {
      const key = `${topic}:${partition}`;
      const end = this.endOffsets.get(key);
      if (end === undefined || !Number.isFinite(end)) continue;
      const position = this.nextOffsets.get(key) ?? this.committedOffsets.get(key);
      out.push({ topic, partition, lag: position === undefined ? end : Math.max(0, end - position) });
    }
    return out;
  }

  markCommitted(): void {
    for (const [tp, offset] of this.nextOffsets) this.committedOffsets.set(tp, offset);
    this.commits++;
  }

  /**
   * Closes after a commit (revoked, or the instance stops): processors and stores close, the
   * producer closes, and a persistent task checkpoints how far its changelogs go (returns
   * whether it did).
   */
  async closeClean(): Promise<boolean> {
    const wasRunning = this.#phase === 'RUNNING';
    let checkpointed = false;
    if (!wasRunning) await this.cancelRestoration();
    // A paused partition (restoring, or a full buffer) stays paused in the consumer across rebalances.
    this.resumeAll();
    try {
      // A restore cancelled before it began leaves the directory (and its checkpoint) as it was.
      // Checkpointed while the stores are open: those that keep their own offsets write them.
      if (
        this.lock !== undefined &&
        this.stores.persistent &&
        (wasRunning || this.stores.changelogOffsets.size > 0)
      ) {
        await this.stores.checkpoint();
        checkpointed = true;
      }
      await this.task.close();
      await this.committer.close();
    } finally {
      await this.lock?.release();
    }
    return checkpointed;
  }

  /**
   * Closes a task another instance already owns (this one was evicted or fenced): nothing is
   * flushed, sent, committed or checkpointed, so no stale result reaches Kafka. Unflushed local
   * writes are discarded with the stores; what was flushed matches the last checkpoint.
   */
  async closeDirty(): Promise<void> {
    if (this.#phase !== 'RUNNING') await this.cancelRestoration();
    this.resumeAll();
    this.dropBuffered();
    const quietly = (p: Promise<unknown> | undefined) => p?.catch(() => undefined);
    await quietly(this.committer.abandon());
    await quietly(this.task.close());
    await quietly(this.committer.close());
    await this.lock?.release();
  }

  /** The instance failed: nothing collected may be sent, restoring stops. */
  abandon(): void {
    void this.committer.abandon();
    void this.cancellation.cancel();
  }

  /** Releases everything, ignoring errors (the instance is going down after a failure). */
  async release(quietly: (f: () => Promise<unknown>) => Promise<void>): Promise<void> {
    await quietly(() => this.cancellation.cancel());
    await quietly(async () => void (await this.restoration));
    await quietly(() => this.task.close());
    await quietly(() => this.committer.close());
    if (this.lock !== undefined) await quietly(() => this.lock!.release());
  }

  private resumeAll(): void {
    this.bufferPaused.clear();
    this.env.flow.resume([...this.inputPartitions]);
  }

  private async cancelRestoration(): Promise<void> {
    await this.cancellation.cancel();
    await this.restoration?.catch(() => false);
    this.pendingBatches.length = 0;
  }

  /** Locks the task directory, opens the stores and restores them. False when cancelled. */
  private async openAndRestore(): Promise<boolean> {
    const { env } = this;
    const taskDir = this.stores.taskDir!;
    this.lock = await lockTaskDir(taskDir, env.processId, this.id);
    if (this.cancellation.cancelled) return false;
    if (env.exactlyOnce) {
      // Creating the producer initialises transactions for this id, fencing a zombie owner.
      this.committer.useProducer(
        await env.client.transactionalProducer({ transactionalId: `${env.applicationId}-${this.id}` }),
      );
    }
    await this.stores.open(this.task.storeNames(), env.trust);
    this.task.initProcessors();
    if (this.cancellation.cancelled) return false;
    const offsets = this.stores.persistent ? await this.stores.readCheckpoint() : {};
    if (this.group !== undefined) await this.learnInputLag(this.group);
    const target = {
      id: this.id,
      partition: this.task.partition,
      stores: this.stores.registered,
      changelogOffsets: this.stores.changelogOffsets,
    };
    if (!(await restoreTask(env.restore, target, offsets, this.cancellation))) return false;
    if (env.exactlyOnce) {
      // Stores that keep uncommitted writes off the disk hold what they restored, and each
      // transaction checkpoints them again. Other local state runs ahead of the last commit from
      // here on, and only a clean close checkpoints it again.
      if (this.stores.holdsCommittedStateOnly) await this.stores.checkpoint();
      else await deleteCheckpoint(taskDir);
      await this.rewindInput();
    }
    return !this.cancellation.cancelled;
  }

  /**
   * Exactly-once: the restored state is the last committed transaction's, so input must resume
   * exactly at the offsets committed with it. The consumer's own position cannot be trusted for
   * that: kafkajs reads committed offsets without waiting for pending transactional commits (no
   * `require_stable`), so while the markers of the previous owner's last transaction are still
   * being written (for long when a broker just died) it resumes from the offsets before that
   * transaction, and its input would be processed a second time over state that already holds it.
   * Asked now, after this task's producer was initialised (which completes or aborts any
   * transaction of its id still open), the committed offsets are stable. Batches held while
   * restoring are dropped for the partitions rewound: they are fetched again from there.
   */
  private async rewindInput(): Promise<void> {
    const partitions = this.inputPartitions.map(({ topic, partition }) => ({ topic, partition }));
    const committed = await this.env.trust.admin.fetchCommittedOffsets(this.env.applicationId, partitions);
    const seeks: TopicPartitionOffset[] = [];
    for (const { topic, partition, offset } of committed) {
      if (offset === null) continue;
      const key = `${topic}:${partition}`;
      this.nextOffsets.set(key, Number(offset));
      this.committedOffsets.set(key, Number(offset));
      seeks.push({ topic, partition, offset });
    }
    if (seeks.length === 0) return;
    const rewound = new Set(seeks.map((s) => `${s.topic}:${s.partition}`));
    const kept = this.pendingBatches.filter((b) => !rewound.has(`${b.topic}:${b.partition}`));
    this.pendingBatches.splice(0, this.pendingBatches.length, ...kept);
    this.env.flow.seek(seeks);
  }

  /**
   * Which inputs of a multi-partition task have records to fetch (committed offset below the
   * end), so that its first batches are not merged without a partition still on its way.
   */
  private async learnInputLag(group: PartitionGroup): Promise<void> {
    const admin = this.env.trust.admin;
    const partitions = this.inputPartitions.map(({ topic, partition }) => ({ topic, partition }));
    const [ends, committed] = await Promise.all([
      admin.listOffsets(partitions),
      admin.fetchCommittedOffsets(this.env.applicationId, partitions),
    ]);
    for (const { topic, partition, begin, end } of ends) {
      const offset = committed.find((c) => c.topic === topic && c.partition === partition)?.offset;
      group.setLagging(topic, partition, BigInt(offset ?? begin) < BigInt(end));
    }
  }
}
