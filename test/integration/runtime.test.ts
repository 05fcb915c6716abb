import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ConfigError, type KafkaStreams } from '../../src/index.js';
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
const children: ChildProcess[] = [];

async function stateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'trib-it-'));
  dirs.push(dir);
  return dir;
}

async function createTopics(brokers: string[], topics: { topic: string; partitions: number }[]) {
  const kafka = createKafkaClient({ brokers });
  const admin = await kafka.admin();
  await admin.createTopics(topics);
  await admin.close();
  await kafka.close();
}

/** A topic's configuration as the broker reports it (kafkajs directly: the port has no describeConfigs). */
async function topicConfigs(brokers: string[], topic: string): Promise<Record<string, string>> {
  const kafka = new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: topic }],
    });
    return Object.fromEntries(resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
  } finally {
    await admin.disconnect();
  }
}

function expectExact(got: Map<string, number>, truth: Map<string, number>) {
  expect(Object.fromEntries([...got].sort())).toEqual(Object.fromEntries([...truth].sort()));
}

describeWithKafka('KafkaStreams on a real broker', () => {
  let brokers: string[];
  beforeAll(() => {
    brokers = kafkaBrokers();
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await Promise.all(apps.map((a) => a.close()));
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('counts words over a 4-partition input with a repartition topic', async () => {
    const input = uniqueTopic('lines');
    const output = uniqueTopic('counts');
    await createTopics(brokers, [
      { topic: input, partitions: 4 },
      { topic: output, partitions: 4 },
    ]);
    const truth = await produceLines(brokers, input, 1_000);
    const applicationId = uniqueTopic('wc');
    const app = wordCountApp(input, output, {
      applicationId,
      brokers,
      stateDir: await stateDir(),
      repartitionPurgeIntervalMs: 0,
    });
    apps.push(app);
    await app.start();
    expect(app.metadataForLocalTasks().filter((t) => t.kind === 'active')).toHaveLength(8);
    await waitUntil(
      async () => (await readCounts(brokers, output)).size === truth.size,
      60_000,
      'all words counted',
    );
    await waitUntil(async () => sameCounts(await readCounts(brokers, output), truth), 30_000, 'exact counts');

    // The repartition topic keeps records of any age until they are consumed, then they are purged.
    const repartition = `${applicationId}-counts-repartition`;
    const configs = await topicConfigs(brokers, repartition);
    expect(configs).toMatchObject({ 'cleanup.policy': 'delete', 'retention.ms': '-1' });
    const kafka = createKafkaClient({ brokers });
    const admin = await kafka.admin();
    const partitions = [0, 1, 2, 3].map((partition) => ({ topic: repartition, partition }));
    await waitUntil(
      async () => (await admin.listOffsets(partitions)).every((o) => o.begin === o.end && o.end !== '0'),
      30_000,
      'consumed repartition records purged',
    );
    await admin.close();
    await kafka.close();
    await app.close();
    expect(app.state).toBe('NOT_RUNNING');
  });

  it('scales out to a second instance while input flows, then in gracefully, with exact counts', async () => {
    const input = uniqueTopic('lines');
    const output = uniqueTopic('counts');
    const applicationId = uniqueTopic('wc-scale');
    await createTopics(brokers, [
      { topic: input, partitions: 4 },
      { topic: output, partitions: 4 },
    ]);
    const config = { applicationId, brokers, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000 };
    const a = wordCountApp(input, output, { ...config, stateDir: await stateDir() });
    apps.push(a);
    await a.start();
    const first = await produceLines(brokers, input, 500, 0);
    const b = wordCountApp(input, output, { ...config, stateDir: await stateDir() });
    apps.push(b);
    const flowing = produceLines(brokers, input, 500, 500);
    await b.start();
    const second = await flowing;
    await waitUntil(
      () =>
        a.metadataForLocalTasks().length > 0 &&
        b.metadataForLocalTasks().length > 0 &&
        a.state === 'RUNNING' &&
        b.state === 'RUNNING',
      60_000,
      'both instances to own tasks',
    );
    const tasksA = a.metadataForLocalTasks().map((t) => t.taskId);
    const tasksB = b.metadataForLocalTasks().map((t) => t.taskId);
    expect([...tasksA, ...tasksB].sort()).toEqual(['0_0', '0_1', '0_2', '0_3', '1_0', '1_1', '1_2', '1_3']);
    let truth = mergeCounts(first, second);
    await waitUntil(
      async () => sameCounts(await readCounts(brokers, output), truth),
      60_000,
      'exact counts after scale-out',
    );

    // Graceful scale-in: A leaves, B takes over everything, nothing lost or counted twice.
    await a.close();
    const third = await produceLines(brokers, input, 300, 1_000);
    truth = mergeCounts(truth, third);
    await waitUntil(() => b.metadataForLocalTasks().length === 8, 60_000, 'B to own all tasks');
    await waitUntil(
      async () => sameCounts(await readCounts(brokers, output), truth),
      60_000,
      'exact counts after scale-in',
    );
    expectExact(await readCounts(brokers, output), truth);
    await b.close();
  });

  it('loses nothing when one of two instances is killed with SIGKILL', async () => {
    const input = uniqueTopic('lines');
    const output = uniqueTopic('counts');
    const applicationId = uniqueTopic('wc-kill');
    await createTopics(brokers, [
      { topic: input, partitions: 4 },
      { topic: output, partitions: 4 },
    ]);
    const survivor = wordCountApp(input, output, {
      applicationId,
      brokers,
      stateDir: await stateDir(),
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 1_000,
    });
    apps.push(survivor);
    await survivor.start();
    // Node itself with tsx's loader, not the tsx CLI: the CLI runs the script in a child process
    // that a SIGKILL of the CLI would leave running.
    const victim = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join('test', 'integration', 'support', 'word-count-worker.ts'),
        brokers.join(','),
        applicationId,
        input,
        output,
        await stateDir(),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(victim);
    await new Promise<void>((resolve, reject) => {
      victim.stdout!.on('data', (d: Buffer) => d.toString().includes('RUNNING') && resolve());
      victim.on('exit', (code) => reject(new Error(`worker exited early with ${code}`)));
    });
    await waitUntil(() => survivor.metadataForLocalTasks().length < 8, 60_000, 'the worker to take tasks');
    const before = await produceLines(brokers, input, 600, 0);
    await new Promise((r) => setTimeout(r, 1_000));
    victim.kill('SIGKILL');
    const after = await produceLines(brokers, input, 400, 600);
    const truth = mergeCounts(before, after);
    await waitUntil(
      () => survivor.metadataForLocalTasks().length === 8,
      60_000,
      'the survivor to take over every task',
    );
    await waitUntil(
      async () => {
        const got = await readCounts(brokers, output);
        return [...truth].every(([w, n]) => (got.get(w) ?? 0) >= n);
      },
      90_000,
      'every word counted at least its true number of times',
    );
    await survivor.close();
  });

  it('fails at start when co-partitioned inputs have different partition counts', async () => {
    const left = uniqueTopic('left');
    const right = uniqueTopic('right');
    await createTopics(brokers, [
      { topic: left, partitions: 2 },
      { topic: right, partitions: 3 },
    ]);
    const { StreamsBuilder, Serdes, KafkaStreams } = await import('../../src/index.js');
    const b = new StreamsBuilder();
    b.stream([left, right], { key: Serdes.string(), value: Serdes.string() }).groupByKey().count();
    const app = new KafkaStreams(b.build(), {
      applicationId: uniqueTopic('copart'),
      brokers,
      stateDir: await stateDir(),
      logger: quiet,
    });
    await expect(app.start()).rejects.toThrow(/co-partitioned/);
    expect(app.state).toBe('ERROR');
    await app.close();
  });

  it('fails at start when a source topic does not exist, and at construction on bad config', async () => {
    const app = wordCountApp(uniqueTopic('missing'), uniqueTopic('out'), {
      applicationId: uniqueTopic('missing'),
      brokers,
      stateDir: await stateDir(),
    });
    await expect(app.start()).rejects.toThrow(/do not exist/);
    await app.close();
    expect(() => wordCountApp('a', 'b', { applicationId: 'bad id!', brokers })).toThrow(ConfigError);
    expect(() => wordCountApp('a', 'b', { applicationId: 'x', brokers, commitIntervalMs: -1 })).toThrow(
      /commitIntervalMs/,
    );
    expect(() => wordCountApp('a', 'b', { applicationId: 'x', brokers: ['nohostport'] })).toThrow(/brokers/);
  });
});

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
