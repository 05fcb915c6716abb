import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { KafkaStreams, StreamsEvent } from '../../src/index.js';
import { createKafkaClient } from '../../src/kafka/index.js';
import { describeWithKafka, kafkaBrokers, uniqueTopic } from './support/kafka.js';
import { exited, startWorkerProcess } from './support/worker-process.js';
import {
  mergeCounts,
  produceLines,
  quietLogger,
  readCounts,
  sameCounts,
  waitUntil,
  wordCountApp,
} from './support/word-count-app.js';

const children: ChildProcess[] = [];
const apps: KafkaStreams[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(apps.map((app) => app.close()));
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function changelogRecords(brokers: string[], applicationId: string): Promise<number> {
  const kafka = createKafkaClient({ brokers });
  const admin = await kafka.admin();
  try {
    const topic = `${applicationId}-counts-changelog`;
    const ends = await admin.listOffsets([0, 1, 2, 3].map((partition) => ({ topic, partition })));
    return ends.reduce((sum, e) => sum + Number(BigInt(e.end) - BigInt(e.begin)), 0);
  } finally {
    await admin.close();
    await kafka.close();
  }
}

describeWithKafka('exactly-once after kill -9', () => {
  it('keeps the local state of every task (no wipe) and restores only the changelog tail, counting exactly', async () => {
    const brokers = kafkaBrokers();
    const applicationId = uniqueTopic('wc-eos-crash');
    const [input, output] = [uniqueTopic('lines'), uniqueTopic('counts')];
    const kafka = createKafkaClient({ brokers });
    const admin = await kafka.admin();
    await admin.createTopics([input, output].map((topic) => ({ topic, partitions: 4 })));
    await admin.close();
    await kafka.close();
    const stateDir = await mkdtemp(join(tmpdir(), 'trib-eos-crash-'));
    dirs.push(stateDir);

    const worker = 'test/integration/support/word-count-worker.ts';
    const victim = await startWorkerProcess(
      worker,
      [brokers.join(','), applicationId, input, output, stateDir, 'exactly_once'],
      children,
    );
    const truth = await produceLines(brokers, input, 600);
    await waitUntil(async () => sameCounts(await readCounts(brokers, output), truth), 60_000, 'first run');
    victim.kill('SIGKILL');
    await exited(victim);
    const logged = await changelogRecords(brokers, applicationId);

    const warnings: string[] = [];
    const events: StreamsEvent[] = [];
    const app = wordCountApp(input, output, {
      applicationId,
      brokers,
      stateDir,
      processingGuarantee: 'exactly_once',
      logger: { ...quietLogger, warn: (_fields, message) => warnings.push(message ?? '') },
    });
    apps.push(app);
    app.events$.subscribe((e) => e.type.startsWith('restore-') && events.push(e));
    await app.start();
    const more = mergeCounts(truth, await produceLines(brokers, input, 200, 600));
    await waitUntil(
      async () => sameCounts(await readCounts(brokers, output), more),
      60_000,
      'after the crash',
    );

    expect(warnings.filter((w) => w.startsWith('wiping local state'))).toEqual([]);
    const restored = events.reduce((n, e) => n + (e.type === 'restore-end' ? e.totalRestored : 0), 0);
    expect(logged).toBeGreaterThan(0);
    // Before, every task wiped its state and restored the whole changelog (`logged` records).
    expect(restored).toBeLessThan(logged);
    expect(Object.fromEntries(await readCounts(brokers, output))).toEqual(Object.fromEntries(more));
  }, 180_000);
});
