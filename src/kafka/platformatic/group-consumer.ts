import { Admin } from '@platformatic/kafka';
import type { BaseOptions } from '@platformatic/kafka';
import { ClientStateError } from '../errors.js';
import type {
  ConsumedBatch,
  GroupConsumer,
  GroupConsumerOptions,
  RunOptions,
  TopicPartition,
  TopicPartitionOffset,
  TopicPartitions,
} from '../port.js';
import { PlatformaticAdmin } from './admin.js';
import { hasProtocolError, translateError } from './errors.js';
import { Fetcher } from './fetcher.js';
import type { FetchPosition } from './fetcher.js';
import { Membership } from './membership.js';

const key = (topic: string, partition: number): string => `${topic}:${partition}`;

/** A fetch in flight and the offset it asked for in each partition. */
interface InFlightFetch {
  batches: Promise<ConsumedBatch[]>;
  from: Map<string, bigint>;
}
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A group member whose membership, positions and fetching the adapter drives itself (see
 * `membership.ts` and `fetcher.ts`). One loop does everything in order, so the port's callback
 * contract holds by construction: a rebalance seen by the background heartbeat is acted on after
 * the in-flight batch, `onRebalancing` is awaited (its commit still carries the old generation,
 * which the broker accepts while it waits for this member to rejoin), then the member rejoins
 * and awaits `onAssigned` before fetching its new partitions. Pause and resume only change which
 * positions the next fetch asks for.
 */
export class PlatformaticGroupConsumer implements GroupConsumer {
  private readonly fetcher: Fetcher;
  private readonly admin: PlatformaticAdmin;
  private readonly membership: Membership;
  private readonly groupClient: Admin;
  private readonly positions = new Map<string, FetchPosition>();
  private readonly paused = new Set<string>();
  private assigned: TopicPartition[] = [];
  private hasAssignment = false;
  private rejoin: 'rebalance' | 'lost' | undefined = 'rebalance';
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  private closed = false;

  constructor(
    options: BaseOptions,
    private readonly consumerOptions: GroupConsumerOptions,
  ) {
    this.fetcher = new Fetcher(
      options,
      consumerOptions.groupId,
      consumerOptions.isolation ?? 'read_uncommitted',
      consumerOptions.maxWaitMs ?? 500,
    );
    this.admin = new PlatformaticAdmin(new Admin({ ...options, clientId: `${options.clientId}-admin` }));
    const rebalanceTimeoutMs = consumerOptions.rebalanceTimeoutMs ?? 60_000;
    // The broker holds a JoinGroup until every member rejoined, up to the rebalance timeout: the
    // group's own client must wait longer than that for an answer.
    this.groupClient = new Admin({
      ...options,
      clientId: `${options.clientId}-group`,
      requestTimeout: Math.max(options.requestTimeout ?? 30_000, rebalanceTimeoutMs + 5_000),
    });
    this.membership = new Membership(this.groupClient, {
      groupId: consumerOptions.groupId,
      topics: consumerOptions.topics,
      assignor: consumerOptions.assignor,
      sessionTimeoutMs: consumerOptions.sessionTimeoutMs ?? 45_000,
      rebalanceTimeoutMs,
      partitionCounts: (topics) => this.admin.describeTopics(topics),
    });
  }

  get memberId(): string | undefined {
    return this.membership.memberId === '' ? undefined : this.membership.memberId;
  }

  run({ eachBatch, onCrash }: RunOptions): Promise<void> {
    if (this.loop) throw new ClientStateError('a group consumer runs once');
    let assigned!: () => void;
    let failed!: (error: Error) => void;
    const firstAssignment = new Promise<void>((resolve, reject) => {
      assigned = resolve;
      failed = reject;
    });
    this.loop = (async () => {
      let prefetched: InFlightFetch | undefined;
      try {
        while (!this.closed) {
          if (this.rejoin !== undefined) {
            await prefetched?.batches.catch(() => undefined);
            prefetched = undefined;
            await this.rebalance();
            assigned();
            continue;
          }
          const current = prefetched ?? this.startFetch(new Map());
          prefetched = undefined;
          if (!current) {
            await sleep(Math.min(100, this.consumerOptions.maxWaitMs ?? 100));
            continue;
          }
          const batches = await current.batches;
          // The next fetch runs while these batches are handled; it is only delivered from where
          // the handled batches leave each partition (see the `from` check below).
          const after = new Map<string, bigint>();
          for (const batch of batches) {
            const id = key(batch.topic, batch.partition);
            if (this.deliverable(id, current)) after.set(id, BigInt(batch.nextOffset));
          }
          if (!this.closed && this.rejoin === undefined) prefetched = this.startFetch(after);
          for (const batch of batches) {
            if (this.closed || this.rejoin !== undefined) break;
            const id = key(batch.topic, batch.partition);
            if (!this.deliverable(id, current)) continue;
            if (batch.messages.length > 0) await eachBatch(batch);
            const position = this.positions.get(id)!;
            const next = BigInt(batch.nextOffset);
            if (next > position.offset) position.offset = next;
          }
        }
        await prefetched?.batches.catch(() => undefined);
      } catch (error) {
        void prefetched?.batches.catch(() => undefined);
        const translated = translateError(error);
        this.stopHeartbeat();
        failed(translated);
        if (!this.closed) onCrash?.(translated);
      }
    })();
    return firstAssignment;
  }

  /** Whether a fetched batch of partition `id` continues where the partition stands (and may run). */
  private deliverable(id: string, fetch: InFlightFetch): boolean {
    const position = this.positions.get(id);
    return position !== undefined && !this.paused.has(id) && fetch.from.get(id) === position.offset;
  }

  /**
   * Fetches every assigned, unpaused partition, from `after` where given (the offsets the batches
   * being handled will leave), else from its position. `undefined` when there is nothing to fetch.
   */
  private startFetch(after: Map<string, bigint>): InFlightFetch | undefined {
    const from = new Map<string, bigint>();
    const wanted: FetchPosition[] = [];
    for (const { topic, partition } of this.assigned) {
      const id = key(topic, partition);
      const position = this.positions.get(id);
      if (!position || this.paused.has(id)) continue;
      const offset = after.get(id) ?? position.offset;
      from.set(id, offset);
      wanted.push({ topic, partition, offset });
    }
    if (wanted.length === 0) return undefined;
    const batches = this.fetcher.fetch(wanted, async (stale) => {
      const reset = await this.resetPosition(stale);
      // Out of range (records deleted, or never there): start over from the reset offset.
      const position = this.positions.get(key(stale.topic, stale.partition));
      if (position) position.offset = reset;
      return reset;
    });
    return { batches, from };
  }

  /** Revokes (or drops, when evicted) the current assignment, rejoins, and hands over the new one. */
  private async rebalance(): Promise<void> {
    const { listener } = this.consumerOptions;
    this.stopHeartbeat();
    if (this.hasAssignment) {
      if (this.rejoin === 'lost' && listener.onLost) await listener.onLost();
      else await listener.onRebalancing();
      this.hasAssignment = false;
    }
    this.rejoin = undefined;
    const generation = await this.membership.join();
    this.startHeartbeat();
    await this.assign(generation.assignment);
    if (this.closed) return;
    this.hasAssignment = true;
    await listener.onAssigned(generation.assignment, generation.userData);
  }

  private async assign(assignment: TopicPartitions): Promise<void> {
    this.assigned = Object.entries(assignment).flatMap(([topic, partitions]) =>
      partitions.map((partition) => ({ topic, partition })),
    );
    this.positions.clear();
    const committed = await this.admin.fetchCommittedOffsets(this.consumerOptions.groupId, this.assigned);
    const missing = committed.filter((c) => c.offset === null);
    const resets = missing.length > 0 ? await this.admin.listOffsets(missing) : [];
    const latest = this.consumerOptions.autoOffsetReset === 'latest';
    for (const { topic, partition, offset } of committed) {
      const reset = resets.find((r) => r.topic === topic && r.partition === partition);
      const start = offset ?? (latest ? reset!.end : reset!.begin);
      this.positions.set(key(topic, partition), { topic, partition, offset: BigInt(start) });
    }
  }

  private async resetPosition(position: FetchPosition): Promise<bigint> {
    const [found] = await this.admin.listOffsets([position]);
    return BigInt(this.consumerOptions.autoOffsetReset === 'latest' ? found!.end : found!.begin);
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    const interval = this.consumerOptions.heartbeatIntervalMs ?? 3_000;
    const beat = async (): Promise<void> => {
      if (this.closed || this.rejoin !== undefined) return;
      try {
        await this.membership.heartbeat();
      } catch (error) {
        if (hasProtocolError(error, 'REBALANCE_IN_PROGRESS')) this.rejoin ??= 'rebalance';
        else if (hasProtocolError(error, 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'FENCED_INSTANCE_ID')) {
          this.rejoin = 'lost';
          if (hasProtocolError(error, 'UNKNOWN_MEMBER_ID')) this.membership.memberId = '';
        }
        // Anything else (a coordinator moving, a lost connection) is retried at the next beat.
      }
      if (!this.closed && this.rejoin === undefined)
        this.heartbeatTimer = setTimeout(() => void beat(), interval);
    };
    this.heartbeatTimer = setTimeout(() => void beat(), interval);
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  async commitOffsets(offsets: TopicPartitionOffset[]): Promise<void> {
    try {
      await this.membership.commit(offsets);
    } catch (error) {
      throw translateError(error);
    }
  }

  pause(partitions: TopicPartition[]): void {
    for (const { topic, partition } of partitions) this.paused.add(key(topic, partition));
  }

  resume(partitions: TopicPartition[]): void {
    for (const { topic, partition } of partitions) this.paused.delete(key(topic, partition));
  }

  seek(offsets: TopicPartitionOffset[]): void {
    // A batch fetched from the old position no longer starts where the partition stands, so
    // `deliverable` drops it: the next fetch asks from here.
    for (const { topic, partition, offset } of offsets) {
      const position = this.positions.get(key(topic, partition));
      if (position) position.offset = BigInt(offset);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopHeartbeat();
    await this.loop?.catch(() => undefined);
    try {
      await this.membership.leave();
    } catch {
      // Leaving is a courtesy: the session timeout removes the member anyway.
    }
    await this.fetcher.close();
    await this.admin.close();
    await this.groupClient.close();
  }
}
