import type { Message, Producer, RecordMetadata, TopicMessages } from 'kafkajs';
import type {
  KafkaProducer,
  ProducerRecord,
  ProducerTransaction,
  SentPartition,
  TransactionalProducer,
  TransactionOffsets,
} from '../port.js';
import { retryConcurrentTransactions, translated } from './errors.js';

type TransactionHandle = Awaited<ReturnType<Producer['transaction']>>;
type BatchSender = Pick<Producer, 'sendBatch'>;

function toTopicMessages(records: ProducerRecord[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const { topic, partition, key, value, timestamp, headers } of records) {
    let messages = byTopic.get(topic);
    if (!messages) byTopic.set(topic, (messages = []));
    messages.push({
      key,
      value,
      timestamp: String(timestamp),
      ...(headers ? { headers } : {}),
      ...(partition === undefined ? {} : { partition }),
    });
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

function toSentPartitions(metadata: RecordMetadata[]): SentPartition[] {
  return metadata.map(({ topicName, partition, baseOffset }) => ({
    topic: topicName,
    partition,
    baseOffset: baseOffset ?? '-1',
  }));
}

async function sendBatch(sender: BatchSender, records: ProducerRecord[]): Promise<SentPartition[]> {
  if (records.length === 0) return [];
  return toSentPartitions(await sender.sendBatch({ topicMessages: toTopicMessages(records), acks: -1 }));
}

/** The non-transactional producer port over a connected kafkajs producer. */
export class KafkajsProducer implements KafkaProducer {
  constructor(private readonly producer: Producer) {}

  send(records: ProducerRecord[]): Promise<SentPartition[]> {
    return translated(() => sendBatch(this.producer, records));
  }

  close(): Promise<void> {
    return this.producer.disconnect();
  }
}

class KafkajsTransaction implements ProducerTransaction {
  constructor(private readonly transaction: TransactionHandle) {}

  send(records: ProducerRecord[]): Promise<SentPartition[]> {
    return retryConcurrentTransactions(() => sendBatch(this.transaction, records));
  }

  sendOffsets({ consumerGroupId, offsets }: TransactionOffsets): Promise<void> {
    const topics = [...new Set(offsets.map((o) => o.topic))].map((topic) => ({
      topic,
      partitions: offsets
        .filter((o) => o.topic === topic)
        .map(({ partition, offset }) => ({ partition, offset })),
    }));
    return retryConcurrentTransactions(() => this.transaction.sendOffsets({ consumerGroupId, topics }));
  }

  commit(): Promise<void> {
    return translated(() => this.transaction.commit());
  }

  abort(): Promise<void> {
    return translated(() => this.transaction.abort());
  }
}

/**
 * The transactional producer port. kafkajs initialises transactions lazily, at the first
 * `transaction()`; `start` forces it (an empty transaction, aborted locally without a request) so
 * that creating the producer fences older ones, like Java's `initTransactions`.
 */
export class KafkajsTransactionalProducer implements TransactionalProducer {
  private constructor(
    private readonly producer: Producer,
    readonly transactionalId: string,
  ) {}

  static async start(producer: Producer, transactionalId: string): Promise<KafkajsTransactionalProducer> {
    await translated(() => producer.connect());
    const initial = await retryConcurrentTransactions(() => producer.transaction());
    await translated(() => initial.abort());
    return new KafkajsTransactionalProducer(producer, transactionalId);
  }

  async beginTransaction(): Promise<ProducerTransaction> {
    return new KafkajsTransaction(await retryConcurrentTransactions(() => this.producer.transaction()));
  }

  close(): Promise<void> {
    return this.producer.disconnect();
  }
}
