import type {
  CommittedOffset,
  CreatedTopic,
  GroupMemberAssignment,
  KafkaAdmin,
  NewTopic,
  PartitionOffsets,
  TopicPartition,
  TopicPartitionOffset,
} from '../port.js';
import type { EmbeddedBroker } from './broker.js';
import { yieldToEventLoop } from './notifier.js';

/** The admin port on the embedded broker. */
export class EmbeddedAdmin implements KafkaAdmin {
  constructor(private readonly broker: EmbeddedBroker) {}

  async createTopics(topics: NewTopic[]): Promise<CreatedTopic[]> {
    await yieldToEventLoop();
    return topics.map((topic) => this.broker.createTopic(topic));
  }

  async describeTopics(topics: string[]): Promise<Record<string, number>> {
    await yieldToEventLoop();
    const counts: Record<string, number> = {};
    for (const topic of topics) {
      const count = this.broker.partitionCount(topic);
      if (count !== undefined) counts[topic] = count;
    }
    return counts;
  }

  async listOffsets(partitions: TopicPartition[]): Promise<PartitionOffsets[]> {
    await yieldToEventLoop();
    return partitions.map(({ topic, partition }) => ({
      topic,
      partition,
      begin: String(this.broker.log(topic, partition).startOffset),
      end: String(this.broker.log(topic, partition).lastStableOffset()),
    }));
  }

  async fetchCommittedOffsets(groupId: string, partitions: TopicPartition[]): Promise<CommittedOffset[]> {
    await yieldToEventLoop();
    const group = this.broker.existingGroup(groupId);
    return partitions.map(({ topic, partition }) => {
      const offset = group?.committedOffset(topic, partition);
      return { topic, partition, offset: offset === undefined ? null : String(offset) };
    });
  }

  async deleteTopics(topics: string[]): Promise<void> {
    await yieldToEventLoop();
    for (const topic of topics) this.broker.deleteTopic(topic);
  }

  async deleteRecords(offsets: TopicPartitionOffset[]): Promise<void> {
    await yieldToEventLoop();
    for (const { topic, partition, offset } of offsets)
      this.broker.log(topic, partition).deleteBefore(Number(offset));
  }

  async deleteGroups(groupIds: string[]): Promise<void> {
    await yieldToEventLoop();
    for (const groupId of groupIds) this.broker.deleteGroup(groupId);
  }

  async describeGroupAssignments(groupId: string): Promise<GroupMemberAssignment[]> {
    await yieldToEventLoop();
    return this.broker.existingGroup(groupId)?.describe() ?? [];
  }

  async listTopics(): Promise<string[]> {
    await yieldToEventLoop();
    return this.broker.topicNames();
  }

  async offsetsForTimestamp(
    partitions: TopicPartition[],
    timestamp: number,
  ): Promise<TopicPartitionOffset[]> {
    await yieldToEventLoop();
    return partitions.map(({ topic, partition }) => ({
      topic,
      partition,
      offset: String(this.broker.log(topic, partition).offsetForTimestamp(timestamp)),
    }));
  }

  async alterCommittedOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void> {
    await yieldToEventLoop();
    this.broker.group(groupId).commit(undefined, -1, offsets);
  }

  async close(): Promise<void> {}
}
