import { ClientStateError, KafkaClientError, UnknownTopicError } from '../errors.js';
import { partitionForKey } from '../partitioner.js';
import type { CreatedTopic, NewTopic, ProducerRecord, SentPartition, TopicPartitionOffset } from '../port.js';
import { GroupCoordinator } from './group-coordinator.js';
import { Notifier } from './notifier.js';
import { PartitionLog } from './partition-log.js';
import { TransactionCoordinator } from './transaction-coordinator.js';
import type { OpenTransaction } from './transaction-coordinator.js';

interface Topic {
  partitions: PartitionLog[];
  configs: Record<string, string>;
  /** Round-robin position for records without key. */
  nextUnkeyedPartition: number;
}

/**
 * The state of an in-process Kafka cluster: topics of append-only partition logs, consumer
 * groups and transactional ids. Clients reach it through `EmbeddedKafkaClient`.
 */
export class EmbeddedBroker {
  /** Fires after every append or transaction end, so idle readers look again. */
  readonly dataChanged = new Notifier();
  readonly transactions: TransactionCoordinator;
  private readonly topics = new Map<string, Topic>();
  private readonly groups = new Map<string, GroupCoordinator>();
  private closed = false;

  constructor() {
    this.transactions = new TransactionCoordinator((groupId, offsets) =>
      this.group(groupId).commitUnchecked(offsets),
    );
  }

  createTopic({ topic, partitions, configs = {} }: NewTopic): CreatedTopic {
    this.ensureOpen();
    const existing = this.topics.get(topic);
    if (existing) return { topic, created: false, partitions: existing.partitions.length };
    if (!Number.isInteger(partitions) || partitions < 1) {
      throw new KafkaClientError(`topic ${topic}: partitions must be a positive integer, got ${partitions}`, {
        topic,
        type: 'INVALID_PARTITIONS',
      });
    }
    const logs = Array.from({ length: partitions }, () => new PartitionLog());
    this.topics.set(topic, { partitions: logs, configs: { ...configs }, nextUnkeyedPartition: 0 });
    return { topic, created: true, partitions };
  }

  partitionCount(topic: string): number | undefined {
    return this.topics.get(topic)?.partitions.length;
  }

  topicNames(): string[] {
    return [...this.topics.keys()];
  }

  deleteTopic(topic: string): void {
    this.topics.delete(topic);
  }

  log(topic: string, partition: number): PartitionLog {
    const log = this.topics.get(topic)?.partitions[partition];
    if (!log)
      throw new UnknownTopicError(`unknown topic-partition ${topic}-${partition}`, {
        topic,
        partition,
        type: 'UNKNOWN_TOPIC_OR_PARTITION',
      });
    return log;
  }

  /** Appends records (inside `transaction` when given); topics must exist, as with auto-creation off. */
  append(records: ProducerRecord[], transaction: OpenTransaction | null): SentPartition[] {
    this.ensureOpen();
    const sent = new Map<string, SentPartition>();
    for (const record of records) {
      const partition = this.choosePartition(record);
      const log = this.log(record.topic, partition);
      const offset = log.append(record, transaction);
      transaction?.partitions.add(log);
      const key = `${record.topic}\u0000${partition}`;
      if (!sent.has(key)) sent.set(key, { topic: record.topic, partition, baseOffset: String(offset) });
    }
    this.dataChanged.notify();
    return [...sent.values()];
  }

  group(groupId: string): GroupCoordinator {
    let group = this.groups.get(groupId);
    if (!group) {
      group = new GroupCoordinator(groupId);
      this.groups.set(groupId, group);
    }
    return group;
  }

  existingGroup(groupId: string): GroupCoordinator | undefined {
    return this.groups.get(groupId);
  }

  deleteGroup(groupId: string): void {
    const group = this.groups.get(groupId);
    if (!group) return;
    if (!group.isEmpty)
      throw new KafkaClientError(`group ${groupId} is not empty`, { type: 'NON_EMPTY_GROUP' });
    this.groups.delete(groupId);
  }

  commitGroupOffsets(groupId: string, offsets: TopicPartitionOffset[]): void {
    this.group(groupId).commitUnchecked(offsets);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Stops every group's timers; later operations throw `ClientStateError`. */
  close(): void {
    this.closed = true;
    for (const group of this.groups.values()) group.shutdown();
    this.dataChanged.notify();
  }

  ensureOpen(): void {
    if (this.closed) throw new ClientStateError('the embedded broker is closed');
  }

  private choosePartition(record: ProducerRecord): number {
    const topic = this.topics.get(record.topic);
    if (!topic)
      throw new UnknownTopicError(`unknown topic ${record.topic}`, {
        topic: record.topic,
        type: 'UNKNOWN_TOPIC_OR_PARTITION',
      });
    if (record.partition !== undefined) return record.partition;
    const count = topic.partitions.length;
    if (record.key !== null) return partitionForKey(record.key, count);
    const partition = topic.nextUnkeyedPartition % count;
    topic.nextUnkeyedPartition = partition + 1;
    return partition;
  }
}
