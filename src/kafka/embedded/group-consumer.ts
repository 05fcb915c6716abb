import { ClientStateError, CommitFailedError, RebalanceInProgressError } from '../errors.js';
import type {
  BatchHandler,
  ConsumedBatch,
  GroupConsumer,
  GroupConsumerOptions,
  MemberAssignment,
  RunOptions,
  TopicPartition,
  TopicPartitionOffset,
  TopicPartitions,
} from '../port.js';
import type { EmbeddedBroker } from './broker.js';
import type { GroupCoordinator, JoinResult } from './group-coordinator.js';
import { Notifier, waitForAny, yieldToEventLoop } from './notifier.js';

const MAX_BATCH_MESSAGES = 500;

const keyOf = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/**
 * A group member on the embedded broker. Like the Java consumer, heartbeats run on a timer
 * independent of batch handling; a rebalance is noticed by a failing heartbeat and handled
 * between batches: `onRebalancing`, rejoin, `onAssigned`.
 */
export class EmbeddedGroupConsumer implements GroupConsumer {
  private readonly group: GroupCoordinator;
  private readonly wakeUp = new Notifier();
  private readonly paused = new Set<string>();
  private positions = new Map<string, { topic: string; partition: number; offset: number }>();
  private generationId = -1;
  private currentMemberId: string | undefined;
  private hasAssignment = false;
  private rebalanceNeeded = false;
  /** Inside join/sync: heartbeats would only report the rebalance this member is completing. */
  private joining = false;
  private running = false;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private loopDone: Promise<void> = Promise.resolve();
  private nextPartitionIndex = 0;
  /** Until this time (epoch ms) the member neither heartbeats nor fetches: see `stall()`. */
  private stalledUntil = 0;
  /** Set when a heartbeat finds this member evicted: the next rejoin reports `onLost`. */
  private lost = false;

  constructor(
    private readonly broker: EmbeddedBroker,
    private readonly options: GroupConsumerOptions,
    private readonly clientId: string,
  ) {
    this.group = broker.group(options.groupId);
  }

  get memberId(): string | undefined {
    return this.currentMemberId;
  }

  async run({ eachBatch, onCrash }: RunOptions): Promise<void> {
    if (this.running)
      throw new ClientStateError(`consumer of group ${this.options.groupId} is already running`);
    this.broker.ensureOpen();
    this.running = true;
    await this.joinGroup();
    this.startHeartbeats();
    this.loopDone = this.deliver(eachBatch).catch((error: unknown) => {
      const crashed = this.running;
      this.stop();
      if (crashed) onCrash?.(error instanceof Error ? error : new Error(String(error)));
    });
  }

  async commitOffsets(offsets: TopicPartitionOffset[]): Promise<void> {
    await yieldToEventLoop();
    this.group.commit(this.currentMemberId, this.generationId, offsets);
  }

  pause(partitions: TopicPartition[]): void {
    for (const { topic, partition } of partitions) this.paused.add(keyOf(topic, partition));
  }

  seek(offsets: TopicPartitionOffset[]): void {
    for (const { topic, partition, offset } of offsets) {
      const position = this.positions.get(keyOf(topic, partition));
      if (position !== undefined) position.offset = Number(offset);
    }
  }

  resume(partitions: TopicPartition[]): void {
    for (const { topic, partition } of partitions) this.paused.delete(keyOf(topic, partition));
    this.wakeUp.notify();
  }

  async close(): Promise<void> {
    if (!this.running) return;
    this.stop();
    // Leaving first releases a join that would otherwise wait for the whole group.
    if (this.joining && this.currentMemberId !== undefined) this.group.leave(this.currentMemberId);
    await this.loopDone;
    if (this.currentMemberId !== undefined) this.group.leave(this.currentMemberId);
    this.currentMemberId = undefined;
  }

  /**
   * Stops heartbeating and fetching without leaving the group, as a killed process would: the
   * coordinator evicts this member only when its session times out. A test hook.
   */
  abandon(): void {
    this.stop();
  }

  /**
   * Neither heartbeats nor fetches for `ms`, then carries on, as after a long GC pause or a
   * network partition: longer than the session timeout, the member finds itself evicted. A test hook.
   */
  stall(ms: number): void {
    this.stalledUntil = Date.now() + ms;
  }

  private stop(): void {
    this.running = false;
    clearInterval(this.heartbeatTimer);
    this.wakeUp.notify();
  }

  private async deliver(eachBatch: BatchHandler): Promise<void> {
    while (this.running && !this.broker.isClosed) {
      const stalledFor = this.stalledUntil - Date.now();
      if (stalledFor > 0) {
        await new Promise((resolve) => setTimeout(resolve, stalledFor));
        continue;
      }
      this.heartbeat();
      if (this.rebalanceNeeded) {
        await this.rejoin();
        continue;
      }
      const batch = this.nextBatch();
      if (batch) {
        await eachBatch(batch);
        continue;
      }
      await waitForAny(
        [this.broker.dataChanged, this.group.rebalanceStarted, this.wakeUp],
        this.options.maxWaitMs ?? 500,
      );
    }
  }

  /** Round-robin over assigned, unpaused partitions: the next one with something to read. */
  private nextBatch(): ConsumedBatch | undefined {
    const isolation = this.options.isolation ?? 'read_uncommitted';
    const positions = [...this.positions.values()];
    for (let i = 0; i < positions.length; i++) {
      const position = positions[(this.nextPartitionIndex + i) % positions.length]!;
      if (this.paused.has(keyOf(position.topic, position.partition))) continue;
      const log = this.broker.log(position.topic, position.partition);
      if (!log.hasDataAfter(position.offset, isolation)) continue;
      const { messages, nextOffset } = log.read(position.offset, MAX_BATCH_MESSAGES, isolation);
      position.offset = nextOffset;
      if (messages.length === 0) continue;
      this.nextPartitionIndex = (this.nextPartitionIndex + i + 1) % positions.length;
      return {
        topic: position.topic,
        partition: position.partition,
        messages,
        highWatermark: String(log.endOffset),
        nextOffset: String(nextOffset),
      };
    }
    return undefined;
  }

  private heartbeat(): void {
    if (this.currentMemberId === undefined || this.rebalanceNeeded || this.joining) return;
    if (Date.now() < this.stalledUntil) return;
    try {
      this.group.heartbeat(this.currentMemberId, this.generationId);
    } catch (error) {
      if (!(error instanceof RebalanceInProgressError || error instanceof CommitFailedError)) throw error;
      if (error instanceof CommitFailedError) {
        // Unknown member or ended generation: evicted while away, not just asked to rejoin.
        this.currentMemberId = undefined;
        this.lost = true;
      }
      this.rebalanceNeeded = true;
      this.wakeUp.notify();
    }
  }

  private startHeartbeats(): void {
    this.heartbeatTimer = setInterval(() => this.heartbeat(), this.options.heartbeatIntervalMs ?? 3_000);
    this.heartbeatTimer.unref();
  }

  private async rejoin(): Promise<void> {
    if (this.hasAssignment) {
      this.hasAssignment = false;
      this.positions = new Map();
      const { listener } = this.options;
      if (this.lost && listener.onLost !== undefined) await listener.onLost();
      else await listener.onRebalancing();
    }
    this.lost = false;
    await this.joinGroup();
  }

  /** Join and sync until both succeed in the same generation, then apply the assignment. */
  private async joinGroup(): Promise<void> {
    this.joining = true;
    let mine: MemberAssignment;
    try {
      mine = await this.joinAndSync();
    } finally {
      this.joining = false;
    }
    await this.applyAssignment(mine);
  }

  private async joinAndSync(): Promise<MemberAssignment> {
    const { assignor } = this.options;
    for (;;) {
      this.rebalanceNeeded = false;
      const joined = await this.group.join({
        memberId: this.currentMemberId,
        clientId: this.clientId,
        protocol: assignor.name,
        userData: assignor.userData(),
        topics: this.options.topics,
        sessionTimeoutMs: this.options.sessionTimeoutMs ?? 30_000,
        rebalanceTimeoutMs: this.options.rebalanceTimeoutMs ?? 60_000,
      });
      this.currentMemberId = joined.memberId;
      this.generationId = joined.generationId;
      try {
        const assignments = joined.leaderId === joined.memberId ? await this.assign(joined) : undefined;
        return await this.group.sync(joined.memberId, joined.generationId, assignments);
      } catch (error) {
        if (!(error instanceof RebalanceInProgressError || error instanceof CommitFailedError)) throw error;
      }
    }
  }

  private async assign(joined: JoinResult): Promise<Record<string, MemberAssignment>> {
    const topicPartitions: Record<string, number> = {};
    for (const topic of new Set(joined.members.flatMap((member) => member.topics))) {
      const count = this.broker.partitionCount(topic);
      if (count !== undefined) topicPartitions[topic] = count;
    }
    const members = joined.members.map(({ memberId, userData }) => ({ memberId, userData }));
    return this.options.assignor.assign({ members, topicPartitions });
  }

  private async applyAssignment({ assignment, userData }: MemberAssignment): Promise<void> {
    const positions = new Map<string, { topic: string; partition: number; offset: number }>();
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) {
        positions.set(keyOf(topic, partition), {
          topic,
          partition,
          offset: this.startOffset(topic, partition),
        });
      }
    }
    this.positions = positions;
    this.hasAssignment = true;
    await this.options.listener.onAssigned(copyAssignment(assignment), userData);
  }

  private startOffset(topic: string, partition: number): number {
    const committed = this.group.committedOffset(topic, partition);
    if (committed !== undefined) return committed;
    if (this.options.autoOffsetReset === 'latest') return this.broker.log(topic, partition).endOffset;
    return 0;
  }
}

function copyAssignment(assignment: TopicPartitions): TopicPartitions {
  return Object.fromEntries(
    Object.entries(assignment).map(([topic, partitions]) => [topic, [...partitions]]),
  );
}
