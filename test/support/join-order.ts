import { expect } from 'vitest';
import { JoinWindows, KafkaStreams, Serdes, StreamsBuilder } from '../../src/index.js';
import type { KafkaClient } from '../../src/kafka/index.js';
import { readLatestCounts } from './counts.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * A windowed join with no grace is where order across partitions shows: a task that processed all
 * of `left` before `right` would find every right record outside its window and drop it as late.
 */
function joinTopology(left: string, right: string, output: string) {
  const b = new StreamsBuilder();
  const l = b.stream(left, { key: Serdes.string(), value: Serdes.string() });
  const r = b.stream(right, { key: Serdes.string(), value: Serdes.string() });
  l.join(r, (lv, rv) => `${lv}+${rv}`, JoinWindows.ofTimeDifferenceAndGrace(100, 0), {
    key: Serdes.string(),
    value: Serdes.string(),
    otherValue: Serdes.string(),
  })
    .mapValues(() => 1)
    .groupByKey({ key: Serdes.string(), value: Serdes.long() })
    .count({ name: 'joined' })
    .toStream()
    .to(output, { key: Serdes.string(), value: Serdes.long() });
  return b.build();
}

/**
 * Produces `perSide` records to `left` and then as many to `right` (same keys and timestamps,
 * 1 s apart) before the app starts, runs the join and expects every pair joined: each right record
 * is within the window of exactly one left record. Shared by the embedded and real-broker suites.
 */
export async function expectJoinMergesByTimestamp(
  kafka: KafkaClient,
  names: { applicationId: string; left: string; right: string; output: string; stateDir: string },
  perSide: number,
  timeoutMs: number,
): Promise<void> {
  const { applicationId, left, right, output, stateDir } = names;
  const admin = await kafka.admin();
  await admin.createTopics([
    { topic: left, partitions: 1 },
    { topic: right, partitions: 1 },
    { topic: output, partitions: 1 },
  ]);
  await admin.close();
  // Recent timestamps: a real broker's 7-day retention would delete older input.
  const base = Date.now() - perSide * 1_000;
  const producer = await kafka.producer();
  for (const topic of [left, right]) {
    const records = Array.from({ length: perSide }, (_, i) => ({
      topic,
      key: Buffer.from(`k${i % 10}`),
      value: Buffer.from(`${topic}-${i}`),
      timestamp: base + i * 1_000,
    }));
    for (let i = 0; i < records.length; i += 500) await producer.send(records.slice(i, i + 500));
  }
  await producer.close();
  const app = new KafkaStreams(joinTopology(left, right, output), {
    applicationId,
    kafka,
    stateDir,
    commitIntervalMs: 50,
    logger: quiet,
  });
  try {
    await app.start();
    const expected = new Map(Array.from({ length: 10 }, (_, k) => [`k${k}`, perSide / 10]));
    let got = new Map<string, number>();
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      got = await readLatestCounts(kafka, output);
      if ([...expected].every(([k, n]) => got.get(k) === n)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(expected));
  } finally {
    await app.close();
  }
}
