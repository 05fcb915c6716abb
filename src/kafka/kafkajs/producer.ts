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

/**
 * kafkajs groups a send's messages per partition by copying the partition's array once per message
 * (`groupMessagesPerPartition`), which is quadratic in the messages per partition: a 100,000-record
 * commit spent most of its time there. Sending in chunks keeps that cost linear; the chunks go one
 * after another, so a retried chunk cannot overtake the next one within a partition.
 */
const MESSAGES_PER_REQUEST = 1_000;

function toTopicMessages(records: ProducerRecord[], from: number, to: number): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (let i = from; i < to; i++) {
    const { topic, partition, key, value, timestamp, headers } = records[i]!;
    let messages = byTopic.get(topic);
    if (!messages) byTopic.set(topic, (messages = []));
    const message: Message = { key, value, timestamp: String(timestamp) };
    if (headers !== undefined) message.headers = headers;
    if (partition !== undefined) message.partition = partition;
    messages.push(message);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

/** Adds a chunk's partitions to `sent`, keeping the first chunk's base offset of each partition. */
function addSentPartitions(sent: Map<string, SentPartition>, metadata: RecordMetadata[]): void {
  for (const { topicName, partition, baseOffset } of metadata) {
    const key = `${topicName}:${partition}`;
    if (!sent.has(key)) sent.set(key, { topic: topicName, partition, baseOffset: baseOffset ?? '-1' });
  }
}

async function sendBatch(sender: BatchSender, records: ProducerRecord[]): Promise<SentPartition[]> {
  if (records.length === 0) return [];
  const sent = new Map<string, SentPartition>();
  for (let from = 0; from < records.length; from += MESSAGES_PER_REQUEST) {
    const to = Math.min(records.length, from + MESSAGES_PER_REQUEST);
    addSentPartitions(
      sent,
      await sender.sendBatch({ topicMessages: toTopicMessages(records, from, to), acks: -1 }),
    );
  }
  return [...sent.values()];
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
