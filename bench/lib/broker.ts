/**
 * Broker chores of the benchmark, done with plain kafkajs: the pre-produced input and table topics, fresh
 * output topics, and cleaning up what each run created.
 */
import kafkajs from 'kafkajs';
import type { Admin, Kafka, Message } from 'kafkajs';
import {
  DISTINCT_KEYS,
  INPUT_PARTITIONS,
  TABLE_TOPIC,
  eventOf,
  inputTopicName,
  keyOf,
  profileOf,
} from './workload.js';

const { Kafka: KafkaClass, Partitioners, logLevel } = kafkajs;

/** A quiet kafkajs client. */
export function benchKafka(brokers: string[], clientId: string): Kafka {
  return new KafkaClass({ clientId, brokers, logLevel: logLevel.NOTHING });
}

/** Creates a topic (waiting for leaders); a no-op when it exists. */
export async function createTopic(admin: Admin, topic: string, partitions = INPUT_PARTITIONS): Promise<void> {
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
}

/** The sum of a topic's end offsets: its record count when nothing was deleted or compacted. */
export async function topicEnd(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
}

const PRODUCE_CHUNK = 5_000;
const PRODUCE_IN_FLIGHT = 4;

/**
 * Makes sure the input topic for `records` holds exactly those records, producing them (keyed
 * like Java, so `groupByKey` needs no repartition) when it does not. Returns the topic name.
 */
export async function ensureInput(
  kafka: Kafka,
  records: number,
  log: (line: string) => void,
): Promise<string> {
  const topic = inputTopicName(records);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = await admin.listTopics();
    if (existing.includes(topic)) {
      const held = await topicEnd(admin, topic);
      if (held === records) {
        log(`Reusing input topic ${topic} (${records.toLocaleString('en-US')} records).`);
        return topic;
      }
      log(`Input topic ${topic} holds ${held} records instead of ${records}: recreating it.`);
      await admin.deleteTopics({ topics: [topic] });
      await waitUntilGone(admin, topic);
    }
    await createTopic(admin, topic);
  } finally {
    await admin.disconnect();
  }
  const began = Date.now();
  await produceInput(kafka, topic, records);
  log(
    `Produced ${records.toLocaleString('en-US')} input records to ${topic} in ${((Date.now() - began) / 1000).toFixed(1)} s.`,
  );
  return topic;
}

async function produceInput(kafka: Kafka, topic: string, records: number): Promise<void> {
  const producer = kafka.producer({ createPartitioner: Partitioners.JavaCompatiblePartitioner });
  await producer.connect();
  try {
    const baseTimestamp = Date.now();
    let next = 0;
    const worker = async () => {
      while (next < records) {
        const from = next;
        const to = Math.min(records, from + PRODUCE_CHUNK);
        next = to;
        const messages: Message[] = [];
        for (let i = from; i < to; i++) {
          messages.push({
            key: keyOf(i),
            value: JSON.stringify(eventOf(i)),
            timestamp: String(baseTimestamp + i),
          });
        }
        await producer.send({ topic, messages, acks: -1 });
      }
    };
    await Promise.all(Array.from({ length: PRODUCE_IN_FLIGHT }, worker));
  } finally {
    await producer.disconnect();
  }
}

async function waitUntilGone(admin: Admin, topic: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (!(await admin.listTopics()).includes(topic)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Topic ${topic} was not deleted within 10 s.`);
}

/** Deletes the topics that start with any of `prefixes` and the given consumer groups. */
export async function removeRunArtifacts(admin: Admin, prefixes: string[], groups: string[]): Promise<void> {
  const topics = (await admin.listTopics()).filter((t) => prefixes.some((p) => t.startsWith(p)));
  if (topics.length > 0) await admin.deleteTopics({ topics }).catch(() => undefined);
  if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
}

/**
 * Makes sure the join workload's table topic holds one profile per key (compacted, so its records,
 * stamped 1 ms after the epoch to sort before every event, are never deleted by time).
 */
export async function ensureTable(kafka: Kafka, log: (line: string) => void): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (
      (await admin.listTopics()).includes(TABLE_TOPIC) &&
      (await topicEnd(admin, TABLE_TOPIC)) >= DISTINCT_KEYS
    ) {
      log(`Reusing table topic ${TABLE_TOPIC}.`);
      return TABLE_TOPIC;
    }
    await admin.createTopics({
      topics: [
        {
          topic: TABLE_TOPIC,
          numPartitions: INPUT_PARTITIONS,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer({ createPartitioner: Partitioners.JavaCompatiblePartitioner });
  await producer.connect();
  try {
    for (let from = 0; from < DISTINCT_KEYS; from += PRODUCE_CHUNK) {
      const messages: Message[] = [];
      for (let i = from; i < Math.min(DISTINCT_KEYS, from + PRODUCE_CHUNK); i++) {
        messages.push({ key: `user-${i}`, value: JSON.stringify(profileOf(i)), timestamp: '1' });
      }
      await producer.send({ topic: TABLE_TOPIC, messages, acks: -1 });
    }
  } finally {
    await producer.disconnect();
  }
  log(`Produced ${DISTINCT_KEYS.toLocaleString('en-US')} profiles to ${TABLE_TOPIC}.`);
  return TABLE_TOPIC;
}
