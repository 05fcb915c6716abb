/**
 * The baseline: a hand-written kafkajs consume → produce loop doing the workload's work with no
 * framework. `eachBatch`, JSON.parse, the same filter and mapping (or an in-memory `Map` for
 * count), one `sendBatch` per batch with `acks: -1`, and manual offset commits every
 * `commitIntervalMs` (the same interval Tributary is given), so both pay the same commit cost.
 */
import kafkajs from 'kafkajs';
import type { Batch, Message } from 'kafkajs';
import { benchKafka } from './broker.js';
import type { BrokerJob, RunningContender } from './protocol.js';
import {
  TABLE_TOPIC,
  enrich,
  isPurchase,
  toPurchase,
  windowStartOf,
  type BenchEvent,
  type Profile,
} from './workload.js';

const { Partitioners } = kafkajs;

/** Connects, joins the group and processes until `stop()`. */
export async function startRawKafkajs(job: BrokerJob): Promise<RunningContender> {
  const kafka = benchKafka(job.brokers, `${job.groupId}-client`);
  const producer = kafka.producer({ createPartitioner: Partitioners.JavaCompatiblePartitioner });
  const consumer = kafka.consumer({ groupId: job.groupId, maxWaitTimeInMs: 500 });
  let assigned: (at: bigint) => void = () => undefined;
  const processingStarted = new Promise<bigint>((resolve) => (assigned = resolve));
  consumer.on(consumer.events.GROUP_JOIN, () => assigned(process.hrtime.bigint()));

  const toMessages =
    job.workload === 'stateless'
      ? statelessMessages
      : job.workload === 'windowed'
        ? windowedCountMessages(new Map())
        : job.workload === 'join'
          ? joinMessages(await loadTable(kafka, job.groupId))
          : countMessages(new Map());
  const uncommitted = new Map<number, string>();
  let lastCommit = Date.now();
  let committing: Promise<void> = Promise.resolve();
  const commit = (): Promise<void> => {
    if (uncommitted.size === 0) return committing;
    const offsets = [...uncommitted].map(([partition, offset]) => ({
      topic: job.inputTopic,
      partition,
      offset,
    }));
    uncommitted.clear();
    lastCommit = Date.now();
    committing = committing.then(() => consumer.commitOffsets(offsets));
    return committing;
  };
  const commitIfDue = () => (Date.now() - lastCommit >= job.commitIntervalMs ? commit() : committing);

  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topics: [job.inputTopic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch, heartbeat }) => {
      const last = batch.messages.at(-1);
      if (last === undefined) return;
      const messages = toMessages(batch);
      if (messages.length > 0) {
        await producer.sendBatch({ topicMessages: [{ topic: job.outputTopic, messages }], acks: -1 });
      }
      uncommitted.set(batch.partition, String(Number(last.offset) + 1));
      await commitIfDue();
      await heartbeat();
    },
  });
  // A batch may be the last one for a while: commit what is due without waiting for another.
  const timer = setInterval(() => void commitIfDue(), 100);
  return {
    processingStarted,
    stop: async () => {
      clearInterval(timer);
      await commit();
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}

function statelessMessages(batch: Batch): Message[] {
  const out: Message[] = [];
  for (const m of batch.messages) {
    const event = JSON.parse(m.value!.toString('utf8')) as BenchEvent;
    if (!isPurchase(event)) continue;
    out.push({ key: m.key, value: JSON.stringify(toPurchase(event)), timestamp: m.timestamp });
  }
  return out;
}

/** Counts per key; sends each key counted in the batch once, with its new count as a Java long. */
function countMessages(counts: Map<string, number>) {
  return (batch: Batch): Message[] => {
    const touched = new Map<string, string>();
    for (const m of batch.messages) {
      JSON.parse(m.value!.toString('utf8')); // Tributary's source deserializes the value too
      const key = m.key!.toString('utf8');
      counts.set(key, (counts.get(key) ?? 0) + 1);
      touched.set(key, m.timestamp);
    }
    const out: Message[] = [];
    for (const [key, timestamp] of touched) {
      const value = Buffer.allocUnsafe(8);
      value.writeBigInt64BE(BigInt(counts.get(key)!));
      out.push({ key, value, timestamp });
    }
    return out;
  };
}

/**
 * Counts per key and tumbling window; sends each window counted in the batch once, keyed as
 * Kafka Streams' time-windowed serde writes it (the key's bytes, then the window start as a long).
 */
function windowedCountMessages(counts: Map<string, number>) {
  return (batch: Batch): Message[] => {
    const touched = new Map<string, { key: string; start: number; timestamp: string }>();
    for (const m of batch.messages) {
      JSON.parse(m.value!.toString('utf8'));
      const key = m.key!.toString('utf8');
      const start = windowStartOf(Number(m.timestamp));
      const id = `${key}@${start}`;
      counts.set(id, (counts.get(id) ?? 0) + 1);
      touched.set(id, { key, start, timestamp: m.timestamp });
    }
    const out: Message[] = [];
    for (const [id, { key, start, timestamp }] of touched) {
      const keyBytes = Buffer.from(key);
      const windowedKey = Buffer.allocUnsafe(keyBytes.length + 8);
      keyBytes.copy(windowedKey);
      windowedKey.writeBigInt64BE(BigInt(start), keyBytes.length);
      const value = Buffer.allocUnsafe(8);
      value.writeBigInt64BE(BigInt(counts.get(id)!));
      out.push({ key: windowedKey, value, timestamp });
    }
    return out;
  };
}

/**
 * The join workload's table, read whole before the loop joins (so, unlike the stream processors,
 * the raw loop reads its table before the measured window starts).
 */
async function loadTable(
  kafka: ReturnType<typeof benchKafka>,
  groupId: string,
): Promise<Map<string, Profile>> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(TABLE_TOPIC);
  await admin.disconnect();
  const remaining = new Map(ends.map((e) => [e.partition, Number(e.high)]));
  const table = new Map<string, Profile>();
  const reader = kafka.consumer({ groupId: `${groupId}-table` });
  await reader.connect();
  await reader.subscribe({ topics: [TABLE_TOPIC], fromBeginning: true });
  await new Promise<void>((resolve) => {
    const check = () => [...remaining.values()].every((high) => high <= 0) && resolve();
    check();
    void reader.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          if (m.value !== null)
            table.set(m.key!.toString('utf8'), JSON.parse(m.value.toString('utf8')) as Profile);
        }
        const last = batch.messages.at(-1);
        if (last !== undefined)
          remaining.set(batch.partition, Number(batch.highWatermark) - Number(last.offset) - 1);
        check();
      },
    });
  });
  await reader.disconnect();
  return table;
}

/** Joins each event with its user's profile (an event without one is dropped, as an inner join does). */
function joinMessages(table: Map<string, Profile>) {
  return (batch: Batch): Message[] => {
    const out: Message[] = [];
    for (const m of batch.messages) {
      const event = JSON.parse(m.value!.toString('utf8')) as BenchEvent;
      const profile = table.get(m.key!.toString('utf8'));
      if (profile === undefined) continue;
      out.push({ key: m.key, value: JSON.stringify(enrich(event, profile)), timestamp: m.timestamp });
    }
    return out;
  };
}
