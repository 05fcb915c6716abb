import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KafkaStreams, type StreamsConfig, type StreamsState } from '../../src/index.js';
import { createKafkaClient, type ClosableKafkaClient } from '../../src/kafka/index.js';
import { poisonableLines, poisonableWordCount, type Poison } from '../support/poison.js';
import { describeWithKafka, kafkaBrokers, uniqueTopic } from './support/kafka.js';
import { quietLogger, readCounts, testKafkaClient, waitUntil } from './support/word-count-app.js';

describeWithKafka('uncaught-exception policy on a real broker', () => {
  let brokers: string[];
  let kafka: ClosableKafkaClient;
  const dirs: string[] = [];
  const apps: KafkaStreams[] = [];

  beforeAll(() => {
    brokers = kafkaBrokers();
    kafka = createKafkaClient({ brokers, clientId: 'uncaught-it' });
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await kafka.close();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  async function setUp(partitions: number) {
    const input = uniqueTopic('poison-in');
    const output = uniqueTopic('poison-out');
    const admin = await kafka.admin();
    await admin.createTopics([
      { topic: input, partitions },
      { topic: output, partitions },
    ]);
    await admin.close();
    const applicationId = uniqueTopic('uncaught');
    const app = async (poison: Poison, config: Partial<StreamsConfig>) => {
      const dir = await mkdtemp(join(tmpdir(), 'trib-uncaught-'));
      dirs.push(dir);
      const instance = new KafkaStreams(poisonableWordCount(input, output, poison), {
        applicationId,
        brokers,
        ...testKafkaClient(),
        stateDir: dir,
        commitIntervalMs: 200,
        sessionTimeoutMs: 10_000,
        heartbeatIntervalMs: 500,
        logger: quietLogger,
        ...config,
      });
      apps.push(instance);
      return instance;
    };
    const produce = async (lines: string[]) => {
      const producer = await kafka.producer();
      await producer.send(poisonableLines(input, lines, Date.now()));
      await producer.close();
    };
    return { input, output, applicationId, app, produce };
  }

  it("'replaceThread': a new thread rejoins the group and reprocesses from the last commit", async () => {
    const { output, app, produce } = await setUp(2);
    const poison = { left: 1 };
    const streams = await app(poison, { uncaughtExceptionHandler: 'replaceThread' });
    const states: StreamsState[] = [];
    streams.state$.subscribe((s) => states.push(s));
    await streams.start();
    await produce(['a b', 'poison a', 'b c']);
    await waitUntil(
      async () => (await readCounts(brokers, output)).get('poison') === 1,
      60_000,
      'the poison line counted once, by the new thread',
    );
    expect(Object.fromEntries([...(await readCounts(brokers, output))].sort())).toEqual({
      a: 2,
      b: 2,
      c: 1,
      poison: 1,
    });
    expect(streams.state).toBe('RUNNING');
    expect(states).not.toContain('ERROR');
    expect(streams.localThreadsMetadata()[0]!.threadName).toMatch(/-StreamThread-2$/);
  });

  it("'shutdownApplication': the instance that fails asks the group, and every instance stops", async () => {
    const { applicationId, app, produce } = await setUp(4);
    // One poisoned record: only the instance that owns it fails; the other stops on its request.
    const poison = { left: 1 };
    const failing = await app(poison, { uncaughtExceptionHandler: 'shutdownApplication' });
    const healthy = await app(poison, { uncaughtExceptionHandler: 'shutdownApplication' });
    await failing.start();
    await healthy.start();
    await waitUntil(
      () => failing.metadataForLocalTasks().length > 0 && healthy.metadataForLocalTasks().length > 0,
      60_000,
      'both instances own tasks',
    );
    await produce(['a b', 'c d', 'poison', 'e f']);
    await waitUntil(
      () => failing.state === 'ERROR' && healthy.state === 'ERROR',
      90_000,
      'both instances in ERROR',
    );
    await Promise.all([failing.close(), healthy.close()]);
    expect([failing.state, healthy.state]).toEqual(['NOT_RUNNING', 'NOT_RUNNING']);
    const admin = await kafka.admin();
    await waitUntil(
      async () => (await admin.describeGroupAssignments(applicationId)).length === 0,
      30_000,
      'the group to be empty',
    );
    await admin.close();
  });
});
