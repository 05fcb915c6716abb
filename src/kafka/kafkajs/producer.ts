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

/**
 * kafkajs groups a send's messages per partition by copying the partition's array once per message
 * (`groupMessagesPerPartition`), which is quadratic in the messages per partition: a 100,000-record
 * commit spent most of its time there. Sending in chunks keeps that cost linear; the chunks of a
 * partition go one after another, so a retried chunk cannot overtake the next one.
 */
const MESSAGES_PER_REQUEST = 1_000;

type ChunkSender = (topicMessages: TopicMessages[]) => Promise<RecordMetadata[]>;

function toTopicMessages(records: readonly ProducerRecord[], from: number, to: number): TopicMessages[] {
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

/** Adds a request's partitions to `sent`, keeping the lowest base offset of each partition. */
function addSentPartitions(sent: Map<string, SentPartition>, metadata: RecordMetadata[]): void {
  for (const { topicName, partition, baseOffset } of metadata) {
    const key = `${topicName}:${partition}`;
    const known = sent.get(key);
    const offset = baseOffset ?? '-1';
    if (known === undefined || (offset !== '-1' && BigInt(offset) < BigInt(known.baseOffset)))
      sent.set(key, { topic: topicName, partition, baseOffset: offset });
  }
}

/**
 * Sends `records` as one request stream per partition (records without a partition: one per
 * topic), the partitions side by side, and settles only once every request has settled.
 *
 * One kafkajs `sendBatch` that spans several leaders is unsafe across a broker's death: when the
 * request to one leader fails while the request to another is still in flight (an `acks=all`
 * produce waits for the dead follower to leave the ISR), kafkajs retries at once, sends the
 * in-flight partitions again under new sequence numbers (the broker takes them as new records:
 * duplicates inside the transaction), and a partition whose leadership moved to a broker that had
 * already answered is never sent at all, yet reported sent. With one partition per request, a
 * retry resends only that partition under the sequence numbers of the failed attempt, which the
 * broker deduplicates; and nothing is in flight any more when a failure is reported.
 */
async function sendBatch(sendChunk: ChunkSender, records: ProducerRecord[]): Promise<SentPartition[]> {
  if (records.length === 0) return [];
  const perPartition = new Map<string, ProducerRecord[]>();
  for (const record of records) {
    const key = `${record.topic}:${record.partition ?? ''}`;
    let list = perPartition.get(key);
    if (!list) perPartition.set(key, (list = []));
    list.push(record);
  }
  const sent = new Map<string, SentPartition>();
  const results = await Promise.allSettled(
    [...perPartition.values()].map(async (list) => {
      for (let from = 0; from < list.length; from += MESSAGES_PER_REQUEST) {
        const to = Math.min(list.length, from + MESSAGES_PER_REQUEST);
        addSentPartitions(sent, await sendChunk(toTopicMessages(list, from, to)));
      }
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return [...sent.values()];
}

/** The non-transactional producer port over a connected kafkajs producer. */
export class KafkajsProducer implements KafkaProducer {
  constructor(private readonly producer: Producer) {}

  send(records: ProducerRecord[]): Promise<SentPartition[]> {
    return translated(() =>
      sendBatch((topicMessages) => this.producer.sendBatch({ topicMessages, acks: -1 }), records),
    );
  }

  close(): Promise<void> {
    return this.producer.disconnect();
  }
}

class KafkajsTransaction implements ProducerTransaction {
  constructor(private readonly transaction: TransactionHandle) {}

  /** A failed request is retried alone (see `sendBatch`): what was acknowledged is never sent twice. */
  send(records: ProducerRecord[]): Promise<SentPartition[]> {
    return translated(() =>
      sendBatch(
        (topicMessages) =>
          retryConcurrentTransactions(() => this.transaction.sendBatch({ topicMessages, acks: -1 })),
        records,
      ),
    );
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
