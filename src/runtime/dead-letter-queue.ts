import { ConfigError, type StreamsError } from '../errors.js';
import type { KafkaAdmin, KafkaClient, KafkaProducer, ProducerRecord } from '../kafka/port.js';
import type { Logger } from '../logger.js';
import type { Headers } from '../topology/processor.js';
import type { FailedRecord, HandlerResponse } from './exception-handlers.js';
import type { OutgoingRecord, RecordCollector } from './record-collector.js';

/** The headers a dead-letter record carries besides the failed record's own (KIP-1034's names). */
export const DEAD_LETTER_HEADERS = {
  exception: '__streams.errors.exception',
  message: '__streams.errors.message',
  stacktrace: '__streams.errors.stacktrace',
  topic: '__streams.errors.topic',
  partition: '__streams.errors.partition',
  offset: '__streams.errors.offset',
} as const;

/**
 * @internal The dead-letter record of a failed record: its key, value, timestamp and headers, plus
 * the error headers. The error described is the original one (the `cause` of the `StreamsError`
 * the handler got), as a handler in Kafka Streams sees the serde's or processor's own exception.
 * A record with no input (a sink write from a punctuator) gets no topic, partition or offset headers.
 */
export function deadLetterRecord(topic: string, error: StreamsError, record: FailedRecord): OutgoingRecord {
  const original = error.cause instanceof Error ? error.cause : error;
  const headers: Record<string, Buffer | string> = { ...record.headers };
  headers[DEAD_LETTER_HEADERS.exception] = original.name;
  headers[DEAD_LETTER_HEADERS.message] = original.message;
  headers[DEAD_LETTER_HEADERS.stacktrace] = original.stack ?? `${original.name}: ${original.message}`;
  if (record.topic !== '') {
    headers[DEAD_LETTER_HEADERS.topic] = record.topic;
    headers[DEAD_LETTER_HEADERS.partition] = String(record.partition);
    headers[DEAD_LETTER_HEADERS.offset] = String(record.offset);
  }
  return {
    topic,
    partition: undefined,
    key: record.key,
    value: record.value,
    timestamp: record.timestamp >= 0 ? record.timestamp : Date.now(),
    headers: headers as Headers,
  };
}

/** Dead-letter records of handler decisions that failed their task, until the thread sends them. */
const failing = new WeakMap<object, OutgoingRecord>();

/**
 * @internal One task's dead-letter writer: after a handler decided about a failed record, the
 * record goes to the dead-letter topic through the task's collector, so it is sent with the task's
 * other records, inside the same commit (the same transaction under exactly-once). When the
 * handler said `'fail'` the record is also kept with the error: the task's collected records are
 * dropped as it fails, and the stream thread's failure sends this one alone first (see `sendDeadLetterOfFailure`).
 */
export class DeadLetterWriter {
  /** Records written to the dead-letter topic (`dead-letter-records-total`). */
  written = 0;

  constructor(
    /** The `deadLetterQueueTopic` option; undefined: no dead-letter topic. */
    readonly topic: string | undefined,
    private readonly collector: RecordCollector,
  ) {}

  /** Writes the failed record to the dead-letter topic, if there is one. */
  write(error: StreamsError, record: FailedRecord, response: HandlerResponse): void {
    if (this.topic === undefined) return;
    const dead = deadLetterRecord(this.topic, error, record);
    this.collector.send(dead);
    this.written++;
    if (response === 'fail') failing.set(error, dead);
  }
}

/** @internal Whether `error` is a handler's `'fail'` whose record has a dead-letter record to send. */
export function hasDeadLetterOfFailure(error: unknown): boolean {
  return typeof error === 'object' && error !== null && failing.has(error);
}

/** How long a failing thread waits for its dead-letter record to be acknowledged. */
const FAILURE_SEND_TIMEOUT_MS = 15_000;

/**
 * @internal At-least-once, when a handler's `'fail'` stops a task: sends that record's dead-letter
 * record on its own, with a producer of its own (the thread's collected records are dropped as it
 * fails), before the thread's failure goes on, as Kafka Streams hands the record to its producer
 * before it throws. A failed send is logged, never hides the task's error. Under exactly-once
 * nothing is sent: the record was written into the task's transaction, which the failure aborts.
 */
export async function sendDeadLetterOfFailure(
  error: unknown,
  env: { readonly client: KafkaClient; readonly exactlyOnce: boolean; readonly logger: Logger },
): Promise<void> {
  const dead = typeof error === 'object' && error !== null ? failing.get(error) : undefined;
  if (dead === undefined) return;
  failing.delete(error as object);
  if (env.exactlyOnce) return;
  const out: ProducerRecord = {
    topic: dead.topic,
    key: dead.key,
    value: dead.value,
    timestamp: dead.timestamp,
  };
  if (dead.headers !== undefined) {
    out.headers = Object.fromEntries(
      Object.entries(dead.headers).map(([k, v]) => [k, typeof v === 'string' ? Buffer.from(v) : v]),
    );
  }
  let producer: KafkaProducer | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const send = (async () => {
      producer = await env.client.producer();
      await producer.send([out]);
    })();
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`not acknowledged within ${FAILURE_SEND_TIMEOUT_MS} ms`)),
        FAILURE_SEND_TIMEOUT_MS,
      );
    });
    await Promise.race([send, timeout]);
  } catch (sendError) {
    env.logger.error(
      { err: sendError, topic: dead.topic },
      'could not write the dead-letter record of a failing task',
    );
  } finally {
    clearTimeout(timer);
    await producer?.close().catch(() => undefined);
  }
}

/**
 * @internal At `start()`, like sink topics: the dead-letter topic must exist (Kafka Streams does
 * not create it either) and must not be an input (its records would be processed again).
 */
export async function checkDeadLetterTopic(
  topic: string | undefined,
  admin: Pick<KafkaAdmin, 'describeTopics'>,
  sourceTopics: readonly string[],
): Promise<void> {
  if (topic === undefined) return;
  if (sourceTopics.includes(topic)) {
    throw new ConfigError(
      `deadLetterQueueTopic "${topic}" is an input topic of the topology: failed records would be processed again; use a topic of its own.`,
      { topic },
    );
  }
  const found = await admin.describeTopics([topic]);
  if (found[topic] === undefined) {
    throw new ConfigError(
      `deadLetterQueueTopic "${topic}" does not exist: create it before starting the application (Kafka Streams does not create it either).`,
      { topic },
    );
  }
}
