import { ClientStateError } from '../errors.js';
import type {
  KafkaProducer,
  ProducerRecord,
  ProducerTransaction,
  SentPartition,
  TransactionalProducer,
  TransactionOffsets,
} from '../port.js';
import type { EmbeddedBroker } from './broker.js';
import { yieldToEventLoop } from './notifier.js';

/** The non-transactional producer port on the embedded broker. */
export class EmbeddedProducer implements KafkaProducer {
  private closed = false;

  constructor(private readonly broker: EmbeddedBroker) {}

  async send(records: ProducerRecord[]): Promise<SentPartition[]> {
    if (this.closed) throw new ClientStateError('producer is closed');
    await yieldToEventLoop();
    return this.broker.append(records, null);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** The transactional producer port on the embedded broker; constructing it fences older producers. */
export class EmbeddedTransactionalProducer implements TransactionalProducer {
  private readonly epoch: number;
  private closed = false;

  constructor(
    private readonly broker: EmbeddedBroker,
    readonly transactionalId: string,
  ) {
    this.epoch = broker.transactions.initialize(transactionalId);
  }

  async beginTransaction(): Promise<ProducerTransaction> {
    if (this.closed) throw new ClientStateError(`producer ${this.transactionalId} is closed`);
    await yieldToEventLoop();
    const { broker, transactionalId, epoch } = this;
    const coordinator = broker.transactions;
    const transaction = coordinator.begin(transactionalId, epoch);
    return {
      async send(records: ProducerRecord[]): Promise<SentPartition[]> {
        await yieldToEventLoop();
        return broker.append(records, coordinator.ongoing(transactionalId, epoch, transaction));
      },
      async sendOffsets({ consumerGroupId, offsets }: TransactionOffsets): Promise<void> {
        await yieldToEventLoop();
        const ongoing = coordinator.ongoing(transactionalId, epoch, transaction);
        ongoing.offsets.set(consumerGroupId, [...(ongoing.offsets.get(consumerGroupId) ?? []), ...offsets]);
      },
      async commit(): Promise<void> {
        await yieldToEventLoop();
        coordinator.end(transactionalId, epoch, transaction, 'committed');
        broker.dataChanged.notify();
      },
      async abort(): Promise<void> {
        await yieldToEventLoop();
        coordinator.end(transactionalId, epoch, transaction, 'aborted');
        broker.dataChanged.notify();
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
