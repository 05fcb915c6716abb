import { filter } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ConfigError,
  KafkaStreams,
  Serdes,
  StreamsBuilder,
  consoleLogger,
  type Logger,
  type StreamsConfig,
} from '../../../src/index.js';
import { createEmbeddedKafka, type EmbeddedKafka } from '../../../src/kafka/index.js';
import { TopologyTestDriver } from '../../../src/testing/index.js';
import {
  INPUT,
  OUTPUT,
  createTopics,
  produceLines,
  quietLogger,
  readCounts,
  removeTempDirs,
  sameCounts,
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
  vi.restoreAllMocks();
});

/** Captures what is written to stderr (the built-in logger's output) instead of printing it. */
function captureStderr(): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  });
  return lines;
}

const throwingLogger: Logger = {
  debug: () => {
    throw new Error('logger down');
  },
  info: () => {
    throw new Error('logger down');
  },
  warn: () => {
    throw new Error('logger down');
  },
  error: () => {
    throw new Error('logger down');
  },
};

describe('the logger', () => {
  it('is checked at construction: a logger without warn or error is a ConfigError', () => {
    kafka = createEmbeddedKafka();
    const make = (logger: unknown) =>
      new KafkaStreams(wordCountTopology(), { applicationId: 'wc', kafka, logger } as StreamsConfig);
    const { warn: _warn, ...noWarn } = quietLogger;
    const { error: _error, ...noError } = quietLogger;
    expect(() => make(noWarn)).toThrow(ConfigError);
    expect(() => make(noWarn)).toThrow(/logger has no warn method/);
    expect(() => make(noError)).toThrow(/logger has no error method/);
    expect(() => make('console')).toThrow(/logger must be an object/);
    expect(() => make({ ...quietLogger, logLevel: 'loud' })).not.toThrow();
    expect(
      () =>
        new KafkaStreams(wordCountTopology(), {
          applicationId: 'wc',
          kafka,
          logLevel: 'loud',
        } as unknown as StreamsConfig),
    ).toThrow(/logLevel must be 'debug', 'info', 'warn', 'error' or 'silent'; got "loud"/);
    expect(
      () => new TopologyTestDriver(wordCountTopology(), { logger: noError as unknown as Logger }),
    ).toThrow(/logger has no error method/);
  });

  it('a logger that throws does not keep a failing app RUNNING: it reaches ERROR', async () => {
    kafka = createEmbeddedKafka();
    await createTopics(kafka, [
      { topic: 'in', partitions: 1 },
      { topic: 'out', partitions: 1 },
    ]);
    const stderr = captureStderr();
    const b = new StreamsBuilder();
    b.stream('in', { key: Serdes.string(), value: Serdes.string() })
      .mapValues((v) => {
        if (v === 'boom') throw new Error('cannot handle boom');
        return v;
      })
      .to('out', { key: Serdes.string(), value: Serdes.string() });
    const app = new KafkaStreams(b.build(), {
      applicationId: 'boom',
      kafka,
      stateDir: await tempStateDir(),
      commitIntervalMs: 50,
      logger: throwingLogger,
    });
    apps.push(app);
    await app.start();
    const producer = await kafka.producer();
    await producer.send([{ topic: 'in', key: Buffer.from('k'), value: Buffer.from('boom'), timestamp: 1 }]);
    await producer.close();
    await waitUntil(() => app.state === 'ERROR', 'the ERROR state');
    const written = stderr.join('');
    expect(written).toMatch(/the configured logger's \w+\(\) threw/);
    expect(written).toMatch(/application failed/);
    await app.close();
  });

  it('logLevel filters entries, and consoleLogger writes errors with stack and cause', () => {
    const stderr = captureStderr();
    const logger = consoleLogger('warn');
    logger.info({}, 'not written');
    logger.error({ err: new Error('outer', { cause: new Error('inner') }) }, 'written');
    expect(stderr).toHaveLength(1);
    const entry = JSON.parse(stderr[0]!);
    expect(entry).toMatchObject({
      level: 'error',
      msg: 'written',
      err: { type: 'Error', message: 'outer', cause: { message: 'inner' } },
    });
    expect(entry.err.stack).toMatch(/outer\n\s+at /);
    expect(() => consoleLogger('loud' as never)).toThrow(ConfigError);
  });
});

describe('subscribers of events$ and state$ that throw', () => {
  it('are reported; the app keeps running, processes, and closes cleanly', async () => {
    kafka = createEmbeddedKafka();
    await createTopics(kafka, [
      { topic: INPUT, partitions: 2 },
      { topic: OUTPUT, partitions: 2 },
    ]);
    const errors: string[] = [];
    const logger: Logger = { ...quietLogger, error: (_fields, message) => void errors.push(message ?? '') };
    const stateDir = await tempStateDir();
    const app = wordCountApp(kafka, stateDir, { logger });
    apps.push(app);
    app.state$.subscribe(() => {
      throw new Error('state subscriber bug');
    });
    app.events$.pipe(filter((e) => e.type === 'commit')).subscribe(() => {
      throw new Error('events subscriber bug');
    });
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => void uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      await app.start();
      const truth = await produceLines(kafka, 30);
      await waitUntil(async () => sameCounts(await readCounts(kafka), truth), 'all counts');
      expect(app.state).toBe('RUNNING');
      await app.close();
      expect(app.state).toBe('NOT_RUNNING');
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
    expect(errors).toContain('a subscriber of state$ threw; the application keeps running');
    expect(errors).toContain('a subscriber of events$ threw; the application keeps running');
    // The lock was released: another instance can use the same state directory.
    const next = wordCountApp(kafka, stateDir);
    apps.push(next);
    await next.start();
    expect(next.state).toBe('RUNNING');
  });
});
