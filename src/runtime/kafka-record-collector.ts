import { ProductionError, StreamsError } from '../errors.js';
import { partitionForKey } from '../kafka/partitioner.js';
import type { ProducerRecord, RecordHeaders, SentPartition } from '../kafka/port.js';
import type { Headers } from '../topology/processor.js';
import type { OutgoingRecord, RecordCollector } from './record-collector.js';
import {
  isRejection,
  resendIsolatingRejections,
  type RejectionHandler,
  type TrackedRecord,
} from './send-rejections.js';

/**
 * @internal Collects the records tasks produce (outputs, repartition and changelog records) and
 * sends them in one batch per flush, so the hot path never awaits.
 */
export class KafkaRecordCollector implements RecordCollector {
  private pending: ProducerRecord[] = [];
  /** Null-key records' partition per topic until the next drain. */
  private readonly nullKeyPartitions = new Map<string, number>();
  /** Changelog offsets written by the last flushes, per `topic:partition`: the next offset. */
  readonly changelogEndOffsets = new Map<string, string>();

  /** At-least-once with a production handler that may skip: see `handleRejections`. */
  private onRejected: RejectionHandler | undefined;
  private neverSkipped: ReadonlySet<string> = new Set();

  constructor(
    private readonly partitionCounts: ReadonlyMap<string, number>,
    private readonly changelogTopics: ReadonlySet<string>,
  ) {}

  /** Whether sinks should say which input record each output came from (`OutgoingRecord.origin`). */
  get tracksOrigins(): boolean {
    return this.onRejected !== undefined;
  }

  /**
   * At-least-once: records the broker rejects go to `handler` (the task's production handler)
   * instead of failing the send. Records of `neverSkipped` topics (changelogs, the dead-letter
   * topic) fail it still.
   */
  handleRejections(handler: RejectionHandler, neverSkipped: Iterable<string>): void {
    this.onRejected = handler;
    this.neverSkipped = new Set([...this.changelogTopics, ...neverSkipped]);
  }

  get size(): number {
    return this.pending.length;
  }

  send(record: OutgoingRecord): void {
    const out: ProducerRecord = {
      topic: record.topic,
      key: record.key,
      value: record.value,
      timestamp: record.timestamp,
    };
    const partition = record.partition ?? this.defaultPartition(record.topic, record.key);
    if (partition !== undefined) out.partition = partition;
    if (record.headers !== undefined && hasAny(record.headers)) out.headers = toBufferHeaders(record.headers);
    if (this.onRejected !== undefined && !this.neverSkipped.has(record.topic)) {
      const tracked = out as TrackedRecord;
      tracked.origin = record.origin;
      tracked.onRejected = this.onRejected;
    }
    this.pending.push(out);
  }

  partitionsFor(topic: string): number {
    const count = this.partitionCounts.get(topic);
    if (count === undefined) {
      throw new ProductionError(
        `Partition count of topic "${topic}" is unknown: a custom partitioner needs its topic to exist when the application starts.`,
        { topic },
      );
    }
    return count;
  }

  /**
   * The partition the producer's default partitioner would pick (murmur2 of the key; a null key
   * sticks to one random partition per topic until the next drain), decided here so that the
   * client can send each partition on its own (see the kafkajs producer's `sendBatch`).
   * Undefined when the topic's partition count is unknown: the client decides.
   */
  private defaultPartition(topic: string, key: Buffer | null): number | undefined {
    const count = this.partitionCounts.get(topic);
    if (count === undefined || count < 1) return undefined;
    if (key !== null) return partitionForKey(key, count);
    let sticky = this.nullKeyPartitions.get(topic);
    if (sticky === undefined) this.nullKeyPartitions.set(topic, (sticky = Math.floor(Math.random() * count)));
    return sticky;
  }

  /** Sends everything collected and waits for the acknowledgements. */
  async flush(sender: RecordSender): Promise<number> {
    return flushCollectors([this], sender);
  }

  /** Takes the pending records (for a transaction that sends them itself). */
  drain(): ProducerRecord[] {
    const batch = this.pending;
    this.pending = [];
    this.nullKeyPartitions.clear();
    return batch;
  }

  /** Drops what was collected (after a failed or aborted commit). */
  clear(): void {
    this.pending = [];
  }

  noteChangelogOffsets(batch: readonly ProducerRecord[], sent: readonly SentPartition[]): void {
    const perPartition = new Map<string, number>();
    // Records of one partition come in runs (a task's cache flush): count a run, then add it.
    let runTopic: string | undefined;
    let runPartition: number | undefined;
    let runLength = 0;
    const endRun = () => {
      if (runLength === 0) return;
      const key = `${runTopic}:${runPartition}`;
      perPartition.set(key, (perPartition.get(key) ?? 0) + runLength);
      runLength = 0;
    };
    for (const r of batch) {
      if (r.topic !== runTopic || r.partition !== runPartition) {
        endRun();
        runTopic = r.topic;
        runPartition = r.partition;
      }
      if (this.changelogTopics.has(r.topic)) runLength++;
    }
    endRun();
    for (const s of sent) {
      const key = `${s.topic}:${s.partition}`;
      const n = perPartition.get(key);
      if (n !== undefined) this.changelogEndOffsets.set(key, (BigInt(s.baseOffset) + BigInt(n)).toString());
    }
  }
}

/** @internal Where collected records go: the producer, or the task's open transaction. */
export interface RecordSender {
  send(records: ProducerRecord[]): Promise<SentPartition[]>;
}

/**
 * @internal The one place collected records are sent: the pending records of every collector in
 * one send, then each collector learns where its changelog records landed. A failure that is not
 * already a streams error (a fenced producer is one) becomes a `ProductionError`.
 */
export async function flushCollectors(
  collectors: readonly KafkaRecordCollector[],
  sender: RecordSender,
): Promise<number> {
  const batch = collectors.length === 1 ? collectors[0]!.drain() : collectors.flatMap((c) => c.drain());
  if (batch.length === 0) return 0;
  let sent: SentPartition[];
  try {
    sent = await sender.send(batch);
  } catch (cause) {
    if (isRejection(cause) && collectors.every((c) => c.tracksOrigins)) {
      // Only at-least-once collectors track: a transaction's failed send cannot be retried.
      const resent = await resendIsolatingRejections(batch, sender, collectors);
      return resent.batch.length;
    }
    if (cause instanceof StreamsError) throw cause;
    throw new ProductionError(`Producing ${batch.length} records failed: ${(cause as Error).message}`, {
      cause,
    });
  }
  for (const c of collectors) c.noteChangelogOffsets(batch, sent);
  return batch.length;
}

function toBufferHeaders(headers: Headers): RecordHeaders {
  const out: RecordHeaders = {};
  for (const [k, v] of Object.entries(headers)) out[k] = typeof v === 'string' ? Buffer.from(v) : v;
  return out;
}

/** Whether an object has an own enumerable key, without allocating the key list. */
function hasAny(headers: Headers): boolean {
  for (const key in headers) if (Object.hasOwn(headers, key)) return true;
  return false;
}
