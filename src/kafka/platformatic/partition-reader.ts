import type { BaseOptions } from '@platformatic/kafka';
import { ClientStateError } from '../errors.js';
import type { BatchHandler, PartitionReader, PartitionReaderOptions, ReadProgress } from '../port.js';
import { Fetcher } from './fetcher.js';
import type { FetchPosition } from './fetcher.js';

interface Cursor extends FetchPosition {
  until: bigint | undefined;
}

const isDone = (cursor: Cursor): boolean => cursor.until !== undefined && cursor.offset >= cursor.until;

/**
 * Reads given partitions from given offsets: plain fetches from the leaders, no group at all
 * (the client's low-level fetch needs none), so a reader costs no group join.
 */
export class PlatformaticPartitionReader implements PartitionReader {
  private readonly fetcher: Fetcher;
  private closed = false;
  private started = false;

  constructor(
    options: BaseOptions,
    private readonly readerOptions: PartitionReaderOptions,
  ) {
    this.fetcher = new Fetcher(
      options,
      `${readerOptions.groupIdPrefix}-reader`,
      readerOptions.isolation ?? 'read_committed',
      readerOptions.maxWaitMs ?? 500,
    );
  }

  async run({
    eachBatch,
    onProgress,
  }: {
    eachBatch: BatchHandler;
    onProgress?: (progress: ReadProgress) => void;
  }): Promise<void> {
    if (this.started) throw new ClientStateError('a partition reader runs once');
    this.started = true;
    const cursors: Cursor[] = this.readerOptions.partitions.map((range) => ({
      topic: range.topic,
      partition: range.partition,
      offset: BigInt(range.fromOffset),
      until: range.untilOffset === undefined ? undefined : BigInt(range.untilOffset),
    }));
    const progress = (cursor: Cursor): void =>
      onProgress?.({
        topic: cursor.topic,
        partition: cursor.partition,
        position: String(cursor.offset),
        untilOffset: cursor.until === undefined ? undefined : String(cursor.until),
      });
    const finished = (): boolean => cursors.every(isDone);
    try {
      while (!this.closed && !finished()) {
        const wanted = cursors.filter((c) => !isDone(c));
        const batches = await this.fetcher.fetch(wanted, async (position) => position.offset);
        if (this.closed) break;
        for (const batch of batches) {
          const cursor = wanted.find((c) => c.topic === batch.topic && c.partition === batch.partition)!;
          const until = cursor.until;
          const messages =
            until === undefined ? batch.messages : batch.messages.filter((m) => BigInt(m.offset) < until);
          const next = BigInt(batch.nextOffset);
          if (next > cursor.offset) cursor.offset = next;
          if (messages.length > 0) await eachBatch({ ...batch, messages, nextOffset: String(cursor.offset) });
          progress(cursor);
        }
      }
    } finally {
      await this.fetcher.close();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (!this.started) await this.fetcher.close();
  }
}
