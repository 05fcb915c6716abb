import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KafkaStreams } from '../../../src/index.js';
import { createEmbeddedKafka, type EmbeddedKafka } from '../../../src/kafka/index.js';
import { runApp } from '../../../src/runtime/run-app.js';
import { buildWordCountTopology, COUNTS_TOPIC, LINES_TOPIC } from '../../../examples/word-count.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
let kafka: EmbeddedKafka;
let stateDir: string;

afterEach(async () => {
  await kafka.close();
  await rm(stateDir, { recursive: true, force: true });
});

async function wordCountApp(topics: string[]): Promise<KafkaStreams> {
  kafka = createEmbeddedKafka();
  stateDir = await mkdtemp(join(tmpdir(), 'trib-run-'));
  const admin = await kafka.admin();
  await admin.createTopics(topics.map((topic) => ({ topic, partitions: 2 })));
  return new KafkaStreams(buildWordCountTopology(), {
    applicationId: 'run-test',
    kafka,
    stateDir,
    logger: quiet,
  });
}

/** The listener `runApp` added for `signal`, to fire it without signalling the test worker. */
function addedListener(signal: NodeJS.Signals, before: readonly unknown[]): (s: NodeJS.Signals) => void {
  const added = process.listeners(signal).filter((l) => !before.includes(l));
  expect(added).toHaveLength(1);
  return added[0] as (s: NodeJS.Signals) => void;
}

describe('runApp', () => {
  it('closes the app gracefully on SIGTERM, logs each state, and removes its signal handlers', async () => {
    const app = await wordCountApp([LINES_TOPIC, COUNTS_TOPIC]);
    const before = { SIGTERM: process.listeners('SIGTERM'), SIGINT: process.listeners('SIGINT') };
    const lines: string[] = [];
    let cleanedUp = false;
    const running = await runApp(app, {
      exit: false,
      log: (line) => lines.push(line),
      afterClose: async () => {
        cleanedUp = true;
      },
    });
    expect(app.state).toBe('RUNNING');
    addedListener('SIGINT', before.SIGINT);
    addedListener('SIGTERM', before.SIGTERM)('SIGTERM');

    expect(await running.done).toBe(0);
    expect(app.state).toBe('NOT_RUNNING');
    expect(cleanedUp).toBe(true);
    expect(lines.filter((l) => l.includes('state')).map((l) => l.split(' ').at(-1))).toEqual([
      'CREATED',
      'REBALANCING',
      'RUNNING',
      'PENDING_SHUTDOWN',
      'NOT_RUNNING',
    ]);
    expect(lines.some((l) => l.includes('SIGTERM received'))).toBe(true);
    expect(process.listeners('SIGTERM')).toEqual(before.SIGTERM);
    expect(process.listeners('SIGINT')).toEqual(before.SIGINT);
  });

  it('ends with exit code 1 when the app cannot start', async () => {
    const app = await wordCountApp([COUNTS_TOPIC]);
    const lines: string[] = [];
    const running = await runApp(app, { exit: false, log: (line) => lines.push(line) });
    expect(await running.done).toBe(1);
    expect(app.state).toBe('NOT_RUNNING');
    expect(lines.some((l) => l.includes('could not start') && l.includes(LINES_TOPIC))).toBe(true);
  });

  it('listens to the given signals only, and a second signal during the close exits at once with 1', async () => {
    const app = await wordCountApp([LINES_TOPIC, COUNTS_TOPIC]);
    const before = { SIGTERM: process.listeners('SIGTERM'), SIGHUP: process.listeners('SIGHUP') };
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    try {
      const running = await runApp(app, { exit: false, signals: ['SIGHUP'], log: () => {} });
      expect(process.listeners('SIGTERM')).toEqual(before.SIGTERM);
      const onSignal = addedListener('SIGHUP', before.SIGHUP);
      onSignal('SIGHUP');
      onSignal('SIGHUP');
      expect(exit).toHaveBeenCalledWith(1);
      expect(await running.done).toBe(0);
      expect(exit).toHaveBeenCalledTimes(1);
      expect(process.listeners('SIGHUP')).toEqual(before.SIGHUP);
    } finally {
      exit.mockRestore();
    }
  });

  it('closes the app and ends with 1 when the app fails while running', async () => {
    const app = await wordCountApp([LINES_TOPIC, COUNTS_TOPIC]);
    const running = await runApp(app, { exit: false, signals: [], log: () => {} });
    const producer = await kafka.producer();
    // A null line makes word count's tokenizer throw: under logAndFail the app fails.
    await producer.send([{ topic: LINES_TOPIC, key: Buffer.from('k'), value: null, timestamp: 1 }]);
    await producer.close();
    expect(await running.done).toBe(1);
    expect(app.state).toBe('NOT_RUNNING');
  });
});
