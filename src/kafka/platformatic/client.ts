import { Admin, compatibilityPartitioner, Producer } from '@platformatic/kafka';
import type { BaseOptions } from '@platformatic/kafka';
import { ClientStateError } from '../errors.js';
import type {
  GroupConsumer,
  GroupConsumerOptions,
  KafkaAdmin,
  KafkaClient,
  KafkaProducer,
  PartitionReader,
  PartitionReaderOptions,
  TransactionalProducer,
  TransactionalProducerOptions,
} from '../port.js';
import { PlatformaticAdmin } from './admin.js';
import { PlatformaticGroupConsumer } from './group-consumer.js';
import { PlatformaticPartitionReader } from './partition-reader.js';
import { assertPlatformaticNode, saslOptions } from './options.js';
import type { PlatformaticConnection } from './options.js';
import { PlatformaticProducer, PlatformaticTransactionalProducer } from './producer.js';

/** Longer than any transaction the runtime keeps open; the client passes it as the transaction timeout. */
const DEFAULT_TRANSACTION_TIMEOUT_MS = 60_000;

/** Options every @platformatic/kafka client of this adapter is created with. */
export function baseOptions(connection: PlatformaticConnection, suffix = ''): BaseOptions {
  const options: BaseOptions = {
    clientId: `${connection.clientId}${suffix}`,
    bootstrapBrokers: connection.brokers,
    autocreateTopics: false,
    retries: 5,
    retryDelay: 100,
  };
  if (connection.ssl !== undefined && connection.ssl !== false) {
    options.tls = connection.ssl === true ? {} : connection.ssl;
  }
  if (connection.sasl) options.sasl = saslOptions(connection.sasl);
  if (connection.connectionTimeoutMs !== undefined) options.connectTimeout = connection.connectionTimeoutMs;
  if (connection.requestTimeoutMs !== undefined) options.requestTimeout = connection.requestTimeoutMs;
  return options;
}

/**
 * The client port over @platformatic/kafka: admin, producers and transactions through the client's
 * own classes; group membership and fetching through its protocol APIs (see `group-consumer.ts`),
 * because the runtime runs its own assignor with per-member userData.
 */
export class PlatformaticClient implements KafkaClient {
  readonly kind = 'platformatic';
  private closed = false;

  constructor(private readonly connection: PlatformaticConnection) {
    assertPlatformaticNode(process.versions.node);
    if (connection.sasl) saslOptions(connection.sasl);
  }

  async admin(): Promise<KafkaAdmin> {
    this.ensureOpen();
    return new PlatformaticAdmin(new Admin(baseOptions(this.connection, '-admin')));
  }

  async producer(): Promise<KafkaProducer> {
    this.ensureOpen();
    const producer = new Producer<Buffer, Buffer, Buffer, Buffer>({
      ...baseOptions(this.connection, '-producer'),
      partitioner: compatibilityPartitioner,
      acks: -1,
      idempotent: true,
    });
    return new PlatformaticProducer(producer);
  }

  async transactionalProducer({
    transactionalId,
    transactionTimeoutMs,
  }: TransactionalProducerOptions): Promise<TransactionalProducer> {
    this.ensureOpen();
    const producer = new Producer<Buffer, Buffer, Buffer, Buffer>({
      ...baseOptions(this.connection, '-producer'),
      partitioner: compatibilityPartitioner,
      acks: -1,
      idempotent: true,
      transactionalId,
      // The client would send producer id 0 epoch 0, which the broker reads as a claim to be that
      // producer and answers PRODUCER_FENCED once another one exists: -1/-1 asks for a new epoch.
      producerId: -1n,
      producerEpoch: -1,
      timeout: transactionTimeoutMs ?? DEFAULT_TRANSACTION_TIMEOUT_MS,
    });
    return PlatformaticTransactionalProducer.start(producer, transactionalId);
  }

  consumer(options: GroupConsumerOptions): GroupConsumer {
    this.ensureOpen();
    return new PlatformaticGroupConsumer(baseOptions(this.connection, '-consumer'), options);
  }

  partitionReader(options: PartitionReaderOptions): PartitionReader {
    this.ensureOpen();
    return new PlatformaticPartitionReader(baseOptions(this.connection, '-reader'), options);
  }

  /** Marks the client closed; admins, producers and consumers are closed by their owners. */
  async close(): Promise<void> {
    this.closed = true;
  }

  private ensureOpen(): void {
    if (this.closed) throw new ClientStateError('the Kafka client is closed');
  }
}
