import { ClientStateError } from '../errors.js';
import type { BatchHandler, PartitionReader, PartitionReaderOptions, ReadProgress } from '../port.js';
import type { EmbeddedBroker } from './broker.js';
import { Notifier, waitForAny, yieldToEventLoop } from './notifier.js';

const MAX_BATCH_MESSAGES = 500;

interface Cursor {
  topic: string;
  partition: number;
  position: number;
  until: number | undefined;
}

/** Reads partitions straight from the embedded logs: no group is needed in-process. */
export class EmbeddedPartitionReader implements PartitionReader {
  private readonly wakeUp = new Notifier();
  private closed = false;
  private started = false;

  constructor(
    private readonly broker: EmbeddedBroker,
    private readonly options: PartitionReaderOptions,
  ) {}

  async run({
    eachBatch,
    onProgress,
  }: {
    eachBatch: BatchHandler;
    onProgress?: (progress: ReadProgress) => void;
  }): Promise<void> {
    if (this.started) throw new ClientStateError('a partition reader runs once');
    this.started = true;
    const isolation = this.options.isolation ?? 'read_committed';
    const cursors: Cursor[] = this.options.partitions.map((range) => ({
      topic: range.topic,
      partition: range.partition,
      position: Number(range.fromOffset),
      until: range.untilOffset === undefined ? undefined : Number(range.untilOffset),
    }));
    const finished = (): boolean => cursors.every((c) => c.until !== undefined && c.position >= c.until);
    while (!this.closed && !finished()) {
      this.broker.ensureOpen();
      await yieldToEventLoop();
      let progressed = false;
      for (const cursor of cursors) {
        if (this.closed) break;
        if (cursor.until !== undefined && cursor.position >= cursor.until) continue;
        const log = this.broker.log(cursor.topic, cursor.partition);
        if (!log.hasDataAfter(cursor.position, isolation)) continue;
        const read = log.read(cursor.position, MAX_BATCH_MESSAGES, isolation);
        const messages = read.messages.filter(
          (m) => cursor.until === undefined || Number(m.offset) < cursor.until,
        );
        progressed ||= read.nextOffset > cursor.position;
        cursor.position = read.nextOffset;
        if (messages.length > 0) {
          await eachBatch({
            topic: cursor.topic,
            partition: cursor.partition,
            messages,
            highWatermark: String(log.endOffset),
            nextOffset: String(cursor.position),
          });
        }
        onProgress?.({
          topic: cursor.topic,
          partition: cursor.partition,
          position: String(cursor.position),
          untilOffset: cursor.until === undefined ? undefined : String(cursor.until),
        });
      }
      if (!progressed && !finished()) {
        await waitForAny([this.broker.dataChanged, this.wakeUp], this.options.maxWaitMs ?? 500);
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeUp.notify();
  }
}
