import { ProductionError, StreamsError, TaskMigratedError } from '../errors.js';
import { ClientStateError, KafkaClientError, UnknownTopicError } from '../kafka/errors.js';
import type { ProducerRecord, SentPartition } from '../kafka/port.js';
import type { DeadLetterWriter } from './dead-letter-queue.js';
import type { DroppedRecords } from './dropped-records.js';
import type { FailedRecord } from './exception-handlers.js';
import type { StreamTask } from './stream-task.js';
import type { TaskHost } from './task-host.js';

/** What the resend needs of a record collector (structural: the collector imports this module). */
interface Collector {
  noteChangelogOffsets(batch: readonly ProducerRecord[], sent: readonly SentPartition[]): void;
  drain(): ProducerRecord[];
}

/** Where the resend sends: the producer (at-least-once only). */
interface Sender {
  send(records: ProducerRecord[]): Promise<SentPartition[]>;
}

/**
 * @internal A collected record, and while its task hands rejected records to the production
 * handler: the input record it came from and the task's handler (none for changelog and
 * dead-letter records, which are never skipped).
 */
export type TrackedRecord = ProducerRecord & {
  origin?: FailedRecord | undefined;
  onRejected?: RejectionHandler | undefined;
};

/** @internal Decides about one record the broker rejected: returns if it is dropped, throws to fail. */
export type RejectionHandler = (cause: KafkaClientError, record: TrackedRecord) => void;

/**
 * @internal A broker's answer that is about the records, not about the connection or the task: a record too
 * large, an invalid record, a policy violation. Retriable errors (a broker away, a timeout), a
 * closed client, a missing topic and a fenced producer are not: those fail the send as before.
 */
export function isRejection(error: unknown): error is KafkaClientError {
  return (
    error instanceof KafkaClientError &&
    !error.retriable &&
    !(error instanceof TaskMigratedError) &&
    !(error instanceof ClientStateError) &&
    !(error instanceof UnknownTopicError)
  );
}

/**
 * @internal The production handler for a record the broker rejected, for one task (at-least-once
 * only). The handler gets the input record the output came from (as for a sink's serialization
 * failure); its dead-letter record is that input record, or the serialized output when the record
 * has no input (a punctuator's). `'continue'` counts the record as a `production` drop.
 */
export function rejectionHandler(
  taskId: string,
  host: Pick<TaskHost, 'onProductionError'>,
  deadLetters: DeadLetterWriter,
  droppedRecords: DroppedRecords,
): RejectionHandler {
  return (cause, record) => {
    const failed: FailedRecord = record.origin ?? {
      topic: '',
      partition: -1,
      offset: -1,
      key: record.key,
      value: record.value,
      timestamp: record.timestamp,
      headers: record.headers,
    };
    const error = rejectedError(cause, record, taskId);
    const response = host.onProductionError(error, failed);
    deadLetters.write(error, failed, response);
    if (response !== 'continue') throw error;
    droppedRecords.record('production', {
      node: undefined,
      topic: failed.topic || undefined,
      partition: failed.partition,
      offset: failed.offset,
      outputTopic: record.topic,
    });
  };
}

function rejectedError(cause: KafkaClientError, record: TrackedRecord, taskId: string | undefined) {
  const where = record.partition === undefined ? '' : ` partition ${record.partition}`;
  return new ProductionError(
    `The broker rejected a record for topic "${record.topic}"${where}: ${cause.message}`,
    { taskId, topic: record.topic, partition: record.partition, offset: record.origin?.offset, cause },
  );
}

/**
 * @internal After a send failed with a rejection (at-least-once, every collector with a handler):
 * sends the batch again one partition's records at a time, and the records of a partition that
 * fails one by one, so the rejected records are found and handed to their task's handler. Records
 * of partitions the first attempt wrote are written twice, which at-least-once allows. A rejected
 * changelog record is never skipped (the store and its changelog would disagree): it fails. The
 * dead-letter records the handlers wrote are sent last, so they are acknowledged before the commit
 * goes on. Returns where everything landed, as one send would.
 */
export async function resendIsolatingRejections(
  batch: readonly TrackedRecord[],
  sender: Sender,
  collectors: readonly Collector[],
): Promise<{ batch: ProducerRecord[]; sent: SentPartition[] }> {
  const sentBatch: ProducerRecord[] = [];
  const sent: SentPartition[] = [];
  const sendNow = async (records: TrackedRecord[]) => {
    const where = await sender.send(records);
    for (const c of collectors) c.noteChangelogOffsets(records, where);
    sentBatch.push(...records);
    sent.push(...where);
  };
  for (const group of byPartition(batch)) {
    try {
      await sendNow(group);
      continue;
    } catch (error) {
      if (!isRejection(error)) throw wrapped(error, group.length);
    }
    for (const record of group) {
      try {
        await sendNow([record]);
      } catch (error) {
        if (!isRejection(error)) throw wrapped(error, 1);
        if (record.onRejected === undefined) throw rejectedError(error, record, undefined);
        record.onRejected(error, record);
      }
    }
  }
  const deadLetters = collectors.flatMap((c) => c.drain());
  if (deadLetters.length > 0) {
    try {
      await sendNow(deadLetters);
    } catch (error) {
      throw wrapped(error, deadLetters.length);
    }
  }
  return { batch: sentBatch, sent };
}

function wrapped(cause: unknown, count: number): StreamsError {
  if (cause instanceof StreamsError) return cause;
  return new ProductionError(`Producing ${count} records failed: ${(cause as Error).message}`, { cause });
}

/** The batch's records per topic-partition (per topic where the partitioner decides), in order. */
function byPartition(batch: readonly TrackedRecord[]): TrackedRecord[][] {
  const groups = new Map<string, TrackedRecord[]>();
  for (const r of batch) {
    const key = `${r.topic}\u0000${r.partition ?? ''}`;
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = []));
    group.push(r);
  }
  return [...groups.values()];
}

/** @internal At-least-once: the task's collector hands records the broker rejects to its production handler. */
export function handleRejections(
  task: Pick<StreamTask, 'id' | 'deadLetters' | 'droppedRecords'>,
  host: Pick<TaskHost, 'onProductionError'>,
  collector: { handleRejections(handler: RejectionHandler, neverSkipped: Iterable<string>): void },
): void {
  const dlq = task.deadLetters.topic;
  collector.handleRejections(
    rejectionHandler(task.id, host, task.deadLetters, task.droppedRecords),
    dlq === undefined ? [] : [dlq],
  );
}
