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

/**
 * One more client of an existing embedded broker, as a second process on the same cluster would
 * hold, that can be killed like that process. A test hook for crash scenarios.
 */
export interface EmbeddedConnection extends KafkaClient {
  readonly kind: 'embedded';
  /**
   * Simulates `kill -9` of the process owning this connection: its group consumers stop
   * heartbeating and fetching without leaving their groups (the coordinator evicts them when
   * their session times out), its partition readers stop, and every later call on anything made
   * through it never settles, so nothing more is produced or committed.
   */
  kill(): void;
  /**
   * Simulates a pause of the owning process (a long GC pause, a network partition) of `ms`: its
   * group consumers neither heartbeat nor fetch, then carry on. Longer than the session timeout,
   * they find themselves evicted and must rejoin.
   */
  stall(ms: number): void;
  readonly killed: boolean;
}

/** The test hooks of `EmbeddedGroupConsumer`. */
interface Stoppable {
  abandon(): void;
  stall(ms: number): void;
}

const NEVER = new Promise<never>(() => {});

/** @internal */
export class EmbeddedConnectionClient implements EmbeddedConnection {
  readonly kind = 'embedded';
  private dead = false;
  private readonly consumers: GroupConsumer[] = [];
  private readonly readers: PartitionReader[] = [];

  constructor(private readonly base: KafkaClient) {}

  get killed(): boolean {
    return this.dead;
  }

  async admin(): Promise<KafkaAdmin> {
    if (this.dead) return NEVER;
    return this.frozenAfterKill(await this.base.admin());
  }

  async producer(): Promise<KafkaProducer> {
    if (this.dead) return NEVER;
    return this.frozenAfterKill(await this.base.producer());
  }

  async transactionalProducer(options: TransactionalProducerOptions): Promise<TransactionalProducer> {
    if (this.dead) return NEVER;
    return this.frozenAfterKill(await this.base.transactionalProducer(options));
  }

  consumer(options: GroupConsumerOptions): GroupConsumer {
    const consumer = this.base.consumer(options);
    this.consumers.push(consumer);
    return this.frozenAfterKill(consumer);
  }

  partitionReader(options: PartitionReaderOptions): PartitionReader {
    const reader = this.base.partitionReader(options);
    this.readers.push(reader);
    return this.frozenAfterKill(reader);
  }

  kill(): void {
    if (this.dead) return;
    this.dead = true;
    for (const consumer of this.consumers) (consumer as Partial<Stoppable>).abandon?.();
    for (const reader of this.readers) void reader.close();
  }

  stall(ms: number): void {
    for (const consumer of this.consumers) (consumer as Partial<Stoppable>).stall?.(ms);
  }

  /** Every method call after `kill()` returns a promise that never settles, as a dead peer's requests. */
  private frozenAfterKill<T extends object>(target: T): T {
    const isDead = () => this.dead;
    return new Proxy(target, {
      get(object, property) {
        const value: unknown = Reflect.get(object, property, object);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]): unknown =>
          isDead() ? NEVER : (value as (...a: unknown[]) => unknown).apply(object, args);
      },
    });
  }
}
