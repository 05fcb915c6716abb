import type { BaseOptions } from '@platformatic/kafka';
import { ClientStateError } from '../errors.js';
import type {
  BatchHandler,
  ConsumedBatch,
  PartitionReader,
  PartitionReaderOptions,
  ReadProgress,
} from '../port.js';
import { Fetcher } from './fetcher.js';
import type { FetchPosition } from './fetcher.js';

interface Cursor extends FetchPosition {
  until: bigint | undefined;
}

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
    const cursorOf = (topic: string, partition: number): Cursor =>
      cursors.find((c) => c.topic === topic && c.partition === partition)!;
    // Fetches every unfinished range from `after` (where the batches being handled leave it).
    const fetchFrom = (after: Map<Cursor, bigint>): Promise<ConsumedBatch[]> | undefined => {
      const wanted: FetchPosition[] = [];
      for (const cursor of cursors) {
        const offset = after.get(cursor) ?? cursor.offset;
        if (cursor.until === undefined || offset < cursor.until)
          wanted.push({ topic: cursor.topic, partition: cursor.partition, offset });
      }
      return wanted.length === 0
        ? undefined
        : this.fetcher.fetch(wanted, async (position) => position.offset);
    };
    let next = fetchFrom(new Map());
    try {
      while (!this.closed && next) {
        const batches = await next;
        if (this.closed) break;
        const after = new Map<Cursor, bigint>();
        for (const batch of batches) {
          const cursor = cursorOf(batch.topic, batch.partition);
          const offset = BigInt(batch.nextOffset);
          after.set(cursor, offset > cursor.offset ? offset : cursor.offset);
        }
        // The next fetch runs while these batches are handled.
        next = fetchFrom(after);
        for (const batch of batches) {
          const cursor = cursorOf(batch.topic, batch.partition);
          const until = cursor.until;
          const messages =
            until === undefined ? batch.messages : batch.messages.filter((m) => BigInt(m.offset) < until);
          cursor.offset = after.get(cursor)!;
          if (messages.length > 0) await eachBatch({ ...batch, messages, nextOffset: String(cursor.offset) });
          progress(cursor);
        }
      }
    } finally {
      await next?.catch(() => undefined);
      await this.fetcher.close();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (!this.started) await this.fetcher.close();
  }
}
