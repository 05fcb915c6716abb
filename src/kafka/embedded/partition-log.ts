import type { ConsumedMessage, IsolationLevel, ProducerRecord, RecordHeaders } from '../port.js';

/** The shared fate of every record of one transaction. */
export interface TransactionOutcome {
  status: 'open' | 'committed' | 'aborted';
}

interface LogEntry {
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: number;
  headers: RecordHeaders;
  transaction: TransactionOutcome | null;
  /** A transaction marker: takes an offset, is never delivered. */
  control: boolean;
}

/** What one read returned: the visible messages and the offset to read from next. */
export interface LogRead {
  messages: ConsumedMessage[];
  nextOffset: number;
}

/**
 * The append-only log of one partition, with transaction markers and the last stable offset.
 * Records before `startOffset` were deleted (`deleteBefore`); a read from there starts at it, as a
 * consumer reset to the earliest offset would.
 */
export class PartitionLog {
  /** Entries from `startOffset` on: `entries[i]` has offset `startOffset + i`. */
  private readonly entries: LogEntry[] = [];
  private firstOffset = 0;
  /** First offset of each open transaction in this partition: it bounds the last stable offset. */
  private readonly openTransactions = new Map<TransactionOutcome, number>();

  /** The high watermark: one past the last appended entry. */
  get endOffset(): number {
    return this.firstOffset + this.entries.length;
  }

  /** The log start: the first offset not deleted. */
  get startOffset(): number {
    return this.firstOffset;
  }

  /** Deletes the entries before `offset` (clamped to the end), like Kafka's DeleteRecords. */
  deleteBefore(offset: number): void {
    const count = Math.min(offset, this.endOffset) - this.firstOffset;
    if (count <= 0) return;
    this.entries.splice(0, count);
    this.firstOffset += count;
  }

  /** The first record at or after `timestamp` (markers skipped), else the end offset. */
  offsetForTimestamp(timestamp: number): number {
    const entry = this.entries.find((e) => !e.control && e.timestamp >= timestamp);
    return entry ? entry.offset : this.endOffset;
  }

  /** The first offset a `read_committed` reader cannot read yet. */
  lastStableOffset(): number {
    let stable = this.endOffset;
    for (const first of this.openTransactions.values()) stable = Math.min(stable, first);
    return stable;
  }

  append(record: ProducerRecord, transaction: TransactionOutcome | null): number {
    const offset = this.endOffset;
    if (transaction && !this.openTransactions.has(transaction))
      this.openTransactions.set(transaction, offset);
    this.entries.push({
      offset,
      key: record.key,
      value: record.value,
      timestamp: record.timestamp,
      headers: { ...record.headers },
      transaction,
      control: false,
    });
    return offset;
  }

  /** Ends a transaction in this partition: writes its marker and releases the stable offset. */
  appendMarker(transaction: TransactionOutcome): void {
    this.openTransactions.delete(transaction);
    this.entries.push({
      offset: this.endOffset,
      key: null,
      value: null,
      timestamp: Date.now(),
      headers: {},
      transaction,
      control: true,
    });
  }

  /**
   * Reads up to `maxMessages` visible messages from `fromOffset`. The next offset moves past
   * markers and aborted records even when nothing is returned, like a real fetch.
   */
  read(fromOffset: number, maxMessages: number, isolation: IsolationLevel): LogRead {
    const limit = isolation === 'read_committed' ? this.lastStableOffset() : this.endOffset;
    const messages: ConsumedMessage[] = [];
    let offset = Math.max(fromOffset, this.firstOffset);
    while (offset < limit && messages.length < maxMessages) {
      const entry = this.entries[offset - this.firstOffset]!;
      offset++;
      if (entry.control) continue;
      if (isolation === 'read_committed' && entry.transaction?.status === 'aborted') continue;
      messages.push({
        offset: String(entry.offset),
        key: entry.key,
        value: entry.value,
        timestamp: entry.timestamp,
        headers: { ...entry.headers },
      });
    }
    return { messages, nextOffset: offset };
  }

  /** Whether a reader at `offset` has anything to read, markers included. */
  hasDataAfter(offset: number, isolation: IsolationLevel): boolean {
    const limit = isolation === 'read_committed' ? this.lastStableOffset() : this.endOffset;
    return offset < limit;
  }
}
