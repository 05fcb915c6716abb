import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { KafkaStreams, StreamsEvent } from '../../../src/index.js';
import { createEmbeddedKafka, type EmbeddedKafka } from '../../../src/kafka/index.js';
import {
  ALL_TASKS,
  INPUT,
  OUTPUT,
  activeTasks,
  createTopics,
  mergeCounts,
  produceLines,
  readCounts,
  removeTempDirs,
  sameCounts,
  sorted,
  tempStateDir,
  waitUntil,
  wordCountApp,
} from './support/embedded-app.js';

const CHANGELOG = 'wc-counts-changelog';
const SHORT_SESSION = { sessionTimeoutMs: 1_000, heartbeatIntervalMs: 100 };

let kafka: EmbeddedKafka;
const apps: KafkaStreams[] = [];

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  await kafka.close();
  await removeTempDirs();
});

async function changelogRecords(): Promise<number> {
  const admin = await kafka.admin();
  const ends = await admin.listOffsets([0, 1, 2, 3].map((partition) => ({ topic: CHANGELOG, partition })));
  await admin.close();
  return ends.reduce((sum, e) => sum + Number(BigInt(e.end) - BigInt(e.begin)), 0);
}

/** Counts 17,000 lines without caching (51,000 changelog records), closes, and wipes the local state. */
async function largeChangelog(): Promise<{ stateDir: string; truth: Map<string, number> }> {
  kafka = createEmbeddedKafka();
  await createTopics(kafka, [
    { topic: INPUT, partitions: 4 },
    { topic: OUTPUT, partitions: 4 },
  ]);
  const stateDir = await tempStateDir();
  const first = wordCountApp(kafka, stateDir, { cacheMaxBytes: 0, commitIntervalMs: 500 });
  await first.start();
  const truth = await produceLines(kafka, 17_000);
  await waitUntil(async () => sameCounts(await readCounts(kafka), truth), 'first-run counts', 60_000);
  await first.close();
  await rm(stateDir, { recursive: true, force: true });
  return { stateDir, truth };
}

function record(app: KafkaStreams): StreamsEvent[] {
  const events: StreamsEvent[] = [];
  app.events$.subscribe((e) => events.push(e));
  return events;
}

describe('restoration outside the rebalance callback', { timeout: 120_000 }, () => {
  it('restores 50,000+ changelog records with a 1 s session timeout: assignment first, RUNNING after, input buffered, counts exact', async () => {
    const { stateDir, truth: firstTruth } = await largeChangelog();
    const logged = await changelogRecords();
    expect(logged).toBeGreaterThanOrEqual(50_000);
    // Waiting input: stateless tasks run at once, stateful ones receive batches while restoring.
    const waiting = await produceLines(kafka, 300, 17_000);

    const app = wordCountApp(kafka, stateDir, SHORT_SESSION);
    apps.push(app);
    const events = record(app);
    await app.start();
    expect(app.state).toBe('RUNNING');

    const restored = events.reduce((sum, e) => sum + (e.type === 'restore-end' ? e.totalRestored : 0), 0);
    expect(restored).toBe(logged);
    const index = (match: (e: StreamsEvent) => boolean) => events.findIndex(match);
    const lastIndex = (match: (e: StreamsEvent) => boolean) => events.findLastIndex(match);
    // The rebalance callback finished (the assignment event) before any store finished restoring…
    expect(index((e) => e.type === 'rebalance')).toBeLessThan(index((e) => e.type === 'restore-end'));
    // …and the app became RUNNING only once every store had.
    expect(index((e) => e.type === 'state' && e.to === 'RUNNING')).toBeGreaterThan(
      lastIndex((e) => e.type === 'restore-end'),
    );
    expect(events.filter((e) => e.type === 'rebalance')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'error')).toEqual([]);

    const truth = mergeCounts(firstTruth, waiting, await produceLines(kafka, 200, 17_300));
    await waitUntil(
      async () => sameCounts(await readCounts(kafka), truth),
      'counts after the restore',
      30_000,
    );
    expect(sorted(await readCounts(kafka))).toEqual(sorted(truth));
  });

  it('a rebalance that revokes restoring tasks cancels their restores; both instances end RUNNING with exact counts', async () => {
    const { stateDir, truth: firstTruth } = await largeChangelog();
    const a = wordCountApp(kafka, stateDir, SHORT_SESSION);
    apps.push(a);
    const events = record(a);
    const startingA = a.start();
    await waitUntil(() => events.some((e) => e.type === 'restore-progress'), 'a to be restoring');

    const b = wordCountApp(kafka, await tempStateDir(), SHORT_SESSION);
    apps.push(b);
    await Promise.all([startingA, b.start()]);
    await waitUntil(
      () => a.state === 'RUNNING' && b.state === 'RUNNING' && activeTasks(a).length === 4,
      'a 4/4 split with both RUNNING',
      30_000,
    );
    expect([...activeTasks(a), ...activeTasks(b)].sort()).toEqual(ALL_TASKS);
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    expect(events.filter((e) => e.type === 'rebalance').length).toBeGreaterThanOrEqual(2);

    const truth = mergeCounts(firstTruth, await produceLines(kafka, 300, 17_000));
    await waitUntil(
      async () => sameCounts(await readCounts(kafka), truth),
      'counts after the rebalance',
      30_000,
    );
    expect(sorted(await readCounts(kafka))).toEqual(sorted(truth));
  });
});
