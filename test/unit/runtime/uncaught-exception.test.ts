import { afterEach, describe, expect, it } from 'vitest';
import type { StreamsError } from '../../../src/index.js';
import {
  ConfigError,
  KafkaStreams,
  ProcessingError,
  type StreamsConfig,
  type StreamsState,
} from '../../../src/index.js';
import { createEmbeddedKafka, type EmbeddedKafka } from '../../../src/kafka/index.js';
import { poisonableLines, poisonableWordCount } from '../../support/poison.js';
import { TaskAssignor, decodeAssignmentInfo } from '../../../src/runtime/task-assignor.js';
import {
  INPUT,
  OUTPUT,
  createTopics,
  quietLogger,
  readCounts,
  removeTempDirs,
  sorted,
  tempStateDir,
  waitUntil,
} from './support/embedded-app.js';

let kafka: EmbeddedKafka;
const apps: KafkaStreams[] = [];

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  await kafka?.close();
  await removeTempDirs();
});

async function app(
  poison: { left: number },
  config: Partial<StreamsConfig> = {},
  logger: StreamsConfig['logger'] = quietLogger,
): Promise<KafkaStreams> {
  const instance = new KafkaStreams(poisonableWordCount(INPUT, OUTPUT, poison), {
    applicationId: 'uncaught',
    kafka,
    stateDir: await tempStateDir(),
    commitIntervalMs: 50,
    sessionTimeoutMs: 2_000,
    heartbeatIntervalMs: 100,
    logger,
    ...config,
  });
  apps.push(instance);
  return instance;
}

async function produce(lines: string[]): Promise<void> {
  const producer = await kafka.producer();
  await producer.send(poisonableLines(INPUT, lines));
  await producer.close();
}

async function freshCluster(): Promise<void> {
  kafka = createEmbeddedKafka();
  await createTopics(kafka, [
    { topic: INPUT, partitions: 2 },
    { topic: OUTPUT, partitions: 2 },
  ]);
}

function recordingLogger(lines: string[]): NonNullable<StreamsConfig['logger']> {
  const push = (_fields: unknown, message?: string) => lines.push(message ?? '');
  return { debug() {}, info() {}, warn: push, error: push };
}

describe('uncaught-exception policy', () => {
  it("'replaceThread' drops the failed thread's tasks, starts a new thread and reprocesses from the last commit", async () => {
    await freshCluster();
    const poison = { left: 1 };
    const streams = await app(poison, { uncaughtExceptionHandler: 'replaceThread' });
    const states: StreamsState[] = [];
    const errors: StreamsError[] = [];
    streams.state$.subscribe((s) => states.push(s));
    streams.events$.subscribe((e) => e.type === 'error' && errors.push(e.error));
    await streams.start();
    expect(streams.localThreadsMetadata()[0]!.threadName).toMatch(/-StreamThread-1$/);

    await produce(['a b', 'poison a', 'b c']);
    await waitUntil(
      async () => (await readCounts(kafka)).get('poison') === 1,
      'the poison line counted once',
    );

    expect(sorted(await readCounts(kafka))).toEqual({ a: 2, b: 2, c: 1, poison: 1 });
    expect(poison.left).toBe(0);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ProcessingError);
    expect(streams.state).toBe('RUNNING');
    expect(states).toContain('REBALANCING');
    expect(states).not.toContain('ERROR');
    expect(streams.localThreadsMetadata()[0]!.threadName).toMatch(/-StreamThread-2$/);
  });

  it("'shutdownClient' (the default) moves only the failing instance to ERROR", async () => {
    await freshCluster();
    const streams = await app({ left: Infinity });
    await streams.start();
    await produce(['poison']);
    await waitUntil(() => streams.state === 'ERROR', 'the instance failed');
    await streams.close();
    expect(streams.state).toBe('NOT_RUNNING');
  });

  it("'shutdownApplication' stops every instance of the application through the group", async () => {
    await freshCluster();
    // One poisoned record: only the instance that owns it fails; the other stops on its request.
    const poison = { left: 1 };
    const logs: string[] = [];
    const first = await app(
      poison,
      { uncaughtExceptionHandler: 'shutdownApplication' },
      recordingLogger(logs),
    );
    const second = await app(
      poison,
      { uncaughtExceptionHandler: 'shutdownApplication' },
      recordingLogger(logs),
    );
    await first.start();
    await second.start();
    await waitUntil(
      () => first.metadataForLocalTasks().length > 0 && second.metadataForLocalTasks().length > 0,
      'both instances own tasks',
    );
    await produce(['a b', 'c', 'poison', 'poison again', 'd e f']);

    await waitUntil(
      () => first.state === 'ERROR' && second.state === 'ERROR',
      'both instances stopped',
      30_000,
    );
    expect(logs).toContain('requested the shutdown of every instance of the application');
    expect(logs).toContain('a member of the group requested the shutdown of every instance: stopping');
    await first.close();
    await second.close();
    expect([first.state, second.state]).toEqual(['NOT_RUNNING', 'NOT_RUNNING']);
    // Both left the group, the shutdown requester included.
    const admin = await kafka.admin();
    expect(await admin.describeGroupAssignments('uncaught')).toEqual([]);
    await admin.close();
  });

  it('a function handler sees the StreamsError and picks the response; a bad answer shuts the instance down', async () => {
    await freshCluster();
    const seen: StreamsError[] = [];
    const logs: string[] = [];
    const streams = await app({ left: Infinity }, {}, recordingLogger(logs));
    streams.setUncaughtExceptionHandler((error) => {
      seen.push(error);
      return 'restart' as never;
    });
    await streams.start();
    await produce(['poison']);
    await waitUntil(() => streams.state === 'ERROR', 'the instance failed');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(ProcessingError);
    expect(seen[0]!.message).toMatch(/poisoned line/);
    expect(logs.some((l) => l.includes('uncaughtExceptionHandler returned "restart"'))).toBe(true);
  });

  it('rejects a bad handler at construction and setUncaughtExceptionHandler() after start()', async () => {
    await freshCluster();
    await expect(app({ left: 0 }, { uncaughtExceptionHandler: 'restart' as never })).rejects.toThrow(
      ConfigError,
    );
    await expect(app({ left: 0 }, { uncaughtExceptionHandler: 'restart' as never })).rejects.toThrow(
      /uncaughtExceptionHandler must be 'shutdownClient', 'shutdownApplication', 'replaceThread' or a function; got "restart"/,
    );
    const streams = await app({ left: 0 });
    expect(() => streams.setUncaughtExceptionHandler('bogus' as never)).toThrow(ConfigError);
    await streams.start();
    expect(() => streams.setUncaughtExceptionHandler('replaceThread')).toThrow(/before start\(\)/);
  });
});

describe('TaskAssignor and shutdown requests', () => {
  it('gives every member an empty assignment carrying the request when one member asks for it', async () => {
    const topics = new Map([[0, ['in']]]);
    const normal = new TaskAssignor(
      () => ({ processId: 'p1', previousActive: [], stateTasks: [] }),
      topics,
      0,
    );
    const requester = new TaskAssignor(
      () => ({ processId: '', previousActive: [], stateTasks: [], shutdownRequested: true }),
      topics,
      0,
    );
    const members = [
      { memberId: 'a', userData: normal.userData() },
      { memberId: 'b', userData: requester.userData() },
    ];
    const result = await normal.assign({ members, topicPartitions: { in: 4 } });
    for (const id of ['a', 'b']) {
      expect(result[id]!.assignment).toEqual({});
      expect(decodeAssignmentInfo(result[id]!.userData)).toEqual({
        active: [],
        standby: [],
        shutdownRequested: true,
      });
    }
    const usual = await normal.assign({ members: [members[0]!], topicPartitions: { in: 4 } });
    expect(usual.a!.assignment).toEqual({ in: [0, 1, 2, 3] });
    expect(decodeAssignmentInfo(usual.a!.userData)?.shutdownRequested).toBeUndefined();
  });
});
