import {
  decodeConsumerProtocolSubscription,
  encodeConsumerProtocolAssignment,
  encodeConsumerProtocolSubscription,
} from '@platformatic/kafka';
import type { Base, Connection } from '@platformatic/kafka';
import type { MemberAssignment, PartitionAssignor, TopicPartitionOffset, TopicPartitions } from '../port.js';
import { decodeRawAssignment } from './admin.js';
import { hasProtocolError, isNetworkError, retryTransient, translateError } from './errors.js';
import { callApi, coordinatorConnection } from './protocol.js';
import type { CoordinatorAddress } from './protocol.js';

const NO_BYTES = Buffer.alloc(0);
/**
 * Version 0 of the consumer protocol (topics and userData, no owned partitions): the runtime's
 * assignor is eager and carries everything it needs in userData.
 */
const PROTOCOL_VERSION = 0;

interface JoinGroupResponse {
  generationId: number;
  protocolName: string | null;
  leader: string;
  memberId: string;
  members: { memberId: string; metadata: Buffer }[];
}

/** Settings of one member's group membership. */
export interface MembershipOptions {
  groupId: string;
  topics: string[];
  assignor: PartitionAssignor;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  /** Partition counts of the subscribed topics that exist, for the leader's assignor. */
  partitionCounts: (topics: string[]) => Promise<Record<string, number>>;
}

/** The outcome of one join: this member's generation and what the leader assigned it. */
export interface Generation {
  generationId: number;
  memberId: string;
  assignment: TopicPartitions;
  userData: Buffer;
}

/**
 * The classic group protocol driven by the adapter itself (JoinGroup, SyncGroup, Heartbeat,
 * OffsetCommit, LeaveGroup) through @platformatic/kafka's protocol APIs, because its consumer
 * assigns a one-member group without calling the assignor and sends one userData to every member.
 * Here the leader always runs the runtime's assignor, and each member's userData travels in its
 * own assignment.
 */
export class Membership {
  memberId = '';
  generationId = -1;
  private coordinator: CoordinatorAddress | undefined;

  constructor(
    private readonly client: Base,
    private readonly options: MembershipOptions,
  ) {}

  /** Joins (or rejoins) the group and returns this member's assignment of the new generation. */
  async join(): Promise<Generation> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.joinOnce();
      } catch (error) {
        const network = isNetworkError(error);
        const again =
          network ||
          hasProtocolError(
            error,
            'MEMBER_ID_REQUIRED',
            'UNKNOWN_MEMBER_ID',
            'REBALANCE_IN_PROGRESS',
            'ILLEGAL_GENERATION',
            'NOT_COORDINATOR',
            'COORDINATOR_NOT_AVAILABLE',
            'COORDINATOR_LOAD_IN_PROGRESS',
          );
        if (!again || attempt > 50) throw translateError(error);
        if (hasProtocolError(error, 'MEMBER_ID_REQUIRED')) {
          this.memberId = (error as { response?: { memberId?: string } }).response?.memberId ?? '';
          continue;
        }
        if (hasProtocolError(error, 'UNKNOWN_MEMBER_ID')) this.memberId = '';
        if (network || hasProtocolError(error, 'NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE'))
          this.coordinator = undefined;
        await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 50 * (attempt + 1))));
      }
    }
  }

  private async joinOnce(): Promise<Generation> {
    const { groupId, topics, assignor } = this.options;
    const connection = await this.connection();
    const metadata = encodeConsumerProtocolSubscription({
      version: PROTOCOL_VERSION,
      topics,
      userData: assignor.userData(),
    });
    const joined = await callApi<unknown[], JoinGroupResponse>(
      this.client,
      'JoinGroup',
      connection,
      groupId,
      this.options.sessionTimeoutMs,
      this.options.rebalanceTimeoutMs,
      this.memberId,
      null,
      'consumer',
      [{ name: assignor.name, metadata }],
      '',
    );
    this.memberId = joined.memberId;
    this.generationId = joined.generationId;
    let assignments: { memberId: string; assignment: Buffer }[] = [];
    let own: MemberAssignment | undefined;
    if (joined.leader === joined.memberId) {
      const members = joined.members.map(({ memberId, metadata: bytes }) => ({
        memberId,
        userData:
          bytes.length > 0 ? (decodeConsumerProtocolSubscription(bytes).userData ?? NO_BYTES) : NO_BYTES,
      }));
      const subscribed = [
        ...new Set(
          joined.members.flatMap(({ metadata: bytes }) => decodeConsumerProtocolSubscription(bytes).topics),
        ),
      ];
      const result = await assignor.assign({
        members,
        topicPartitions: await this.options.partitionCounts(subscribed),
      });
      own = result[joined.memberId];
      assignments = members.map(({ memberId }) => ({
        memberId,
        assignment: encodeConsumerProtocolAssignment({
          version: PROTOCOL_VERSION,
          assignedPartitions: Object.entries(result[memberId]?.assignment ?? {}).map(
            ([topic, partitions]) => ({
              topic,
              partitions,
            }),
          ),
          userData: result[memberId]?.userData ?? NO_BYTES,
        }),
      }));
    }
    const synced = await callApi<unknown[], { assignment: Buffer }>(
      this.client,
      'SyncGroup',
      connection,
      groupId,
      this.generationId,
      this.memberId,
      null,
      'consumer',
      joined.protocolName,
      assignments,
    );
    const decoded = decodeRawAssignment(synced.assignment);
    return {
      generationId: this.generationId,
      memberId: this.memberId,
      assignment: own?.assignment ?? decoded.assignment,
      userData: decoded.userData.length > 0 ? decoded.userData : (own?.userData ?? decoded.userData),
    };
  }

  /** One heartbeat; rejects with the protocol error when the group rebalances or evicted this member. */
  async heartbeat(): Promise<void> {
    const connection = await this.connection();
    try {
      await callApi(
        this.client,
        'Heartbeat',
        connection,
        this.options.groupId,
        this.generationId,
        this.memberId,
        null,
      );
    } catch (error) {
      if (hasProtocolError(error, 'NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE'))
        this.coordinator = undefined;
      throw error;
    }
  }

  /** Commits offsets for this member's generation (rejected once the group moved on). */
  async commit(offsets: TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    const topics = new Map<
      string,
      { partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number }[]
    >();
    for (const { topic, partition, offset } of offsets) {
      const list = topics.get(topic) ?? [];
      list.push({ partitionIndex: partition, committedOffset: BigInt(offset), committedLeaderEpoch: -1 });
      topics.set(topic, list);
    }
    await retryTransient(async () => {
      const connection = await this.connection();
      try {
        await callApi(
          this.client,
          'OffsetCommit',
          connection,
          this.options.groupId,
          this.generationId,
          this.memberId,
          null,
          [...topics].map(([name, partitions]) => ({ name, partitions })),
        );
      } catch (error) {
        if (hasProtocolError(error, 'NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE'))
          this.coordinator = undefined;
        throw error;
      }
    });
  }

  /** Leaves the group so that the others rebalance at once instead of after the session timeout. */
  async leave(): Promise<void> {
    if (this.memberId === '') return;
    const connection = await this.connection();
    await callApi(this.client, 'LeaveGroup', connection, this.options.groupId, [
      { memberId: this.memberId, groupInstanceId: null, reason: 'closed' },
    ]);
    this.memberId = '';
    this.generationId = -1;
  }

  private async connection(): Promise<Connection> {
    if (this.coordinator) return this.client.connections.get(this.coordinator);
    const found = await retryTransient(() => coordinatorConnection(this.client, this.options.groupId));
    this.coordinator = found.address;
    return found.connection;
  }
}
