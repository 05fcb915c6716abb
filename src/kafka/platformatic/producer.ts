import type { Connection, MessageToProduce, ProduceResult, Producer } from '@platformatic/kafka';
import type {
  KafkaProducer,
  ProducerRecord,
  ProducerTransaction,
  SentPartition,
  TransactionalProducer,
  TransactionOffsets,
} from '../port.js';
import { retryConcurrentTransactions, retryTransient, translated } from './errors.js';
import { callApi, coordinatorConnection } from './protocol.js';
import type { CoordinatorAddress } from './protocol.js';

type BufferProducer = Producer<Buffer, Buffer, Buffer, Buffer>;
type Transaction = Awaited<ReturnType<BufferProducer['beginTransaction']>>;

function toMessages(records: ProducerRecord[]): MessageToProduce<Buffer, Buffer, Buffer, Buffer>[] {
  const messages = new Array<MessageToProduce<Buffer, Buffer, Buffer, Buffer>>(records.length);
  for (let i = 0; i < records.length; i++) {
    const { topic, partition, key, value, timestamp, headers } = records[i]!;
    const message: MessageToProduce<Buffer, Buffer, Buffer, Buffer> = {
      topic,
      key: key ?? undefined,
      value: value ?? undefined,
      timestamp: BigInt(timestamp),
    };
    if (partition !== undefined) message.partition = partition;
    if (headers !== undefined) {
      const entries = new Map<Buffer, Buffer>();
      for (const name in headers) entries.set(Buffer.from(name), headers[name]!);
      message.headers = entries;
    }
    messages[i] = message;
  }
  return messages;
}

/** The first base offset the broker reported for each partition of one send. */
function sentPartitions(result: ProduceResult): SentPartition[] {
  const sent = new Map<string, SentPartition>();
  for (const { topic, partition, offset } of result.offsets ?? []) {
    const key = `${topic}:${partition}`;
    if (!sent.has(key)) sent.set(key, { topic, partition, baseOffset: String(offset) });
  }
  return [...sent.values()];
}

/** The non-transactional producer port over an @platformatic/kafka producer (acks=all). */
export class PlatformaticProducer implements KafkaProducer {
  constructor(private readonly producer: BufferProducer) {}

  async send(records: ProducerRecord[]): Promise<SentPartition[]> {
    if (records.length === 0) return [];
    return sentPartitions(
      await translated(() => this.producer.send({ messages: toMessages(records), acks: -1 })),
    );
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}

interface TxnOffsetCommitResponse {
  topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[];
}

/** The group coordinators a transactional producer commits offsets to, looked up once per group. */
class GroupCoordinators {
  private readonly known = new Map<string, CoordinatorAddress>();

  constructor(private readonly producer: BufferProducer) {}

  async get(groupId: string): Promise<Connection> {
    const address = this.known.get(groupId);
    if (address) return this.producer.connections.get(address);
    const found = await coordinatorConnection(this.producer, groupId);
    this.known.set(groupId, found.address);
    return found.connection;
  }

  forget(groupId: string): void {
    this.known.delete(groupId);
  }
}

class PlatformaticTransaction implements ProducerTransaction {
  /** Whether anything was added: an empty transaction never reached the coordinator. */
  private started = false;

  constructor(
    private readonly producer: BufferProducer,
    private readonly transaction: Transaction,
    private readonly coordinators: GroupCoordinators,
  ) {}

  async send(records: ProducerRecord[]): Promise<SentPartition[]> {
    if (records.length === 0) return [];
    this.started = true;
    const messages = toMessages(records);
    return sentPartitions(
      await retryConcurrentTransactions(() => this.transaction.send({ messages, acks: -1 })),
    );
  }

  async sendOffsets({ consumerGroupId, offsets }: TransactionOffsets): Promise<void> {
    if (offsets.length === 0) return;
    this.started = true;
    // addConsumer only reads the group id: it sends AddOffsetsToTxn for it.
    await retryConcurrentTransactions(() =>
      this.transaction.addConsumer({ groupId: consumerGroupId } as Parameters<
        typeof this.transaction.addConsumer
      >[0]),
    );
    // The client commits one offset per request from a consumed message; one request for all.
    const topics = new Map<
      string,
      { partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number }[]
    >();
    for (const { topic, partition, offset } of offsets) {
      const list = topics.get(topic) ?? [];
      list.push({ partitionIndex: partition, committedOffset: BigInt(offset), committedLeaderEpoch: -1 });
      topics.set(topic, list);
    }
    await retryConcurrentTransactions(async () => {
      const connection = await this.coordinators.get(consumerGroupId);
      return callApi<unknown[], TxnOffsetCommitResponse>(
        this.producer,
        'TxnOffsetCommit',
        connection,
        this.transaction.id,
        consumerGroupId,
        this.producer.producerId,
        this.producer.producerEpoch,
        -1,
        '',
        null,
        [...topics].map(([name, partitions]) => ({ name, partitions })),
      ).catch((error: unknown) => {
        // The coordinator may have moved: look it up again on the next attempt.
        this.coordinators.forget(consumerGroupId);
        throw error;
      });
    });
  }

  async commit(): Promise<void> {
    if (!this.started) return this.end(() => this.transaction.cancel());
    await this.end(() => this.transaction.commit());
  }

  async abort(): Promise<void> {
    if (!this.started) return this.end(() => this.transaction.cancel());
    await this.end(() => this.transaction.abort());
  }

  private end(operation: () => Promise<void>): Promise<void> {
    return translated(operation);
  }
}

/**
 * The transactional producer port. The client initialises the producer id at the first
 * `beginTransaction`; `start` forces it and cancels that empty transaction locally, so creating
 * the producer fences older ones, like Java's `initTransactions`.
 */
export class PlatformaticTransactionalProducer implements TransactionalProducer {
  private readonly coordinators: GroupCoordinators;

  private constructor(
    private readonly producer: BufferProducer,
    readonly transactionalId: string,
  ) {
    this.coordinators = new GroupCoordinators(producer);
  }

  static async start(
    producer: BufferProducer,
    transactionalId: string,
  ): Promise<PlatformaticTransactionalProducer> {
    const initial = await retryConcurrentTransactions(() => producer.beginTransaction());
    await translated(() => initial.cancel());
    return new PlatformaticTransactionalProducer(producer, transactionalId);
  }

  async beginTransaction(): Promise<ProducerTransaction> {
    const transaction = await retryTransient(() => this.producer.beginTransaction());
    return new PlatformaticTransaction(this.producer, transaction, this.coordinators);
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}
