import type { Admin } from 'kafkajs';
import type {
  CommittedOffset,
  CreatedTopic,
  GroupMemberAssignment,
  KafkaAdmin,
  NewTopic,
  PartitionOffsets,
  PartitionRange,
  TopicPartition,
  TopicPartitionOffset,
} from '../port.js';
import { CommitFailedError } from '../errors.js';
import { decodeMemberAssignment } from './assignor.js';
import { hasProtocolError, retryTransient, retryWhileTopicPropagates, translateError } from './errors.js';

/** The admin port over a connected kafkajs admin client. */
export class KafkajsAdmin implements KafkaAdmin {
  constructor(
    private readonly admin: Admin,
    private readonly onClose: () => Promise<void> = () => admin.disconnect(),
  ) {}

  async createTopics(topics: NewTopic[]): Promise<CreatedTopic[]> {
    const results: CreatedTopic[] = [];
    for (const { topic, partitions, replicationFactor, configs = {} } of topics) {
      const created = await retryWhileTopicPropagates(
        () =>
          this.admin.createTopics({
            waitForLeaders: true,
            topics: [
              {
                topic,
                numPartitions: partitions,
                replicationFactor: replicationFactor ?? -1,
                configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })),
              },
            ],
          }),
        { topic },
      );
      const count = created
        ? partitions
        : (await retryWhileTopicPropagates(() => this.describeTopics([topic]), { topic }))[topic];
      results.push({ topic, created, partitions: count ?? partitions });
    }
    return results;
  }

  async describeTopics(topics: string[]): Promise<Record<string, number>> {
    // Listing first: a metadata request for a missing topic could auto-create it.
    const existing = new Set(await retryTransient(() => this.admin.listTopics()));
    const wanted = topics.filter((topic) => existing.has(topic));
    if (wanted.length === 0) return {};
    const metadata = await retryTransient(() => this.admin.fetchTopicMetadata({ topics: wanted }));
    return Object.fromEntries(metadata.topics.map(({ name, partitions }) => [name, partitions.length]));
  }

  async listOffsets(partitions: TopicPartition[]): Promise<PartitionOffsets[]> {
    const byTopic = new Map<string, TopicOffsets>();
    for (const topic of new Set(partitions.map((p) => p.topic))) {
      const wanted = partitions.filter((p) => p.topic === topic).map((p) => p.partition);
      byTopic.set(topic, await retryTransient(() => this.offsetsWithLeaders(topic, wanted), { topic }));
    }
    return partitions.map(({ topic, partition }) => {
      const found = byTopic.get(topic)!.find((p) => p.partition === partition)!;
      return { topic, partition, begin: found.low, end: found.high };
    });
  }

  /**
   * kafkajs leaves out partitions that have no leader at the moment (a broker just died, a topic
   * was just created) and throws a TypeError when none of a topic's partitions has one: both are
   * reported as LEADER_NOT_AVAILABLE, which the caller retries until a leader is elected.
   */
  private async offsetsWithLeaders(topic: string, wanted: number[]): Promise<TopicOffsets> {
    let offsets: TopicOffsets;
    try {
      offsets = await this.admin.fetchTopicOffsets(topic);
    } catch (error) {
      if (error instanceof TypeError) throw leaderNotAvailable(topic, wanted, error);
      throw error;
    }
    const missing = wanted.filter((partition) => !offsets.some((p) => p.partition === partition));
    if (missing.length > 0) throw leaderNotAvailable(topic, missing);
    return offsets;
  }

  async fetchCommittedOffsets(groupId: string, partitions: TopicPartition[]): Promise<CommittedOffset[]> {
    const topics = [...new Set(partitions.map((p) => p.topic))];
    const fetched = await retryTransient(() => this.admin.fetchOffsets({ groupId, topics }));
    return partitions.map(({ topic, partition }) => {
      const offset = fetched
        .find((t) => t.topic === topic)
        ?.partitions.find((p) => p.partition === partition)?.offset;
      return { topic, partition, offset: offset === undefined || offset === '-1' ? null : offset };
    });
  }

  async deleteTopics(topics: string[]): Promise<void> {
    const existing = new Set(await retryTransient(() => this.admin.listTopics()));
    const doomed = topics.filter((topic) => existing.has(topic));
    if (doomed.length > 0) await retryTransient(() => this.admin.deleteTopics({ topics: doomed }));
  }

  async deleteRecords(offsets: TopicPartitionOffset[]): Promise<void> {
    for (const topic of new Set(offsets.map((o) => o.topic))) {
      const partitions = offsets
        .filter((o) => o.topic === topic)
        .map(({ partition, offset }) => ({ partition, offset }));
      await retryTransient(
        async () => {
          // kafkajs looks the leaders up in cached metadata, which may not know the topic yet.
          await this.admin.fetchTopicMetadata({ topics: [topic] });
          await this.admin.deleteTopicRecords({ topic, partitions });
        },
        { topic },
      );
    }
  }

  async deleteGroups(groupIds: string[]): Promise<void> {
    if (groupIds.length === 0) return;
    try {
      await this.admin.deleteGroups(groupIds);
    } catch (error) {
      // GROUP_ID_NOT_FOUND (69) means already gone, which is what was asked for.
      const groups = (error as { groups?: { errorCode: number }[] }).groups;
      const onlyMissing = groups
        ? groups.every((g) => g.errorCode === 0 || g.errorCode === 69)
        : hasProtocolError(error, 'GROUP_ID_NOT_FOUND', 69);
      if (!onlyMissing) throw translateError(error);
    }
  }

  async describeGroupAssignments(groupId: string): Promise<GroupMemberAssignment[]> {
    const { groups } = await retryTransient(() => this.admin.describeGroups([groupId]));
    return (groups[0]?.members ?? []).map((member) => ({
      memberId: member.memberId,
      clientId: member.clientId,
      ...decodeMemberAssignment(member.memberAssignment),
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
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const topic of new Set(partitions.map((p) => p.topic))) {
      byTopic.set(
        topic,
        await retryTransient(() => this.admin.fetchTopicOffsetsByTimestamp(topic, timestamp), { topic }),
      );
    }
    return partitions.map(({ topic, partition }) => {
      const found = byTopic.get(topic)!.find((p) => p.partition === partition);
      if (!found) throw leaderNotAvailable(topic, [partition]);
      return { topic, partition, offset: found.offset };
    });
  }

  async alterCommittedOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void> {
    const members = await this.describeGroupAssignments(groupId);
    if (members.length > 0) {
      throw new CommitFailedError(
        `group ${groupId} has ${members.length} active member(s): its offsets can only be changed while it is empty`,
      );
    }
    await this.setStartOffsets(
      groupId,
      offsets.map(({ topic, partition, offset }) => ({ topic, partition, fromOffset: offset })),
    );
  }

  /** Commits start offsets for a group without members (the partition reader's private group). */
  async setStartOffsets(groupId: string, ranges: PartitionRange[]): Promise<void> {
    for (const topic of new Set(ranges.map((r) => r.topic))) {
      const partitions = ranges
        .filter((r) => r.topic === topic)
        .map(({ partition, fromOffset }) => ({ partition, offset: fromOffset }));
      await retryTransient(() => this.admin.setOffsets({ groupId, topic, partitions }), { topic });
    }
  }

  close(): Promise<void> {
    return this.onClose();
  }
}

type TopicOffsets = Awaited<ReturnType<Admin['fetchTopicOffsets']>>;

function leaderNotAvailable(topic: string, partitions: number[], cause?: unknown) {
  const names = partitions.map((partition) => `${topic}-${partition}`).join(', ');
  return Object.assign(new Error(`No leader for (or no such partition) ${names}`, { cause }), {
    type: 'LEADER_NOT_AVAILABLE',
    code: 5,
    retriable: true,
  });
}
