/**
 * The restoration benchmark, parent side: a compacted changelog-like topic of distinct keys is
 * produced directly (once per size, then reused), and each round a fresh Tributary instance with
 * an empty state directory restores it from the broker into its `level` store, in a child process,
 * then (unless `--no-java`) a fresh Kafka Streams instance restores the same changelog into RocksDB.
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import type { Admin, Kafka, Message } from 'kafkajs';
import { createTopic, topicEnd } from './broker.js';
import { runKafkaStreamsRestore } from './java-restore.js';
import type { RestoreJob, RestoreRunResult } from './protocol.js';
import { runChild } from './spawn-child.js';
import { INPUT_PARTITIONS } from './workload.js';

const { Partitioners } = kafkajs;

/** Bumped whenever the changelog's shape changes, so an old pre-produced one is not reused. */
const RESTORE_VERSION = 1;
/** The count workload's store: its changelog is `<applicationId>-counts-changelog`. */
const STORE = 'counts';
const VALUE_BYTES = 100;
const PRODUCE_CHUNK = 5_000;
const PRODUCE_IN_FLIGHT = 4;

/** One restoration round of one contender, as the table and `latest.json` show it. */
export interface RestoreRun extends RestoreRunResult {
  readonly round: number;
  readonly contender: 'tributary' | 'kafka-streams-java';
}

/** The topics of the restoration app for `records` records (the same for every run of that size). */
export function restoreTopics(records: number) {
  const applicationId = `tributary-bench-restore-v${RESTORE_VERSION}-${records}`;
  return {
    applicationId,
    changelog: `${applicationId}-${STORE}-changelog`,
    input: `${applicationId}-input`,
    output: `${applicationId}-output`,
  };
}

/** Produces the changelog (unless it already holds `records` records) and the empty app topics. */
export async function ensureChangelog(
  kafka: Kafka,
  admin: Admin,
  records: number,
  log: (line: string) => void,
  topics: ReturnType<typeof restoreTopics> = restoreTopics(records),
  /** Reuse a changelog that grew past `records` (a run that also wrote to it). */
  reuseLarger = false,
): Promise<void> {
  await createTopic(admin, topics.input);
  await createTopic(admin, topics.output);
  const existing = await admin.listTopics();
  if (existing.includes(topics.changelog)) {
    const held = await topicEnd(admin, topics.changelog);
    if (held === records || (reuseLarger && held > records)) {
      log(`Reusing changelog ${topics.changelog} (${records.toLocaleString('en-US')} records).`);
      return;
    }
    log(`Changelog ${topics.changelog} holds ${held} records instead of ${records}: recreating it.`);
    await admin.deleteTopics({ topics: [topics.changelog] });
    await waitUntilGone(admin, topics.changelog);
  }
  await admin.createTopics({
    topics: [
      {
        topic: topics.changelog,
        numPartitions: INPUT_PARTITIONS,
        configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
      },
    ],
    waitForLeaders: true,
  });
  const began = Date.now();
  await produceChangelog(kafka, topics.changelog, records);
  log(
    `Produced ${records.toLocaleString('en-US')} changelog records to ${topics.changelog} in ${((Date.now() - began) / 1000).toFixed(1)} s.`,
  );
}

/** Distinct keys, so compaction keeps every record and the restore reads exactly `records`. */
async function produceChangelog(kafka: Kafka, topic: string, records: number): Promise<void> {
  const producer = kafka.producer({ createPartitioner: Partitioners.JavaCompatiblePartitioner });
  await producer.connect();
  try {
    const timestamp = String(Date.now());
    let next = 0;
    const worker = async () => {
      while (next < records) {
        const from = next;
        const to = Math.min(records, from + PRODUCE_CHUNK);
        next = to;
        const messages: Message[] = [];
        for (let i = from; i < to; i++) {
          messages.push({ key: `restore-key-${i}`, value: valueOf(i), timestamp });
        }
        await producer.send({ topic, messages, acks: -1 });
      }
    };
    await Promise.all(Array.from({ length: PRODUCE_IN_FLIGHT }, worker));
  } finally {
    await producer.disconnect();
  }
}

/** Opaque bytes: a restore copies changelog values into the store without deserializing them. */
function valueOf(i: number): Buffer {
  return Buffer.from(`${i}:`.padEnd(VALUE_BYTES, 'v'));
}

async function waitUntilGone(admin: Admin, topic: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (!(await admin.listTopics()).includes(topic)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Topic ${topic} was not deleted within 10 s.`);
}

/**
 * `rounds` restorations of the pre-produced changelog, each by a fresh Tributary instance in its
 * own child and then (with `java`) by a fresh Kafka Streams instance, alternating.
 */
export async function runRestoreSuite(
  brokers: string[],
  admin: Admin,
  records: number,
  rounds: number,
  log: (line: string) => void,
  kafkaClient: 'kafkajs' | 'platformatic' = 'kafkajs',
  java = false,
): Promise<RestoreRun[]> {
  const topics = restoreTopics(records);
  const runs: RestoreRun[] = [];
  let javaLeftOut = !java;
  for (let round = 1; round <= rounds; round++) {
    const job: RestoreJob = {
      kind: 'restore',
      brokers,
      applicationId: topics.applicationId,
      inputTopic: topics.input,
      outputTopic: topics.output,
      records,
      kafkaClient,
      stateDir: join(tmpdir(), `${topics.applicationId}-${Date.now().toString(36)}-${round}`),
    };
    try {
      const run: RestoreRun = { ...(await runChild<RestoreRunResult>(job)), round, contender: 'tributary' };
      logRestore(log, run);
      runs.push(run);
    } finally {
      await rm(job.stateDir, { recursive: true, force: true });
      await removeGroupsStartingWith(admin, topics.applicationId);
    }
    if (javaLeftOut) continue;
    try {
      const result = await runKafkaStreamsRestore(brokers, topics, records, log);
      if ('skipped' in result) {
        log(`Kafka Streams (Java) restoration left out: ${result.skipped}`);
        javaLeftOut = true;
        continue;
      }
      const run: RestoreRun = { ...result, round, contender: 'kafka-streams-java' };
      logRestore(log, run);
      runs.push(run);
    } finally {
      await removeGroupsStartingWith(admin, topics.applicationId);
    }
  }
  return runs;
}

function logRestore(log: (line: string) => void, run: RestoreRun): void {
  log(
    `  restore round ${run.round} ${run.contender.padEnd(18)} ${run.recordsPerSecond.toLocaleString('en-US').padStart(9)} records/s` +
      `  (${(run.restoreMs / 1000).toFixed(1)} s, start-up ${(run.startupMs / 1000).toFixed(1)} s, peak RSS ${run.peakRssMb} MiB)`,
  );
}

/** The app's group and its restore readers' groups; the topics stay for the next run. */
async function removeGroupsStartingWith(admin: Admin, prefix: string): Promise<void> {
  const { groups } = await admin.listGroups();
  const ids = groups.map((g) => g.groupId).filter((id) => id.startsWith(prefix));
  if (ids.length > 0) await admin.deleteGroups(ids).catch(() => undefined);
}
