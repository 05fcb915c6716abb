import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KafkaStreams } from '../../src/index.js';
import { createKafkaClient } from '../../src/kafka/index.js';
import { freePort, ownershipProblems, settled, type Instance } from '../support/key-ownership.js';
import { describeWithKafka, kafkaBrokers, uniqueTopic } from './support/kafka.js';
import {
  mergeCounts,
  produceLines,
  readCounts,
  sameCounts,
  waitUntil,
  wordCountApp,
} from './support/word-count-app.js';

const PARTITIONS = 3;
const dirs: string[] = [];
const apps: KafkaStreams[] = [];

async function expectOwnership(instances: Instance[], truth: Map<string, number>): Promise<void> {
  await waitUntil(() => settled(instances, 'counts', PARTITIONS), 60_000, 'one agreed assignment');
  let problems: string[] = [];
  await waitUntil(
    () => (problems = ownershipProblems(instances, 'counts', truth, 1)).length === 0,
    30_000,
    'every key on exactly its owner',
  ).catch((error: Error) => {
    throw new Error(`${error.message}:\n${problems.slice(0, 10).join('\n')}`);
  });
}

describeWithKafka('interactive-query metadata on a real broker', () => {
  let brokers: string[];
  beforeAll(() => {
    brokers = kafkaBrokers();
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('routes every key to its owner and its standby, over HTTP too, before and after a third instance joins and one leaves', async () => {
    const input = uniqueTopic('md-lines');
    const output = uniqueTopic('md-counts');
    const applicationId = uniqueTopic('md-app');
    const kafka = createKafkaClient({ brokers });
    const admin = await kafka.admin();
    await admin.createTopics([
      { topic: input, partitions: PARTITIONS },
      { topic: output, partitions: PARTITIONS },
    ]);
    await admin.close();
    await kafka.close();
    const instance = async (): Promise<Instance & { url: string }> => {
      const port = await freePort();
      const server = `127.0.0.1:${port}`;
      const stateDir = await mkdtemp(join(tmpdir(), 'trib-md-'));
      dirs.push(stateDir);
      const app = wordCountApp(input, output, {
        applicationId,
        brokers,
        stateDir,
        applicationServer: server,
        http: { port },
        numStandbyReplicas: 1,
        sessionTimeoutMs: 10_000,
        heartbeatIntervalMs: 500,
      });
      apps.push(app);
      return { app, server, url: `http://${server}` };
    };
    const a = await instance();
    const b = await instance();
    await Promise.all([a.app.start(), b.app.start()]);
    const truth = await produceLines(brokers, input, 300);
    await waitUntil(async () => sameCounts(await readCounts(brokers, output), truth), 60_000, 'counts');
    await expectOwnership([a, b], truth);

    const byServer = new Map([a, b].map((i) => [i.server, i]));
    for (const [word, n] of [...truth].slice(0, 10)) {
      const { activeHost } = b.app.queryMetadataForKey('counts', word);
      const owner = byServer.get(`${activeHost.host}:${activeHost.port}`)!;
      const other = owner === a ? b : a;
      const here = await fetch(`${owner.url}/api/stores/counts/${word}`);
      expect(await here.json()).toEqual({ store: 'counts', key: word, value: n });
      const there = await fetch(`${other.url}/api/stores/counts/${word}`);
      expect(there.status).toBe(421);
      expect(((await there.json()) as { activeHost: unknown }).activeHost).toEqual(activeHost);
    }

    const c = await instance();
    await c.app.start();
    const more = await produceLines(brokers, input, 150, 300);
    const all = mergeCounts(truth, more);
    await waitUntil(async () => sameCounts(await readCounts(brokers, output), all), 60_000, 'counts after c');
    await expectOwnership([a, b, c], all);
    expect(c.app.streamsMetadataForStore('counts')).toHaveLength(3);

    await a.app.close();
    await expectOwnership([b, c], all);
  });
});
