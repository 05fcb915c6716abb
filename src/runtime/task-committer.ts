import { TaskMigratedError } from '../errors.js';
import { KafkaClientError } from '../kafka/errors.js';
import type {
  GroupConsumer,
  KafkaProducer,
  ProducerTransaction,
  TopicPartitionOffset,
  TransactionalProducer,
} from '../kafka/port.js';
import { flushCollectors, type KafkaRecordCollector } from './kafka-record-collector.js';
import type { Logger } from '../logger.js';
import type { TaskStores } from './task-stores.js';

/**
 * @internal Where a task is in a commit: `idle` between commits; `flushed` once its stores wrote
 * down (caches, change-logging); `sent` once its records are acknowledged (or in its transaction);
 * then `idle` again once its offsets are committed and its checkpoint written. Any throw moves it
 * to `failed`, which is final: the task is closed dirty or the application fails.
 */
export type CommitPhase = 'idle' | 'flushed' | 'sent' | 'failed';

/** @internal What a committer needs of its task. */
export interface CommittableTask {
  readonly id: string;
  readonly stores: TaskStores;
  readonly collector: KafkaRecordCollector;
  uncommittedOffsets(): TopicPartitionOffset[];
  markCommitted(): void;
}

/**
 * @internal The commit state machine of one task: the only code that sends a task's records,
 * commits its offsets (or its transaction) and writes its checkpoint while it runs. Under
 * exactly-once it owns the task's transactional producer (`<applicationId>-<taskId>`) and the
 * transaction open since the last commit.
 *
 * @example
 * ```ts
 * const committer = new TaskCommitter(task, { exactlyOnce: false, applicationId });
 * await commitAll([committer], { producer, consumer, logger, applicationId });
 * ```
 */
export class TaskCommitter {
  #phase: CommitPhase = 'idle';
  #transaction: ProducerTransaction | undefined;
  #producer: TransactionalProducer | undefined;

  constructor(
    readonly task: CommittableTask,
    private readonly exactlyOnce: boolean,
  ) {}

  get phase(): CommitPhase {
    return this.#phase;
  }

  /** Exactly-once: the task's own producer; creating it fenced any zombie owner of the task. */
  useProducer(producer: TransactionalProducer): void {
    this.#producer = producer;
  }

  /** Whether there is anything to commit: records collected, offsets processed or a transaction open. */
  get hasWork(): boolean {
    return (
      this.task.collector.size > 0 ||
      this.task.uncommittedOffsets().length > 0 ||
      this.#transaction !== undefined
    );
  }

  /** Sends the collected records before the commit: into the task's transaction under exactly-once. */
  async sendEarly(producer: KafkaProducer): Promise<void> {
    await this.guard(async () => {
      await flushCollectors(
        [this.task.collector],
        this.exactlyOnce ? await this.openTransaction() : producer,
      );
    });
  }

  /** `idle → flushed`: the stores write down (their changelog records join the collector). */
  async flush(): Promise<void> {
    await this.guard(async () => {
      await this.task.stores.flush();
      this.#phase = 'flushed';
    });
  }

  /** Exactly-once, `flushed → idle`: records and input offsets in one transaction. */
  async commitTransaction(groupId: string): Promise<[records: number, offsets: number]> {
    return this.guard(async () => {
      const offsets = this.task.uncommittedOffsets();
      if (!this.hasWork) return this.committed([0, 0]);
      const tx = await this.openTransaction();
      const records = await flushCollectors([this.task.collector], tx);
      this.#phase = 'sent';
      if (offsets.length > 0) await tx.sendOffsets({ consumerGroupId: groupId, offsets });
      await tx.commit();
      this.#transaction = undefined;
      const result = this.committed<[number, number]>([records, offsets.length]);
      // The stores write down what the transaction committed, with its offsets, so a crash from
      // here on finds a checkpoint it can trust and restores only the tail.
      if (this.task.stores.holdsCommittedStateOnly) await this.task.stores.checkpoint();
      return result;
    });
  }

  /** At-least-once: the records went out in the thread's joint send. */
  markSent(): void {
    if (this.#phase === 'flushed') this.#phase = 'sent';
  }

  /** At-least-once, `sent → idle`: offsets committed; a persistent task checkpoints its changelogs. */
  async completeCommit(): Promise<void> {
    await this.guard(async () => {
      this.committed(undefined);
      if (this.task.stores.persistent && !this.exactlyOnce) await this.task.stores.checkpoint();
    });
  }

  /** A commit that did not happen (lost to a rebalance): the task goes on from where it is. */
  reset(): void {
    if (this.#phase !== 'failed') this.#phase = 'idle';
  }

  /** Drops what was collected and aborts the open transaction, quietly: nothing of it may reach Kafka. */
  async abandon(): Promise<void> {
    this.#phase = 'failed';
    this.task.collector.clear();
    const tx = this.#transaction;
    this.#transaction = undefined;
    await tx?.abort().catch(() => undefined);
  }

  /** Forgets the open transaction without aborting it (its producer was fenced: it is void anyway). */
  forgetTransaction(): void {
    this.#transaction = undefined;
    this.task.collector.clear();
  }

  /** Closes the task's own producer, if it has one. */
  async close(): Promise<void> {
    await this.#producer?.close();
  }

  private committed<T>(result: T): T {
    this.task.markCommitted();
    this.task.stores.noteChangelogEnds(this.task.collector.changelogEndOffsets);
    this.#phase = 'idle';
    return result;
  }

  private async openTransaction(): Promise<ProducerTransaction> {
    this.#transaction ??= await this.#producer!.beginTransaction();
    return this.#transaction;
  }

  private async guard<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      this.#phase = 'failed';
      throw error;
    }
  }
}

/** @internal What a commit of a thread's tasks needs. */
export interface CommitEnvironment {
  readonly exactlyOnce: boolean;
  readonly applicationId: string;
  /** At-least-once: the thread's producer, one send for every task's records. */
  readonly producer: KafkaProducer;
  readonly consumer: GroupConsumer;
  readonly logger: Logger;
}

/** @internal A task whose exactly-once commit failed, and why. */
export interface FailedCommit {
  readonly committer: TaskCommitter;
  readonly error: unknown;
}

/**
 * @internal What a commit did. `migrated`: exactly-once tasks whose commit failed (fenced, or a
 * client failure), their transactions aborted or void, to be closed dirty.
 */
export interface CommitOutcome {
  readonly records: number;
  readonly offsets: number;
  readonly committed: readonly TaskCommitter[];
  readonly migrated: readonly FailedCommit[];
}

/**
 * @internal Commits running tasks. At-least-once: flush stores (caches write down and log their
 * changes) → one send of every task's records, awaiting acks → commit input offsets → write
 * checkpoints. Exactly-once: flush stores → per task one transaction holding its records and its
 * input offsets; a task whose producer was fenced is reported as migrated.
 */
export async function commitAll(
  committers: readonly TaskCommitter[],
  env: CommitEnvironment,
): Promise<CommitOutcome> {
  for (const c of committers) await c.flush();
  if (env.exactlyOnce) {
    const migrated: FailedCommit[] = [];
    let records = 0;
    let offsets = 0;
    const counts = await Promise.all(
      committers.map(async (c): Promise<[number, number]> => {
        try {
          return await c.commitTransaction(env.applicationId);
        } catch (error) {
          const fenced = error instanceof TaskMigratedError;
          // A client failure leaves the transaction's fate unknown (a send, offset commit or EndTxn
          // may have failed on the client yet succeeded on the broker): the task restarts from
          // what was committed, like Kafka Streams' TaskCorruptedException.
          if (!fenced && !(error instanceof KafkaClientError)) throw error;
          env.logger.warn(
            { err: error, taskId: c.task.id },
            fenced
              ? 'task producer fenced; dropping the task'
              : 'commit failed; aborting the transaction, the task restarts from its last commit',
          );
          if (fenced) c.forgetTransaction();
          else await c.abandon();
          migrated.push({ committer: c, error });
          return [0, 0];
        }
      }),
    );
    for (const [r, o] of counts) {
      records += r;
      offsets += o;
    }
    const failed = new Set(migrated.map((m) => m.committer));
    return { records, offsets, committed: committers.filter((c) => !failed.has(c)), migrated };
  }
  let records: number;
  try {
    records = await flushCollectors(
      committers.map((c) => c.task.collector),
      env.producer,
    );
  } catch (error) {
    for (const c of committers) await c.abandon();
    throw error;
  }
  for (const c of committers) c.markSent();
  const offsets = committers.flatMap((c) => c.task.uncommittedOffsets());
  if (offsets.length > 0) {
    try {
      await env.consumer.commitOffsets(offsets);
    } catch (error) {
      // The group moved on (a rebalance raced the commit): the next owner reprocesses from the
      // last committed offsets, which at-least-once allows. Not a reason to stop.
      if (!(error instanceof TaskMigratedError)) throw error;
      env.logger.warn({ err: error }, 'offset commit lost to a rebalance; records will be reprocessed');
      for (const c of committers) c.reset();
      return { records: 0, offsets: 0, committed: [], migrated: [] };
    }
  }
  for (const c of committers) await c.completeCommit();
  return { records, offsets: offsets.length, committed: committers, migrated: [] };
}
