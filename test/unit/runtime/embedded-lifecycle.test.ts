import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  KafkaStreams,
  ProcessingError,
  Serdes,
  StreamsBuilder,
  type StreamsConfig,
  type StreamsEvent,
  type StreamsState,
} from '../../../src/index.js';
import { createEmbeddedKafka, type EmbeddedKafka } from '../../../src/kafka/index.js';
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
  wordCountApp,
  wordCountTopology,
} from './support/embedded-app.js';

let kafka: EmbeddedKafka;
const apps: KafkaStreams[] = [];

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  await kafka?.close();
  await removeTempDirs();
});

async function freshCluster(topics: { topic: string; partitions: number }[]): Promise<EmbeddedKafka> {
  kafka = createEmbeddedKafka();
  await createTopics(kafka, topics);
  return kafka;
}

describe('KafkaStreams lifecycle on the embedded broker', () => {
  it('state$ goes CREATED → REBALANCING → RUNNING → PENDING_SHUTDOWN → NOT_RUNNING, as state events too', async () => {
    await freshCluster([
      { topic: INPUT, partitions: 2 },
      { topic: OUTPUT, partitions: 2 },
    ]);
    const app = wordCountApp(kafka, await tempStateDir());
    const states: StreamsState[] = [];
    const transitions: string[] = [];
    app.state$.subscribe((s) => states.push(s));
    app.events$.subscribe((e) => e.type === 'state' && transitions.push(`${e.from}→${e.to}`));
    await app.start();
    expect(app.state).toBe('RUNNING');
    await app.close();
    expect(states).toEqual(['CREATED', 'REBALANCING', 'RUNNING', 'PENDING_SHUTDOWN', 'NOT_RUNNING']);
    expect(transitions).toEqual([
      'CREATED→REBALANCING',
      'REBALANCING→RUNNING',
      'RUNNING→PENDING_SHUTDOWN',
      'PENDING_SHUTDOWN→NOT_RUNNING',
    ]);
  });

  it('rejects bad configuration at construction with a ConfigError naming the key', () => {
    kafka = createEmbeddedKafka();
    const make = (config: Record<string, unknown>) =>
      new KafkaStreams(wordCountTopology(), {
        applicationId: 'wc',
        kafka,
        logger: quietLogger,
        ...config,
      } as StreamsConfig);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ comitIntervalMs: 100 }, /Unknown config key "comitIntervalMs"/],
      [{ applicationId: 'bad id!' }, /applicationId/],
      [{ applicationId: '' }, /applicationId/],
      [{ commitIntervalMs: -1 }, /commitIntervalMs/],
      [{ commitIntervalMs: 1.5 }, /commitIntervalMs/],
      [{ sessionTimeoutMs: 1_000, heartbeatIntervalMs: 1_000 }, /heartbeatIntervalMs.*sessionTimeoutMs/],
      [{ brokers: ['no-port'] }, /brokers/],
      [{ processingExceptionHandler: 'ignore' }, /processingExceptionHandler/],
      [{ taskTimeoutMs: -1 }, /taskTimeoutMs must be an integer >= 0; got -1/],
      [{ taskTimeoutMs: '300000' }, /taskTimeoutMs must be an integer >= 0; got "300000"/],
    ];
    for (const [config, message] of cases) {
      expect(() => make(config), JSON.stringify(config)).toThrow(ConfigError);
      expect(() => make(config), JSON.stringify(config)).toThrow(message);
    }
  });

  it('fails start() when co-partitioned inputs have different partition counts', async () => {
    await freshCluster([
      { topic: 'left', partitions: 2 },
      { topic: 'right', partitions: 3 },
    ]);
    const b = new StreamsBuilder();
    b.stream(['left', 'right'], { key: Serdes.string(), value: Serdes.string() }).groupByKey().count();
    const app = new KafkaStreams(b.build(), {
      applicationId: 'copart',
      kafka,
      stateDir: await tempStateDir(),
      logger: quietLogger,
    });
    apps.push(app);
    await expect(app.start()).rejects.toThrow(/must be co-partitioned.*left: 2, right: 3/);
    expect(app.state).toBe('ERROR');
  });

  it('fails start() when a source topic does not exist', async () => {
    await freshCluster([{ topic: OUTPUT, partitions: 1 }]);
    const app = wordCountApp(kafka, await tempStateDir());
    apps.push(app);
    await expect(app.start()).rejects.toThrow(/"lines" do not exist/);
    expect(app.state).toBe('ERROR');
  });

  it('fails start() when a sink topic does not exist, naming it', async () => {
    await freshCluster([{ topic: INPUT, partitions: 1 }]);
    const app = wordCountApp(kafka, await tempStateDir());
    apps.push(app);
    await expect(app.start()).rejects.toThrow(new RegExp(`Sink topic\\(s\\) "${OUTPUT}" do not exist`));
    expect(app.state).toBe('ERROR');
  });
});

/** Counts values per value; the value `boom` throws in the mapper. */
function explodingCount() {
  const b = new StreamsBuilder();
  b.stream('in', { key: Serdes.string(), value: Serdes.string() })
    .mapValues((v) => {
      if (v === 'boom') throw new Error('cannot handle boom');
      return v;
    })
    .groupBy((_, v) => v, { key: Serdes.string(), value: Serdes.string() })
    .count({ name: 'per-value' })
    .toStream()
    .to('out', { key: Serdes.string(), value: Serdes.long() });
  return b.build();
}

async function produceValues(values: string[]): Promise<void> {
  const producer = await kafka.producer();
  await producer.send(
    values.map((v, i) => ({
      topic: 'in',
      key: Buffer.from(`k${i}`),
      value: Buffer.from(v),
      timestamp: 1_000 + i,
    })),
  );
  await producer.close();
}

describe('KafkaStreams processing errors on the embedded broker', () => {
  it('logAndFail (default) moves the app to ERROR and emits an error event', async () => {
    await freshCluster([
      { topic: 'in', partitions: 1 },
      { topic: 'out', partitions: 1 },
    ]);
    const app = new KafkaStreams(explodingCount(), {
      applicationId: 'boom',
      kafka,
      stateDir: await tempStateDir(),
      commitIntervalMs: 50,
      logger: quietLogger,
    });
    apps.push(app);
    const errors: Extract<StreamsEvent, { type: 'error' }>[] = [];
    app.events$.subscribe((e) => e.type === 'error' && errors.push(e));
    await app.start();
    await produceValues(['a', 'boom', 'a']);
    await waitUntil(() => app.state === 'ERROR', 'the ERROR state');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.error).toBeInstanceOf(ProcessingError);
    expect(errors[0]!.error.message).toMatch(/cannot handle boom|offset 1/);
    expect(errors[0]!.error.taskId).toBe('0_0');
    await app.close();
    expect(app.state).toBe('NOT_RUNNING');
  });

  it('logAndContinue skips the failing record and counts the rest', async () => {
    await freshCluster([
      { topic: 'in', partitions: 1 },
      { topic: 'out', partitions: 1 },
    ]);
    const app = new KafkaStreams(explodingCount(), {
      applicationId: 'boom',
      kafka,
      stateDir: await tempStateDir(),
      commitIntervalMs: 50,
      processingExceptionHandler: 'logAndContinue',
      logger: quietLogger,
    });
    apps.push(app);
    const errors: StreamsEvent[] = [];
    app.events$.subscribe((e) => e.type === 'error' && errors.push(e));
    await app.start();
    await produceValues(['a', 'boom', 'b', 'a', 'boom', 'c']);
    const truth = new Map([
      ['a', 2],
      ['b', 1],
      ['c', 1],
    ]);
    await waitUntil(async () => (await readCounts(kafka, 'out')).get('c') === 1, 'the last record counted');
    expect(sorted(await readCounts(kafka, 'out'))).toEqual(sorted(truth));
    expect(app.state).toBe('RUNNING');
    expect(errors).toEqual([]);
  });
});
