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
import { EmbeddedAdmin } from './admin.js';
import { EmbeddedBroker } from './broker.js';
import { EmbeddedConnectionClient, type EmbeddedConnection } from './connection.js';
import { EmbeddedGroupConsumer } from './group-consumer.js';
import { EmbeddedPartitionReader } from './partition-reader.js';
import { EmbeddedProducer, EmbeddedTransactionalProducer } from './producer.js';

/** A `KafkaClient` whose cluster lives in this process. `close()` stops the broker. */
export interface EmbeddedKafka extends KafkaClient {
  readonly kind: 'embedded';
  /**
   * Another client of this broker, as a second process on the cluster would hold; `kill()` it to
   * simulate that process crashing (no leave-group: its members are evicted at session timeout).
   *
   * @example
   * ```ts
   * const victim = kafka.connect();
   * const app = new KafkaStreams(topology, { applicationId: 'app', kafka: victim });
   * await app.start();
   * victim.kill();
   * ```
   */
  connect(): EmbeddedConnection;
  close(): Promise<void>;
}

/** Options of the in-process broker. */
export interface EmbeddedKafkaOptions {
  clientId?: string;
}

class EmbeddedKafkaClient implements EmbeddedKafka {
  readonly kind = 'embedded';
  private readonly broker = new EmbeddedBroker();
  private consumers = 0;

  constructor(private readonly clientId: string) {}

  async admin(): Promise<KafkaAdmin> {
    this.broker.ensureOpen();
    return new EmbeddedAdmin(this.broker);
  }

  async producer(): Promise<KafkaProducer> {
    this.broker.ensureOpen();
    return new EmbeddedProducer(this.broker);
  }

  async transactionalProducer({
    transactionalId,
  }: TransactionalProducerOptions): Promise<TransactionalProducer> {
    this.broker.ensureOpen();
    return new EmbeddedTransactionalProducer(this.broker, transactionalId);
  }

  consumer(options: GroupConsumerOptions): GroupConsumer {
    this.consumers++;
    return new EmbeddedGroupConsumer(this.broker, options, `${this.clientId}-${this.consumers}`);
  }

  partitionReader(options: PartitionReaderOptions): PartitionReader {
    return new EmbeddedPartitionReader(this.broker, options);
  }

  connect(): EmbeddedConnection {
    return new EmbeddedConnectionClient(this);
  }

  async close(): Promise<void> {
    this.broker.close();
  }
}

/**
 * Starts an in-process Kafka broker behind the client port: topics, consumer groups with the
 * pluggable assignor, committed offsets and transactions, all in memory.
 *
 * @example
 * ```ts
 * const kafka = createEmbeddedKafka();
 * const admin = await kafka.admin();
 * await admin.createTopics([{ topic: 'orders', partitions: 3 }]);
 * await (await kafka.producer()).send([{ topic: 'orders', key: Buffer.from('a'), value: null, timestamp: Date.now() }]);
 * await kafka.close();
 * ```
 */
export function createEmbeddedKafka(options: EmbeddedKafkaOptions = {}): EmbeddedKafka {
  return new EmbeddedKafkaClient(options.clientId ?? 'tributary');
}
