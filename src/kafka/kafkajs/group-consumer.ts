import type { Batch, Consumer, EachBatchPayload, IHeaders, Kafka } from 'kafkajs';
import type {
  BatchHandler,
  ConsumedBatch,
  GroupConsumer,
  GroupConsumerOptions,
  MemberAssignment,
  RecordHeaders,
  RunOptions,
  TopicPartition,
  TopicPartitionOffset,
  TopicPartitions,
} from '../port.js';
import type { KafkajsAdmin } from './admin.js';
import { toKafkajsAssigner } from './assignor.js';
import { KafkaClientError } from '../errors.js';
import { retryTransient, translateError, translated } from './errors.js';

// The errors after which kafkajs rejoins (its own `isRebalancing`, which it does not export).
const REBALANCE_TYPES = new Set(['REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP', 'ILLEGAL_GENERATION']);
/** Rejoins kafkajs may make after retriable errors before the first assignment (about 40 s of backoff). */
const MAX_RESTARTS_BEFORE_ASSIGNMENT = 10;
/** Heartbeat errors that mean the group already moved on without this member. */
const EVICTION_TYPES = new Set(['ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID']);

function isEvictionError(error: unknown): boolean {
  return EVICTION_TYPES.has((error as { type?: string }).type ?? '');
}

function isRebalanceError(error: unknown): boolean {
  return REBALANCE_TYPES.has((error as { type?: string }).type ?? '');
}

/** kafkajs headers may be strings or arrays (repeated keys): the port keeps the last value as bytes. */
export function toRecordHeaders(headers: IHeaders | undefined): RecordHeaders {
  const result: RecordHeaders = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    const last = Array.isArray(value) ? value.at(-1) : value;
    if (last !== undefined) result[key] = Buffer.isBuffer(last) ? last : Buffer.from(last);
  }
  return result;
}

export function toConsumedBatch(batch: Batch, until?: (offset: string) => boolean): ConsumedBatch {
  const messages = until ? batch.messages.filter((m) => until(m.offset)) : batch.messages;
  return {
    topic: batch.topic,
    partition: batch.partition,
    highWatermark: batch.highWatermark,
    // lastOffset() counts control records and filtered messages, unlike `messages`.
    nextOffset: String(BigInt(batch.lastOffset()) + 1n),
    messages: messages.map((m) => ({
      offset: m.offset,
      key: m.key ?? null,
      value: m.value ?? null,
      timestamp: Number(m.timestamp),
      headers: toRecordHeaders(m.headers),
    })),
  };
}

function byTopic(partitions: TopicPartition[]): { topic: string; partitions: number[] }[] {
  const grouped = new Map<string, number[]>();
  for (const { topic, partition } of partitions)
    grouped.set(topic, [...(grouped.get(topic) ?? []), partition]);
  return [...grouped].map(([topic, list]) => ({ topic, partitions: list }));
}

/**
 * A group member over a kafkajs consumer. kafkajs has no revoke callback and gives followers no
 * assignment userData, so this adapter:
 * - calls `onRebalancing` when a heartbeat after a batch reports a rebalance (before kafkajs
 *   rejoins: the group cannot complete without this member) or, failing that, on `REBALANCING`;
 * - recovers userData from the leader's own assignor result or, on followers, from
 *   `describeGroups`, and holds back batches until `onAssigned` has finished.
 */
export class KafkajsGroupConsumer implements GroupConsumer {
  private readonly consumer: Consumer;
  private listenerChain: Promise<void> = Promise.resolve();
  private leaderAssignments: Record<string, MemberAssignment> | undefined;
  private hasAssignment = false;
  private currentMemberId: string | undefined;
  /** The member id the current assignment was received under. */
  private assignedMemberId: string | undefined;
  private crashed = false;
  private everAssigned = false;
  private closed = false;
  private restartsBeforeAssignment = 0;
  /** Restarts after retriable failures since the last assignment, and when the first of them was. */
  private restartsSinceAssignment = 0;
  private failingSince: number | undefined;
  /** Set when the failures outlasted `taskTimeoutMs`: the crash says so. */
  private timedOutAfterMs: number | undefined;
  private onCrash: ((error: Error) => void) | undefined;

  constructor(
    kafka: Kafka,
    private readonly admin: () => Promise<KafkajsAdmin>,
    private readonly options: GroupConsumerOptions,
  ) {
    const assigner = toKafkajsAssigner(options.assignor, (assignments) => {
      this.leaderAssignments = assignments;
    });
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      partitionAssigners: [assigner],
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      rebalanceTimeout: options.rebalanceTimeoutMs ?? 60_000,
      heartbeatInterval: options.heartbeatIntervalMs ?? 3_000,
      maxWaitTimeInMs: options.maxWaitMs ?? 500,
      readUncommitted: (options.isolation ?? 'read_uncommitted') === 'read_uncommitted',
      allowAutoTopicCreation: false,
      // Before the first assignment nothing is owned, so kafkajs may rejoin after a retriable
      // error (a coordinator still loading on a fresh cluster); later the runtime decides.
      retry: { restartOnFailure: async () => this.mayRestart() },
    });
    const { GROUP_JOIN, REBALANCING, CRASH } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, ({ payload }) => {
      this.currentMemberId = payload.memberId;
      const leader = payload.isLeader ? this.leaderAssignments : undefined;
      this.leaderAssignments = undefined;
      this.enqueue(() => this.assigned(payload.memberId, payload.memberAssignment, leader));
    });
    this.consumer.on(REBALANCING, () => this.enqueue(() => this.revoke()));
    this.consumer.on(CRASH, ({ payload }) => {
      if (!payload.restart) this.crash(this.timedOut(payload.error));
    });
  }

  get memberId(): string | undefined {
    return this.currentMemberId;
  }

  async run({ eachBatch, onCrash }: RunOptions): Promise<void> {
    this.onCrash = onCrash;
    await translated(async () => {
      await this.consumer.connect();
      await this.consumer.subscribe({
        topics: this.options.topics,
        fromBeginning: this.options.autoOffsetReset !== 'latest',
      });
      await this.consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: true,
        partitionsConsumedConcurrently: 1,
        eachBatch: (payload) => this.handleBatch(payload, eachBatch),
      });
    });
    await this.listenerChain;
  }

  commitOffsets(offsets: TopicPartitionOffset[]): Promise<void> {
    return retryTransient(() => this.consumer.commitOffsets(offsets));
  }

  pause(partitions: TopicPartition[]): void {
    this.consumer.pause(byTopic(partitions));
  }

  resume(partitions: TopicPartition[]): void {
    this.consumer.resume(byTopic(partitions));
  }

  seek(offsets: TopicPartitionOffset[]): void {
    for (const { topic, partition, offset } of offsets) this.consumer.seek({ topic, partition, offset });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.consumer.disconnect();
    await this.listenerChain;
  }

  private async handleBatch(payload: EachBatchPayload, eachBatch: BatchHandler): Promise<void> {
    await this.listenerChain;
    if (this.crashed || !payload.isRunning() || payload.isStale() || !this.hasAssignment) return;
    if (payload.batch.messages.length > 0) {
      try {
        await eachBatch(toConsumedBatch(payload.batch));
      } catch (error) {
        // Not thrown back to kafkajs: it would redeliver the batch; a failing handler is fatal.
        this.crash(error);
        return;
      }
    }
    try {
      await payload.heartbeat();
    } catch (error) {
      if (isRebalanceError(error)) await this.revoke(isEvictionError(error));
      throw error;
    }
  }

  private enqueue(step: () => Promise<void>): void {
    this.listenerChain = this.listenerChain.then(step).catch((error: unknown) => this.crash(error));
  }

  private async revoke(lost = false): Promise<void> {
    if (!this.hasAssignment) return;
    this.hasAssignment = false;
    const { listener } = this.options;
    if (lost && listener.onLost !== undefined) await listener.onLost();
    else await listener.onRebalancing();
  }

  private async assigned(
    memberId: string,
    assignment: TopicPartitions,
    leader: Record<string, MemberAssignment> | undefined,
  ): Promise<void> {
    // A restart or rejoin kafkajs did without a REBALANCING event still ends the old assignment;
    // coming back under a new member id means the coordinator evicted the old one meanwhile.
    await this.revoke(this.assignedMemberId !== undefined && this.assignedMemberId !== memberId);
    this.assignedMemberId = memberId;
    const userData = leader?.[memberId]?.userData ?? (await this.followerUserData(memberId));
    this.hasAssignment = true;
    this.everAssigned = true;
    this.restartsSinceAssignment = 0;
    this.failingSince = undefined;
    await this.options.listener.onAssigned(assignment, userData);
  }

  private async followerUserData(memberId: string): Promise<Buffer> {
    const members = await (await this.admin()).describeGroupAssignments(this.options.groupId);
    return members.find((member) => member.memberId === memberId)?.userData ?? Buffer.alloc(0);
  }

  private async mayRestart(): Promise<boolean> {
    if (this.crashed || this.closed) return false;
    if (this.everAssigned) return this.mayRestartAfterAssignment();
    this.restartsBeforeAssignment += 1;
    if (this.restartsBeforeAssignment > MAX_RESTARTS_BEFORE_ASSIGNMENT) return false;
    const backoffMs = Math.min(500 * 2 ** (this.restartsBeforeAssignment - 1), 5_000);
    await new Promise((resolve) => setTimeout(resolve, backoffMs));
    return !this.closed;
  }

  /**
   * After a retriable failure (a broker unreachable, a coordinator moving) the member rejoins,
   * backing off, for up to `taskTimeoutMs` from the first failure since its last assignment; the
   * rejoin revokes and reassigns its tasks, which resume from the committed offsets.
   */
  private async mayRestartAfterAssignment(): Promise<boolean> {
    const timeoutMs = this.options.taskTimeoutMs ?? 300_000;
    const now = Date.now();
    this.failingSince ??= now;
    if (now - this.failingSince >= timeoutMs) {
      this.timedOutAfterMs = now - this.failingSince;
      return false;
    }
    this.restartsSinceAssignment += 1;
    const backoffMs = Math.min(
      500 * 2 ** (this.restartsSinceAssignment - 1),
      5_000,
      this.failingSince + timeoutMs - now,
    );
    await new Promise((resolve) => setTimeout(resolve, backoffMs));
    return !this.closed;
  }

  /** The crash error: naming `taskTimeoutMs` when the failures outlasted it. */
  private timedOut(error: unknown): unknown {
    if (this.timedOutAfterMs === undefined) return error;
    const cause = translateError(error);
    return new KafkaClientError(
      `The consumer of group "${this.options.groupId}" did not recover within taskTimeoutMs (${this.options.taskTimeoutMs ?? 300_000} ms; failing for ${this.timedOutAfterMs} ms): ${cause.message}`,
      { cause, type: 'TASK_TIMEOUT', retriable: false },
    );
  }

  private crash(error: unknown): void {
    if (this.crashed) return;
    this.crashed = true;
    this.onCrash?.(translateError(error));
    // Stop fetching in the background: disconnecting from inside a handler would wait on itself.
    setImmediate(() => void this.consumer.disconnect().catch(() => undefined));
  }
}
