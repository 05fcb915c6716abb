import { StreamsError } from '../errors.js';
import type { IsolationLevel, KafkaClient, RecordHeaders } from '../kafka/port.js';
import type { Serde } from '../serde/serde.js';
import type { TestRecord, TestRecordInput } from './test-topics.js';

/** The key and value serdes of a topic, as `builder.stream()` takes them. */
export interface TopicSerdes<K, V> {
  key: Serde<K>;
  value: Serde<V>;
}

/** A record to produce: without `timestamp` it is stamped with the current time. */
export interface ProduceRecord<K, V> extends TestRecordInput<K, V> {
  /** Without it, the default partitioner (Java's, murmur2 of the key bytes) picks one. */
  partition?: number;
}

/** A record read back from a topic, with where it was. */
export interface OutputRecord<K, V> extends TestRecord<K | null, V | null> {
  partition: number;
  offset: string;
}

/** Options of {@link readOutput}: the serdes, and how long to wait for records to arrive. */
export interface ReadOutputOptions<K, V> extends TopicSerdes<K, V> {
  /** Wait until the topic holds at least this many records. Default 0: read what is there now. */
  minRecords?: number;
  /** How long to wait for `minRecords` before failing. Default 30000. */
  timeoutMs?: number;
  /** Default `read_committed`: under exactly-once, only committed outputs. */
  isolation?: IsolationLevel;
}

/**
 * Serializes `records` with `serdes` and writes them to `topic` in one send, awaiting the acks.
 * Works on any client of the port: `createEmbeddedKafka()` in tests, or a real cluster.
 *
 * @example
 * ```ts
 * import { createEmbeddedKafka, Serdes } from 'tributary';
 * import { produce } from 'tributary/testing';
 *
 * const kafka = createEmbeddedKafka();
 * await produce(kafka, 'orders', [{ key: 'alice', value: { total: 5 } }], {
 *   key: Serdes.string(),
 *   value: Serdes.json<{ total: number }>(),
 * });
 * ```
 */
export async function produce<K, V>(
  kafka: KafkaClient,
  topic: string,
  records: readonly ProduceRecord<K, V>[],
  serdes: TopicSerdes<K, V>,
): Promise<void> {
  const now = Date.now();
  const encoded = records.map((record, index) => {
    try {
      return {
        topic,
        ...(record.partition === undefined ? {} : { partition: record.partition }),
        key: record.key === undefined ? null : serdes.key.serialize(record.key, topic),
        value: serdes.value.serialize(record.value, topic),
        timestamp: record.timestamp ?? now,
        ...(record.headers === undefined ? {} : { headers: bufferHeaders(record.headers) }),
      };
    } catch (error) {
      throw new StreamsError(
        `produce(): record ${index} for topic "${topic}" could not be serialized with ${serdes.key.name}/${serdes.value.name}: ${(error as Error).message}`,
        { cause: error, topic },
      );
    }
  });
  const producer = await kafka.producer();
  try {
    await producer.send(encoded);
  } finally {
    await producer.close();
  }
}

/**
 * Reads every record of `topic` (all partitions, from the beginning up to the end at the time of
 * reading), deserialized with the serdes, in partition then offset order. With `minRecords` it
 * reads again until the topic holds that many, for the output of an application that is still
 * processing, and fails after `timeoutMs` naming the topic and what it got.
 *
 * @example
 * ```ts
 * import { readOutput } from 'tributary/testing';
 *
 * const counts = await readOutput(kafka, 'word-counts', {
 *   key: Serdes.string(),
 *   value: Serdes.long(),
 *   minRecords: 3,
 * });
 * counts.map((r) => [r.key, r.value]); // [['hello', 1], ['world', 1], ['hello', 2]]
 * ```
 */
export async function readOutput<K, V>(
  kafka: KafkaClient,
  topic: string,
  options: ReadOutputOptions<K, V>,
): Promise<OutputRecord<K, V>[]> {
  const minRecords = options.minRecords ?? 0;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (let delayMs = 10; ; delayMs = Math.min(delayMs * 2, 200)) {
    const records = await readOnce(kafka, topic, options);
    if (records.length >= minRecords) return records;
    if (Date.now() >= deadline) {
      throw new StreamsError(
        `readOutput(): topic "${topic}" holds ${records.length} record(s) after ${options.timeoutMs ?? 30_000} ms, expected at least ${minRecords}.`,
        { topic },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}

async function readOnce<K, V>(
  kafka: KafkaClient,
  topic: string,
  options: ReadOutputOptions<K, V>,
): Promise<OutputRecord<K, V>[]> {
  const admin = await kafka.admin();
  let ranges;
  try {
    const partitions = (await admin.describeTopics([topic]))[topic];
    if (partitions === undefined) {
      throw new StreamsError(`readOutput(): topic "${topic}" does not exist.`, { topic });
    }
    const offsets = await admin.listOffsets(
      Array.from({ length: partitions }, (_, partition) => ({ topic, partition })),
    );
    ranges = offsets.filter((o) => BigInt(o.end) > BigInt(o.begin));
  } finally {
    await admin.close();
  }
  if (ranges.length === 0) return [];
  const byPartition = new Map<number, OutputRecord<K, V>[]>();
  const reader = kafka.partitionReader({
    groupIdPrefix: 'tributary-testing-read-output',
    partitions: ranges.map((o) => ({
      topic,
      partition: o.partition,
      fromOffset: o.begin,
      untilOffset: o.end,
    })),
    isolation: options.isolation ?? 'read_committed',
  });
  try {
    await reader.run({
      eachBatch: async (batch) => {
        const out = byPartition.get(batch.partition) ?? [];
        byPartition.set(batch.partition, out);
        for (const message of batch.messages) {
          out.push({
            key: deserialize(options.key, message.key, topic, batch.partition, message.offset, 'key'),
            value: deserialize(options.value, message.value, topic, batch.partition, message.offset, 'value'),
            timestamp: message.timestamp,
            ...(Object.keys(message.headers).length === 0 ? {} : { headers: message.headers }),
            partition: batch.partition,
            offset: message.offset,
          });
        }
      },
    });
  } finally {
    await reader.close();
  }
  return [...byPartition.keys()].sort((a, b) => a - b).flatMap((p) => byPartition.get(p)!);
}

function deserialize<T>(
  serde: Serde<T>,
  bytes: Buffer | null,
  topic: string,
  partition: number,
  offset: string,
  part: 'key' | 'value',
): T | null {
  try {
    return serde.deserialize(bytes, topic);
  } catch (error) {
    throw new StreamsError(
      `readOutput(): the ${part} at ${topic}-${partition}@${offset} could not be deserialized with ${serde.name}: ${(error as Error).message}`,
      { cause: error, topic, partition, offset },
    );
  }
}

function bufferHeaders(headers: Readonly<Record<string, Buffer | string>>): RecordHeaders {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      typeof value === 'string' ? Buffer.from(value) : value,
    ]),
  );
}
