import type {
  BatchHandler,
  GroupConsumer,
  GroupConsumerOptions,
  KafkaAdmin,
  KafkaClient,
  KafkaProducer,
  PartitionReader,
  PartitionReaderOptions,
  ReadProgress,
  RunOptions,
  TopicPartition,
  TopicPartitionOffset,
  TransactionalProducer,
  TransactionalProducerOptions,
} from '../port.js';
import type { PlatformaticClient } from './client.js';
import { assertPlatformaticNode, saslOptions } from './options.js';
import type { PlatformaticConnection } from './options.js';

/**
 * The platformatic adapter, loaded on first use: importing @platformatic/kafka takes about half a
 * second (it compiles its option validators), which every process using kafkajs or the embedded
 * broker would otherwise pay. Settings are checked at once; the client is created when loaded.
 */
export class LazyPlatformaticClient implements KafkaClient {
  readonly kind = 'platformatic';
  private readonly loaded: Promise<PlatformaticClient>;

  constructor(connection: PlatformaticConnection) {
    assertPlatformaticNode(process.versions.node);
    if (connection.sasl) saslOptions(connection.sasl);
    this.loaded = import('./client.js').then(({ PlatformaticClient }) => new PlatformaticClient(connection));
    // A failed load surfaces on the first use, not as an unhandled rejection here.
    this.loaded.catch(() => undefined);
  }

  async admin(): Promise<KafkaAdmin> {
    return (await this.loaded).admin();
  }

  async producer(): Promise<KafkaProducer> {
    return (await this.loaded).producer();
  }

  async transactionalProducer(options: TransactionalProducerOptions): Promise<TransactionalProducer> {
    return (await this.loaded).transactionalProducer(options);
  }

  consumer(options: GroupConsumerOptions): GroupConsumer {
    return new LazyGroupConsumer(this.loaded.then((client) => client.consumer(options)));
  }

  partitionReader(options: PartitionReaderOptions): PartitionReader {
    return new LazyPartitionReader(this.loaded.then((client) => client.partitionReader(options)));
  }

  /** Closes the loaded client; a client that never loaded has nothing open. */
  async close(): Promise<void> {
    const client = await this.loaded.catch(() => undefined);
    await client?.close();
  }
}

/** A group consumer created once the adapter is loaded; pause/resume before that are replayed. */
class LazyGroupConsumer implements GroupConsumer {
  private consumer: GroupConsumer | undefined;
  private readonly early: ((consumer: GroupConsumer) => void)[] = [];

  constructor(private readonly loading: Promise<GroupConsumer>) {
    loading.then(
      (consumer) => {
        this.consumer = consumer;
        for (const apply of this.early.splice(0)) apply(consumer);
      },
      () => undefined,
    );
  }

  get memberId(): string | undefined {
    return this.consumer?.memberId;
  }

  async run(options: RunOptions): Promise<void> {
    return (await this.loading).run(options);
  }

  async commitOffsets(offsets: TopicPartitionOffset[]): Promise<void> {
    return (await this.loading).commitOffsets(offsets);
  }

  pause(partitions: TopicPartition[]): void {
    if (this.consumer) this.consumer.pause(partitions);
    else this.early.push((consumer) => consumer.pause(partitions));
  }

  resume(partitions: TopicPartition[]): void {
    if (this.consumer) this.consumer.resume(partitions);
    else this.early.push((consumer) => consumer.resume(partitions));
  }

  seek(offsets: TopicPartitionOffset[]): void {
    if (this.consumer) this.consumer.seek(offsets);
    else this.early.push((consumer) => consumer.seek(offsets));
  }

  async close(): Promise<void> {
    return (await this.loading).close();
  }
}

/** A partition reader created once the adapter is loaded. */
class LazyPartitionReader implements PartitionReader {
  constructor(private readonly loading: Promise<PartitionReader>) {
    loading.catch(() => undefined);
  }

  async run(options: {
    eachBatch: BatchHandler;
    onProgress?: (progress: ReadProgress) => void;
  }): Promise<void> {
    return (await this.loading).run(options);
  }

  async close(): Promise<void> {
    return (await this.loading).close();
  }
}
