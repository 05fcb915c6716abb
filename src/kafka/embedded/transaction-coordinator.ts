import { ClientStateError, FencedError } from '../errors.js';
import type { TopicPartitionOffset } from '../port.js';
import type { PartitionLog, TransactionOutcome } from './partition-log.js';

/** The state of one open transaction: what it wrote to and the offsets it will commit. */
export interface OpenTransaction extends TransactionOutcome {
  readonly partitions: Set<PartitionLog>;
  readonly offsets: Map<string, TopicPartitionOffset[]>;
}

interface ProducerSlot {
  epoch: number;
  open: OpenTransaction | undefined;
}

/** Applies a transaction's offsets to the groups when it commits. */
export type OffsetCommitter = (groupId: string, offsets: TopicPartitionOffset[]) => void;

/**
 * Transactional ids of the embedded broker: epochs for fencing, and the end of a transaction
 * (markers in every partition it wrote to, its group offsets committed or dropped with it).
 */
export class TransactionCoordinator {
  private readonly slots = new Map<string, ProducerSlot>();

  constructor(private readonly commitOffsets: OffsetCommitter) {}

  /** `initTransactions`: aborts what an older producer left open and fences it. Returns the new epoch. */
  initialize(transactionalId: string): number {
    const slot = this.slots.get(transactionalId) ?? { epoch: -1, open: undefined };
    if (slot.open) this.finish(slot.open, 'aborted');
    slot.open = undefined;
    slot.epoch++;
    this.slots.set(transactionalId, slot);
    return slot.epoch;
  }

  begin(transactionalId: string, epoch: number): OpenTransaction {
    const slot = this.current(transactionalId, epoch);
    if (slot.open) throw new ClientStateError(`transaction of ${transactionalId} is already open`);
    slot.open = { status: 'open', partitions: new Set(), offsets: new Map() };
    return slot.open;
  }

  /** The open transaction of this producer, or `FencedError` if a newer producer took over. */
  ongoing(transactionalId: string, epoch: number, transaction: OpenTransaction): OpenTransaction {
    const slot = this.current(transactionalId, epoch);
    if (slot.open !== transaction) throw new ClientStateError(`transaction of ${transactionalId} has ended`);
    return transaction;
  }

  end(
    transactionalId: string,
    epoch: number,
    transaction: OpenTransaction,
    outcome: 'committed' | 'aborted',
  ): void {
    const slot = this.current(transactionalId, epoch);
    if (slot.open !== transaction) throw new ClientStateError(`transaction of ${transactionalId} has ended`);
    slot.open = undefined;
    this.finish(transaction, outcome);
  }

  private current(transactionalId: string, epoch: number): ProducerSlot {
    const slot = this.slots.get(transactionalId);
    if (!slot || slot.epoch !== epoch) {
      throw new FencedError(
        `producer ${transactionalId} (epoch ${epoch}) was fenced by a newer producer with the same transactionalId`,
      );
    }
    return slot;
  }

  private finish(transaction: OpenTransaction, outcome: 'committed' | 'aborted'): void {
    transaction.status = outcome;
    for (const log of transaction.partitions) log.appendMarker(transaction);
    if (outcome === 'committed') {
      for (const [groupId, offsets] of transaction.offsets) this.commitOffsets(groupId, offsets);
    }
  }
}
