import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KafkaStreams, StreamsEvent } from '../../src/index.js';
import { createKafkaClient } from '../../src/kafka/index.js';
import { describeWithKafka, kafkaBrokers, uniqueTopic } from './support/kafka.js';
import {
  mergeCounts,
  produceLines,
  readCounts,
  sameCounts,
  waitUntil,
  wordCountApp,
} from './support/word-count-app.js';

const dirs: string[] = [];
const apps: KafkaStreams[] = [];

async function stateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'trib-standby-'));
  dirs.push(dir);
  return dir;
}

function tasksOf(app: KafkaStreams, kind: 'active' | 'standby'): string[] {
  return app
    .metadataForLocalTasks()
    .filter((t) => t.kind === kind)
    .map((t) => t.taskId)
    .sort();
}

describeWithKafka('standby replicas on a real broker', () => {
  let brokers: string[];
  beforeAll(() => {
    brokers = kafkaBrokers();
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('keeps warm standbys on the other instance; after a graceful stop the survivor restores only the tail', async () => {
    const input = uniqueTopic('lines');
    const output = uniqueTopic('counts');
    const applicationId = uniqueTopic('wc-standby');
    const kafka = createKafkaClient({ brokers });
    const admin = await kafka.admin();
    await admin.createTopics([
      { topic: input, partitions: 4 },
      { topic: output, partitions: 4 },
    ]);
    const config = {
      applicationId,
      brokers,
      numStandbyReplicas: 1,
      cacheMaxBytes: 0,
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 1_000,
    };
    const a = wordCountApp(input, output, { ...config, stateDir: await stateDir() });
    const b = wordCountApp(input, output, { ...config, stateDir: await stateDir() });
    apps.push(a, b);
    const restoredByB: StreamsEvent[] = [];
    b.events$.subscribe((e) => {
      if (e.type === 'restore-start' || e.type === 'restore-end') restoredByB.push(e);
    });
    await a.start();
    await b.start();
    await waitUntil(
      () =>
        tasksOf(a, 'active').length === 4 &&
        tasksOf(b, 'active').length === 4 &&
        a.state === 'RUNNING' &&
        b.state === 'RUNNING',
      60_000,
      'a 4/4 split',
    );
    const before = await produceLines(brokers, input, 2_000, 0);
    await waitUntil(
      async () => sameCounts(await readCounts(brokers, output), before),
      60_000,
      'counts before',
    );

    const moved = tasksOf(a, 'active').filter((id) => id.startsWith('1_'));
    expect(moved.length).toBe(2);
    expect(tasksOf(b, 'standby')).toEqual(moved);
    expect(tasksOf(a, 'standby')).toEqual(tasksOf(b, 'active').filter((id) => id.startsWith('1_')));

    // Let b's standbys catch up; what a writes in its last commit is the tail.
    await new Promise((r) => setTimeout(r, 3_000));
    restoredByB.length = 0;
    await a.close();
    const ends = await admin.listOffsets(
      moved.map((id) => ({
        topic: `${applicationId}-counts-changelog`,
        partition: Number(id.split('_')[1]),
      })),
    );
    const logged = ends.reduce((sum, e) => sum + Number(BigInt(e.end) - BigInt(e.begin)), 0);
    await waitUntil(
      () => tasksOf(b, 'active').length === 8 && b.state === 'RUNNING',
      60_000,
      'b to own every task',
    );
    const restored = restoredByB.reduce(
      (sum, e) => sum + (e.type === 'restore-end' ? e.totalRestored : 0),
      0,
    );
    expect(logged).toBeGreaterThan(1_000);
    expect(restored).toBeLessThan(logged / 10);
    for (const e of restoredByB)
      if (e.type === 'restore-start') expect(Number(e.startOffset)).toBeGreaterThan(0);

    const truth = mergeCounts(before, await produceLines(brokers, input, 500, 2_000));
    await waitUntil(
      async () => sameCounts(await readCounts(brokers, output), truth),
      60_000,
      'exact counts after',
    );
    expect(Object.fromEntries([...(await readCounts(brokers, output))].sort())).toEqual(
      Object.fromEntries([...truth].sort()),
    );
    await b.close();
    await admin.close();
    await kafka.close();
  });
});
