import kafkajs from 'kafkajs';
import type { Kafka, KafkaConfig, LogEntry, SASLOptions } from 'kafkajs';
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
import { KafkajsAdmin } from './admin.js';
import { translated } from './errors.js';
import { KafkajsGroupConsumer } from './group-consumer.js';
import { KafkajsPartitionReader } from './partition-reader.js';
import { KafkajsProducer, KafkajsTransactionalProducer } from './producer.js';
import { fixRequestQueueTimer } from './request-queue-timer.js';

const { Kafka: KafkaClass, Partitioners, logLevel: LogLevel } = kafkajs;

/** Log levels of the client logger, quietest first. */
export type KafkaLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

/** One log line from the Kafka client. */
export interface KafkaLogEntry {
  level: Exclude<KafkaLogLevel, 'nothing'>;
  namespace: string;
  message: string;
  extra: Record<string, unknown>;
}

/** Connection settings of a real cluster. */
export interface KafkajsConnection {
  brokers: string[];
  clientId: string;
  ssl?: KafkaConfig['ssl'];
  sasl?: SASLOptions;
  logLevel: KafkaLogLevel;
  logger?: (entry: KafkaLogEntry) => void;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

const LEVELS = {
  nothing: LogLevel.NOTHING,
  error: LogLevel.ERROR,
  warn: LogLevel.WARN,
  info: LogLevel.INFO,
  debug: LogLevel.DEBUG,
};
const LEVEL_NAMES: Record<number, KafkaLogEntry['level']> = {
  [LogLevel.ERROR]: 'error',
  [LogLevel.WARN]: 'warn',
  [LogLevel.INFO]: 'info',
  [LogLevel.DEBUG]: 'debug',
};

function createKafka(connection: KafkajsConnection): Kafka {
  fixRequestQueueTimer();
  const { logger } = connection;
  return new KafkaClass({
    clientId: connection.clientId,
    brokers: connection.brokers,
    ...(connection.ssl === undefined ? {} : { ssl: connection.ssl }),
    ...(connection.sasl === undefined ? {} : { sasl: connection.sasl }),
    ...(connection.connectionTimeoutMs === undefined
      ? {}
      : { connectionTimeout: connection.connectionTimeoutMs }),
    ...(connection.requestTimeoutMs === undefined ? {} : { requestTimeout: connection.requestTimeoutMs }),
    logLevel: LEVELS[connection.logLevel],
    ...(logger
      ? {
          logCreator:
            () =>
            ({ namespace, level, log }: LogEntry) => {
              const { message, ...extra } = log;
              logger({ level: LEVEL_NAMES[level] ?? 'info', namespace, message, extra });
            },
        }
      : {}),
  });
}

/** The client port over kafkajs: one `Kafka` instance, one lazily connected shared admin. */
export class KafkajsClient implements KafkaClient {
  readonly kind = 'kafkajs';
  private readonly kafka: Kafka;
  private sharedAdmin: Promise<KafkajsAdmin> | undefined;
  private closed = false;

  constructor(connection: KafkajsConnection) {
    this.kafka = createKafka(connection);
  }

  async admin(): Promise<KafkaAdmin> {
    this.ensureOpen();
    const admin = this.kafka.admin();
    await translated(() => admin.connect());
    return new KafkajsAdmin(admin);
  }

  async producer(): Promise<KafkaProducer> {
    this.ensureOpen();
    const producer = this.kafka.producer({
      createPartitioner: Partitioners.JavaCompatiblePartitioner,
      allowAutoTopicCreation: false,
    });
    await translated(() => producer.connect());
    return new KafkajsProducer(producer);
  }

  async transactionalProducer({
    transactionalId,
    transactionTimeoutMs,
  }: TransactionalProducerOptions): Promise<TransactionalProducer> {
    this.ensureOpen();
    const producer = this.kafka.producer({
      createPartitioner: Partitioners.JavaCompatiblePartitioner,
      allowAutoTopicCreation: false,
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      ...(transactionTimeoutMs === undefined ? {} : { transactionTimeout: transactionTimeoutMs }),
    });
    return KafkajsTransactionalProducer.start(producer, transactionalId);
  }

  consumer(options: GroupConsumerOptions): GroupConsumer {
    this.ensureOpen();
    return new KafkajsGroupConsumer(this.kafka, () => this.internalAdmin(), options);
  }

  partitionReader(options: PartitionReaderOptions): PartitionReader {
    this.ensureOpen();
    return new KafkajsPartitionReader(this.kafka, () => this.internalAdmin(), options);
  }

  /** Disconnects the shared admin; producers and consumers are closed by their owners. */
  async close(): Promise<void> {
    this.closed = true;
    const admin = this.sharedAdmin;
    this.sharedAdmin = undefined;
    if (admin) await (await admin).close();
  }

  private internalAdmin(): Promise<KafkajsAdmin> {
    if (!this.sharedAdmin) {
      const admin = this.kafka.admin();
      this.sharedAdmin = translated(() => admin.connect()).then(() => new KafkajsAdmin(admin));
    }
    return this.sharedAdmin;
  }

  private ensureOpen(): void {
    if (this.closed) throw new ClientStateError('the Kafka client is closed');
  }
}
