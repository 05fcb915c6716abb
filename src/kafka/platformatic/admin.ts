import { decodeConsumerProtocolAssignment } from '@platformatic/kafka';
import type { Admin } from '@platformatic/kafka';
import { CommitFailedError } from '../errors.js';
import type {
  CommittedOffset,
  CreatedTopic,
  GroupMemberAssignment,
  KafkaAdmin,
  NewTopic,
  PartitionOffsets,
  TopicPartition,
  TopicPartitionOffset,
  TopicPartitions,
} from '../port.js';
import { hasProtocolError, retryTransient, retryWhileTopicPropagates, translateError } from './errors.js';
import { callApi, coordinatorConnection } from './protocol.js';

const NO_BYTES = Buffer.alloc(0);
const LATEST = -1n;
const EARLIEST = -2n;
const READ_COMMITTED = 1;

/** Decodes a member's raw assignment bytes (as DescribeGroups returns them), userData included. */
export function decodeRawAssignment(bytes: Buffer | undefined): {
  assignment: TopicPartitions;
  userData: Buffer;
} {
  if (!bytes || bytes.length === 0) return { assignment: {}, userData: NO_BYTES };
  const decoded = decodeConsumerProtocolAssignment(bytes);
  const assignment: TopicPartitions = {};
  for (const { topic, partitions } of decoded.assignedPartitions) assignment[topic] = [...partitions];
  return { assignment, userData: decoded.userData ?? NO_BYTES };
}

function byTopic<T extends TopicPartition>(items: T[]): Map<string, T[]> {
  const grouped = new Map<string, T[]>();
  for (const item of items) {
    const list = grouped.get(item.topic);
    if (list) list.push(item);
    else grouped.set(item.topic, [item]);
  }
  return grouped;
}

interface DescribeGroupsResponse {
  groups: {
    errorCode: number;
    groupState: string;
    members: { memberId: string; clientId: string; memberAssignment: Buffer }[];
  }[];
}

/** The admin port over a connected @platformatic/kafka admin client. */
export class PlatformaticAdmin implements KafkaAdmin {
  constructor(
    private readonly admin: Admin,
    private readonly onClose: () => Promise<void> = () => admin.close(),
  ) {}

  async createTopics(topics: NewTopic[]): Promise<CreatedTopic[]> {
    const results: CreatedTopic[] = [];
    for (const { topic, partitions, replicationFactor, configs = {} } of topics) {
      const created = await retryWhileTopicPropagates(
        async () => {
          try {
            await this.admin.createTopics({
              topics: [topic],
              partitions,
              replicas: replicationFactor ?? -1,
              configs: Object.entries(configs).map(([name, value]) => ({ name, value })),
            });
            return true;
          } catch (error) {
            if (hasProtocolError(error, 'TOPIC_ALREADY_EXISTS')) return false;
            throw error;
          }
        },
        { topic },
      );
      if (created) await this.waitForLeaders(topic, partitions);
      const count = created
        ? partitions
        : (await retryWhileTopicPropagates(() => this.describeTopics([topic]), { topic }))[topic];
      results.push({ topic, created, partitions: count ?? partitions });
    }
    return results;
  }

  /** A new topic's partitions get leaders shortly after creation; producing before that fails. */
  private async waitForLeaders(topic: string, partitions: number): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const metadata = await this.admin.metadata({ topics: [topic], forceUpdate: true });
        const found = metadata.topics.get(topic);
        if (found && found.partitionsCount >= partitions && found.partitions.every((p) => p.leader >= 0))
          return;
      } catch (error) {
        if (Date.now() > deadline) throw translateError(error, { topic });
      }
      if (Date.now() > deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async describeTopics(topics: string[]): Promise<Record<string, number>> {
    // Listing first: a metadata request for a missing topic could auto-create it.
    const existing = new Set(await retryTransient(() => this.admin.listTopics()));
    const wanted = topics.filter((topic) => existing.has(topic));
    if (wanted.length === 0) return {};
    const metadata = await retryTransient(() => this.admin.metadata({ topics: wanted, forceUpdate: true }));
    return Object.fromEntries(
      wanted.map((topic) => [topic, metadata.topics.get(topic)?.partitionsCount ?? 0]),
    );
  }

  async listOffsets(partitions: TopicPartition[]): Promise<PartitionOffsets[]> {
    if (partitions.length === 0) return [];
    const [begin, end] = await Promise.all([
      this.offsetsAt(partitions, EARLIEST, 0),
      this.offsetsAt(partitions, LATEST, READ_COMMITTED),
    ]);
    return partitions.map(({ topic, partition }) => ({
      topic,
      partition,
      begin: begin.get(`${topic}:${partition}`)!,
      end: end.get(`${topic}:${partition}`)!,
    }));
  }

  private async offsetsAt(
    partitions: TopicPartition[],
    timestamp: bigint,
    isolationLevel: 0 | 1,
  ): Promise<Map<string, string>> {
    const topics = [...byTopic(partitions)].map(([name, list]) => ({
      name,
      partitions: list.map(({ partition }) => ({ partitionIndex: partition, timestamp })),
    }));
    const listed = await retryWhileTopicPropagates(() => this.admin.listOffsets({ topics, isolationLevel }));
    const found = new Map<string, string>();
    for (const topic of listed)
      for (const p of topic.partitions) found.set(`${topic.name}:${p.partitionIndex}`, String(p.offset));
    const missing = partitions.filter(({ topic, partition }) => !found.has(`${topic}:${partition}`));
    if (missing.length > 0) {
      throw translateError(
        Object.assign(
          new Error(`no offsets for ${missing.map((p) => `${p.topic}-${p.partition}`).join(', ')}`),
          {
            apiId: 'UNKNOWN_TOPIC_OR_PARTITION',
            apiCode: 3,
          },
        ),
      );
    }
    return found;
  }

  async fetchCommittedOffsets(groupId: string, partitions: TopicPartition[]): Promise<CommittedOffset[]> {
    if (partitions.length === 0) return [];
    const topics = [...byTopic(partitions)].map(([name, list]) => ({
      name,
      partitionIndexes: list.map((p) => p.partition),
    }));
    const [group] = await retryTransient(() =>
      this.admin.listConsumerGroupOffsets({ groups: [{ groupId, topics }], requireStable: true }),
    );
    return partitions.map(({ topic, partition }) => {
      const offset = group?.topics
        .find((t) => t.name === topic)
        ?.partitions.find((p) => p.partitionIndex === partition)?.committedOffset;
      return { topic, partition, offset: offset === undefined || offset < 0n ? null : String(offset) };
    });
  }

  async deleteTopics(topics: string[]): Promise<void> {
    const existing = new Set(await retryTransient(() => this.admin.listTopics()));
    const doomed = topics.filter((topic) => existing.has(topic));
    if (doomed.length > 0) await retryTransient(() => this.admin.deleteTopics({ topics: doomed }));
  }

  async deleteRecords(offsets: TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    const topics = [...byTopic(offsets)].map(([name, list]) => ({
      name,
      partitions: list.map(({ partition, offset }) => ({ partition, offset: BigInt(offset) })),
    }));
    await retryWhileTopicPropagates(() => this.admin.deleteRecords({ topics }));
  }

  async deleteGroups(groupIds: string[]): Promise<void> {
    for (const groupId of groupIds) {
      try {
        await retryTransient(async () => {
          try {
            await this.admin.deleteGroups({ groups: [groupId] });
          } catch (error) {
            if (!hasProtocolError(error, 'GROUP_ID_NOT_FOUND')) throw error;
          }
        });
      } catch (error) {
        throw translateError(error);
      }
    }
  }

  async describeGroupAssignments(groupId: string): Promise<GroupMemberAssignment[]> {
    // The client's describeGroups decodes assignments without their userData: read them raw.
    const response = await retryTransient(async () => {
      const { connection } = await coordinatorConnection(this.admin, groupId);
      return callApi<unknown[], DescribeGroupsResponse>(
        this.admin,
        'DescribeGroups',
        connection,
        [groupId],
        false,
      );
    });
    const group = response.groups[0];
    if (!group || group.groupState === 'Dead') return [];
    return group.members.map((member) => ({
      memberId: member.memberId,
      clientId: member.clientId,
      ...decodeRawAssignment(member.memberAssignment),
    }));
  }

  async listTopics(): Promise<string[]> {
    const topics = await retryTransient(() => this.admin.listTopics());
    return topics.filter((topic) => !topic.startsWith('__'));
  }

  async offsetsForTimestamp(
    partitions: TopicPartition[],
    timestamp: number,
  ): Promise<TopicPartitionOffset[]> {
    const [at, end] = await Promise.all([
      this.offsetsAt(partitions, BigInt(timestamp), 0),
      this.offsetsAt(partitions, LATEST, 0),
    ]);
    return partitions.map(({ topic, partition }) => {
      const key = `${topic}:${partition}`;
      const found = at.get(key)!;
      return { topic, partition, offset: found === '-1' ? end.get(key)! : found };
    });
  }

  async alterCommittedOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void> {
    const members = await this.describeGroupAssignments(groupId);
    if (members.length > 0) {
      throw new CommitFailedError(
        `group ${groupId} has ${members.length} active member(s): its offsets can only be changed while it is empty`,
      );
    }
    const topics = [...byTopic(offsets)].map(([name, list]) => ({
      name,
      partitionOffsets: list.map(({ partition, offset }) => ({ partition, offset: BigInt(offset) })),
    }));
    await retryWhileTopicPropagates(() => this.admin.alterConsumerGroupOffsets({ groupId, topics }));
  }

  close(): Promise<void> {
    return this.onClose();
  }
}
