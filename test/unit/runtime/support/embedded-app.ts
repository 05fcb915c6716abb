import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  KafkaStreams,
  Serdes,
  StreamsBuilder,
  type StreamsConfig,
  type Topology,
} from '../../../../src/index.js';
import type { KafkaClient } from '../../../../src/kafka/index.js';
import { mergeCounts, readLatestCounts } from '../../../support/counts.js';

export const INPUT = 'lines';
export const OUTPUT = 'counts-out';
export const ALL_TASKS = ['0_0', '0_1', '0_2', '0_3', '1_0', '1_1', '1_2', '1_3'];

export const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Lines → words → count per word (a key change, so a repartition topic) → `counts-out`. */
export function wordCountTopology(): Topology {
  const b = new StreamsBuilder();
  b.stream(INPUT, { key: Serdes.string(), value: Serdes.string() })
    .flatMapValues((line) => line.split(' '))
    .groupBy((_, w) => w, { key: Serdes.string(), value: Serdes.string() })
    .count({ name: 'counts' })
    .toStream()
    .to(OUTPUT, { key: Serdes.string(), value: Serdes.long() });
  return b.build();
}

/** Short timeouts so rebalances and evictions happen within a unit test's budget. */
export function wordCountApp(
  kafka: KafkaClient,
  stateDir: string,
  config: Partial<StreamsConfig> = {},
): KafkaStreams {
  return new KafkaStreams(wordCountTopology(), {
    applicationId: 'wc',
    kafka,
    stateDir,
    commitIntervalMs: 50,
    sessionTimeoutMs: 1_500,
    heartbeatIntervalMs: 100,
    logger: quietLogger,
    ...config,
  });
}

/** Temp directories made by `tempStateDir()`, removed by `removeTempDirs()`. */
const tempDirs: string[] = [];

export async function tempStateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'trib-rt-'));
  tempDirs.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  for (const dir of tempDirs.splice(0)) await rm(dir, { recursive: true, force: true });
}

export async function createTopics(
  kafka: KafkaClient,
  topics: { topic: string; partitions: number }[],
): Promise<void> {
  const admin = await kafka.admin();
  await admin.createTopics(topics);
  await admin.close();
}

/** Produces `count` lines from a fixed vocabulary, keys spread over partitions; returns the true count per word. */
export async function produceLines(
  kafka: KafkaClient,
  count: number,
  first = 0,
): Promise<Map<string, number>> {
  const producer = await kafka.producer();
  const truth = new Map<string, number>();
  const records = [];
  for (let i = first; i < first + count; i++) {
    const line = `w${i % 13} w${(i * 7) % 11} w${(i * 5) % 17}`;
    for (const w of line.split(' ')) truth.set(w, (truth.get(w) ?? 0) + 1);
    records.push({
      topic: INPUT,
      key: Buffer.from(`line-${i}`),
      value: Buffer.from(line),
      timestamp: 1_000 + i,
    });
  }
  for (let i = 0; i < records.length; i += 50) await producer.send(records.slice(i, i + 50));
  await producer.close();
  return truth;
}

/** Latest count per word on the output topic. */
export function readCounts(kafka: KafkaClient, topic = OUTPUT): Promise<Map<string, number>> {
  return readLatestCounts(kafka, topic);
}

export { mergeCounts };

export function sameCounts(got: Map<string, number>, truth: Map<string, number>): boolean {
  return got.size === truth.size && [...truth].every(([w, n]) => got.get(w) === n);
}

/** Sorted plain object, so a failed `toEqual` shows which words differ. */
export function sorted(counts: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b)));
}

export async function waitUntil(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
}

export function activeTasks(app: KafkaStreams): string[] {
  return app
    .metadataForLocalTasks()
    .filter((t) => t.kind === 'active')
    .map((t) => t.taskId)
    .sort();
}
