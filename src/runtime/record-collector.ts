import type { Headers } from '../topology/processor.js';
import type { FailedRecord } from './exception-handlers.js';

/** A serialized record on its way to Kafka (or to the test driver's output topics). */
export interface OutgoingRecord {
  readonly topic: string;
  /** Undefined: the default partitioner (murmur2 of the key bytes) decides. */
  readonly partition: number | undefined;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: Headers | undefined;
  /** The input record this output came from, when the collector `tracksOrigins`. */
  readonly origin?: FailedRecord | undefined;
}

/**
 * Where sinks and change-logging stores send records. The runtime batches them into one produce
 * per commit; the test driver appends them to its in-memory topics.
 */
export interface RecordCollector {
  send(record: OutgoingRecord): void;
  /** Whether sinks should set `origin` (a record the broker rejects goes to the production handler). */
  readonly tracksOrigins?: boolean;
  /** Partition count of `topic`, for custom partitioners. */
  partitionsFor(topic: string): number;
}
