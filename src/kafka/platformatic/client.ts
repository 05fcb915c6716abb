import { Admin, compatibilityPartitioner, Producer } from '@platformatic/kafka';
import type { BaseOptions, SASLOptions as PlatformaticSasl } from '@platformatic/kafka';
import type { SASLOptions } from 'kafkajs';
import { ConfigError } from '../../errors.js';
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
import { PlatformaticProducer, PlatformaticTransactionalProducer } from './producer.js';

/** Connection settings of a real cluster for the @platformatic/kafka adapter. */
export interface PlatformaticConnection {
  brokers: string[];
  clientId: string;
  /** `true` or Node TLS options. */
  ssl?: boolean | Record<string, unknown>;
  sasl?: SASLOptions;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/** The oldest Node.js @platformatic/kafka 2.x supports (its `engines`). */
export const PLATFORMATIC_MINIMUM_NODE = '22.22.0';

/**
 * Throws a `ConfigError` when `version` (a `process.versions.node` string) is older than
 * {@link PLATFORMATIC_MINIMUM_NODE}: choosing this client on an older Node fails at once, with the
 * way out, instead of somewhere inside the client later.
 *
 * @example
 * ```ts
 * assertPlatformaticNode(process.versions.node);
 * ```
 */
export function assertPlatformaticNode(version: string): void {
  const actual = version.split('.').map((part) => Number.parseInt(part, 10) || 0);
  const minimum = PLATFORMATIC_MINIMUM_NODE.split('.').map(Number);
  for (let i = 0; i < minimum.length; i++) {
    if (actual[i]! > minimum[i]!) return;
    if (actual[i]! < minimum[i]!) {
      throw new ConfigError(
        `the 'platformatic' Kafka client (@platformatic/kafka) needs Node.js >= ${PLATFORMATIC_MINIMUM_NODE}; this process runs Node.js ${version}. Upgrade Node.js or use the default 'kafkajs' client.`,
      );
    }
  }
}

/** Longer than any transaction the runtime keeps open; the client passes it as the transaction timeout. */
const DEFAULT_TRANSACTION_TIMEOUT_MS = 60_000;

function saslOptions(sasl: SASLOptions): PlatformaticSasl {
  const mechanism = sasl.mechanism.toUpperCase();
  if (mechanism !== 'PLAIN' && mechanism !== 'SCRAM-SHA-256' && mechanism !== 'SCRAM-SHA-512') {
    throw new ConfigError(
      `sasl.mechanism ${JSON.stringify(sasl.mechanism)} is not supported by the platformatic client (plain, scram-sha-256, scram-sha-512)`,
    );
  }
  const { username, password } = sasl as { username: string; password: string };
  return { mechanism, username, password };
}

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
