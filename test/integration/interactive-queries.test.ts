import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { InvalidStateStoreError, type KafkaStreams } from '../../src/index.js';
import { createKafkaClient } from '../../src/kafka/index.js';
import { describeWithKafka, kafkaBrokers, uniqueTopic } from './support/kafka.js';
import { produceLines, readCounts, sameCounts, waitUntil, wordCountApp } from './support/word-count-app.js';

const dirs: string[] = [];
const apps: KafkaStreams[] = [];

async function stateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'trib-iq-'));
  dirs.push(dir);
  return dir;
}

describeWithKafka('interactive queries on a real broker', () => {
  let brokers: string[];
  beforeAll(() => {
    brokers = kafkaBrokers();
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('reads every count from the local stores of a running app', async () => {
    const input = uniqueTopic('iq-lines');
    const output = uniqueTopic('iq-counts');
    const kafka = createKafkaClient({ brokers });
    const admin = await kafka.admin();
    await admin.createTopics([
      { topic: input, partitions: 3 },
      { topic: output, partitions: 3 },
    ]);
    await admin.close();
    await kafka.close();
    const app = wordCountApp(input, output, {
      applicationId: uniqueTopic('iq-app'),
      brokers,
      stateDir: await stateDir(),
    });
    apps.push(app);
    expect(() => app.store('counts').get('w1')).toThrow(InvalidStateStoreError);
    await app.start();
    const truth = await produceLines(brokers, input, 500);
    await waitUntil(async () => sameCounts(await readCounts(brokers, output), truth), 60_000, 'counts');
    const counts = app.store<string, number>('counts', { type: 'keyValue' });
    for (const [word, n] of truth) expect(counts.get(word), word).toBe(n);
    expect(new Map([...counts.all()].map(({ key, value }) => [key, value]))).toEqual(truth);
    expect(counts.approximateNumEntries()).toBe(truth.size);
  });
});
