/**
 * The latency benchmark, parent side. Each round, for Tributary and then Kafka Streams (both on
 * their own defaults, the stateless topology): fresh input and output topics (the output with
 * `message.timestamp.type=LogAppendTime`), the contender started and waited for, then a load
 * generator producing at a fixed rate for a fixed time, each input record carrying its send time
 * in a `bench-sent-at` header. The contender is stopped once every expected output record is
 * there; the output is read back and each record's latency is its append time minus its header.
 * The broker, the load generator and the contenders share this machine's clock.
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import type { Admin, Kafka, Message } from 'kafkajs';
import { removeRunArtifacts, topicEnd } from './broker.js';
import { serveKafkaStreams, serveTributary, type ServingContender } from './latency-contenders.js';
import { latencyFigures, type LatencyFigures, type OutputSample } from './latency-stats.js';
import { INPUT_PARTITIONS, eventOf, expectedPurchases, keyOf } from './workload.js';

const { Partitioners } = kafkajs;

export const SENT_AT_HEADER = 'bench-sent-at';
const TICK_MS = 5;
/** How long the output may lag behind the load's end (Tributary's default commit interval is 30 s). */
const DRAIN_TIMEOUT_MS = 90_000;

/** What the latency benchmark runs: `ratePerSecond` for `seconds`, the first `warmupSeconds` not measured. */
export interface LatencySettings {
  readonly ratePerSecond: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly rounds: number;
  /** Also run Kafka Streams (Java) in each round. */
  readonly java: boolean;
  readonly kafkaClient: 'kafkajs' | 'platformatic';
}

export type LatencyContender = 'tributary' | 'kafka-streams-java';

/** One latency run of one contender. */
export interface LatencyRun extends LatencyFigures {
  readonly contender: LatencyContender;
  readonly round: number;
  readonly produced: number;
  /** Records per second the load generator reached (should be the set rate). */
  readonly achievedRate: number;
  readonly startupMs: number;
  readonly peakRssMb: number;
}

/** Runs the rounds; Kafka Streams is left out (logged once) when Java cannot run here. */
export async function runLatencySuite(
  kafka: Kafka,
  admin: Admin,
  brokers: string[],
  settings: LatencySettings,
  log: (line: string) => void,
): Promise<LatencyRun[]> {
  const runs: LatencyRun[] = [];
  const stamp = Date.now().toString(36);
  let java = settings.java;
  for (let round = 1; round <= settings.rounds; round++) {
    for (const contender of ['tributary', 'kafka-streams-java'] as const) {
      if (contender === 'kafka-streams-java' && !java) continue;
      const id = `tributary-bench-latency-${stamp}-${contender}-${round}`;
      const run = await runOnce(kafka, admin, brokers, settings, { id, contender, round }, log);
      if (run === undefined) {
        java = false;
        continue;
      }
      log(
        `  latency round ${round} ${contender.padEnd(18)} p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms, max ${run.maxMs} ms` +
          `  (${run.measured.toLocaleString('en-US')} measured at ${run.achievedRate.toLocaleString('en-US')} records/s, peak RSS ${run.peakRssMb} MiB)`,
      );
      runs.push(run);
    }
  }
  return runs;
}

interface RunId {
  readonly id: string;
  readonly contender: LatencyContender;
  readonly round: number;
}

async function runOnce(
  kafka: Kafka,
  admin: Admin,
  brokers: string[],
  settings: LatencySettings,
  { id, contender, round }: RunId,
  log: (line: string) => void,
): Promise<LatencyRun | undefined> {
  const inputTopic = `${id}-input`;
  const outputTopic = `${id}-output`;
  const stateDir = join(tmpdir(), id);
  await admin.createTopics({
    topics: [
      { topic: inputTopic, numPartitions: INPUT_PARTITIONS },
      {
        topic: outputTopic,
        numPartitions: INPUT_PARTITIONS,
        configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }],
      },
    ],
    waitForLeaders: true,
  });
  try {
    const job = { brokers, applicationId: id, inputTopic, outputTopic, stateDir };
    let serving: ServingContender;
    if (contender === 'tributary') {
      serving = serveTributary({ kind: 'latency', ...job, kafkaClient: settings.kafkaClient });
    } else {
      const started = await serveKafkaStreams({ ...job, timeoutSeconds: 600 }, log);
      if ('skipped' in started) {
        log(`Kafka Streams (Java) latency left out: ${started.skipped}`);
        return undefined;
      }
      serving = started;
    }
    let load: LoadResult;
    try {
      await serving.ready;
      load = await produceAtRate(kafka, inputTopic, settings.ratePerSecond, settings.seconds);
      await waitForOutput(admin, outputTopic, expectedPurchases(load.produced));
    } catch (error) {
      await serving.stop().catch(() => undefined);
      throw error;
    }
    const stopped = await serving.stop();
    const samples = await readOutput(kafka, outputTopic, expectedPurchases(load.produced), id);
    const figures = latencyFigures(samples, load.startedAt + settings.warmupSeconds * 1000);
    return {
      contender,
      round,
      produced: load.produced,
      achievedRate: load.achievedRate,
      ...figures,
      ...stopped,
    };
  } finally {
    await removeRunArtifacts(admin, [id], [id, `${id}-reader`]);
    await rm(stateDir, { recursive: true, force: true });
  }
}

interface LoadResult {
  readonly produced: number;
  /** `Date.now()` when the first record was sent. */
  readonly startedAt: number;
  readonly achievedRate: number;
}

/**
 * Sends `ratePerSecond` records a second for `seconds`, in small sends every few milliseconds
 * (not awaited one by one, so a slow acknowledgement does not slow the rate), each record stamped
 * with its send time as timestamp and header. Records are the stateless workload's input.
 */
async function produceAtRate(
  kafka: Kafka,
  topic: string,
  ratePerSecond: number,
  seconds: number,
): Promise<LoadResult> {
  const producer = kafka.producer({ createPartitioner: Partitioners.JavaCompatiblePartitioner });
  await producer.connect();
  try {
    const total = ratePerSecond * seconds;
    const sends: Promise<unknown>[] = [];
    const startedAt = Date.now();
    const began = performance.now();
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - began) / 1000) * ratePerSecond) + 1);
      if (due > sent) {
        const now = String(Date.now());
        const messages: Message[] = [];
        for (let i = sent; i < due; i++) {
          messages.push({
            key: keyOf(i),
            value: JSON.stringify(eventOf(i)),
            timestamp: now,
            headers: { [SENT_AT_HEADER]: now },
          });
        }
        sends.push(producer.send({ topic, messages, acks: -1 }));
        sent = due;
      }
      await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    }
    const elapsedMs = performance.now() - began;
    await Promise.all(sends);
    return { produced: total, startedAt, achievedRate: Math.round(total / (elapsedMs / 1000)) };
  } finally {
    await producer.disconnect();
  }
}

async function waitForOutput(admin: Admin, topic: string, expected: number): Promise<void> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if ((await topicEnd(admin, topic)) >= expected) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const held = await topicEnd(admin, topic);
  throw new Error(
    `Latency output ${topic} holds ${held} of ${expected} records ${DRAIN_TIMEOUT_MS / 1000} s after the load ended.`,
  );
}

/** Reads every output record back with its append time and its input's send time. */
async function readOutput(
  kafka: Kafka,
  topic: string,
  expected: number,
  id: string,
): Promise<OutputSample[]> {
  const consumer = kafka.consumer({ groupId: `${id}-reader`, maxWaitTimeInMs: 200 });
  const samples: OutputSample[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) {
              const header = m.headers?.[SENT_AT_HEADER];
              if (header === undefined) {
                reject(
                  new Error(
                    `An output record on ${topic} lacks the ${SENT_AT_HEADER} header: headers are not carried through.`,
                  ),
                );
                return;
              }
              samples.push({ appendedAt: Number(m.timestamp), sentAt: Number(header.toString()) });
            }
            if (samples.length >= expected) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return samples;
}
