import { access, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { KafkaStreams, StreamsConfig, StreamsEvent } from '../../src/index.js';
import { createKafkaClient } from '../../src/kafka/index.js';
import { describeWithKafka, kafkaBrokers, uniqueTopic } from './support/kafka.js';
import {
  mergeCounts,
  produceLines,
  quietLogger,
  readCounts,
  sameCounts,
  waitUntil,
  wordCountApp,
} from './support/word-count-app.js';

const dirs: string[] = [];
const apps: KafkaStreams[] = [];

interface Run {
  app: KafkaStreams;
  events: StreamsEvent[];
  warnings: { fields: Record<string, unknown>; message: string }[];
}

interface Scenario {
  brokers: string[];
  input: string;
  output: string;
  applicationId: string;
  stateDir: string;
}

function sorted(counts: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b)));
}

function totalRestored(events: StreamsEvent[]): number {
  return events.reduce((sum, e) => sum + (e.type === 'restore-end' ? e.totalRestored : 0), 0);
}

/** Starts an instance, recording its restore events and warnings from before `start()`. */
async function startRecording(s: Scenario): Promise<Run> {
  const warnings: Run['warnings'] = [];
  const config: StreamsConfig = {
    applicationId: s.applicationId,
    brokers: s.brokers,
    stateDir: s.stateDir,
    logger: {
      ...quietLogger,
      warn: (fields, message) =>
        warnings.push({ fields: fields as Record<string, unknown>, message: message ?? '' }),
    },
  };
  const app = wordCountApp(s.input, s.output, config);
  apps.push(app);
  const events: StreamsEvent[] = [];
  app.events$.subscribe((e) => {
    if (e.type.startsWith('restore-')) events.push(e);
  });
  await app.start();
  return { app, events, warnings };
}

/** Records in the counts changelog, over all its partitions. */
async function changelogRecords(s: Scenario): Promise<number> {
  const kafka = createKafkaClient({ brokers: s.brokers });
  const admin = await kafka.admin();
  try {
    const topic = `${s.applicationId}-counts-changelog`;
    const ends = await admin.listOffsets([0, 1, 2, 3].map((partition) => ({ topic, partition })));
    return ends.reduce((sum, e) => sum + Number(BigInt(e.end) - BigInt(e.begin)), 0);
  } finally {
    await admin.close();
    await kafka.close();
  }
}

/** New topics and stateDir, one word-count run over 500 lines closed cleanly; returns the truth. */
async function firstRun(brokers: string[]): Promise<{ scenario: Scenario; truth: Map<string, number> }> {
  const dir = await mkdtemp(join(tmpdir(), 'trib-restart-'));
  dirs.push(dir);
  const scenario: Scenario = {
    brokers,
    input: uniqueTopic('lines'),
    output: uniqueTopic('counts'),
    applicationId: uniqueTopic('wc-restart'),
    stateDir: dir,
  };
  const kafka = createKafkaClient({ brokers });
  const admin = await kafka.admin();
  await admin.createTopics([
    { topic: scenario.input, partitions: 4 },
    { topic: scenario.output, partitions: 4 },
  ]);
  await admin.close();
  await kafka.close();
  const { app } = await startRecording(scenario);
  const truth = await produceLines(brokers, scenario.input, 500);
  await waitUntil(
    async () => sameCounts(await readCounts(brokers, scenario.output), truth),
    30_000,
    'first run',
  );
  await app.close();
  return { scenario, truth };
}

/** Produces more lines into the restarted app and expects the counts to continue exactly. */
async function expectCountsContinue(s: Scenario, firstTruth: Map<string, number>): Promise<void> {
  const truth = mergeCounts(firstTruth, await produceLines(s.brokers, s.input, 200, 500));
  await waitUntil(async () => sameCounts(await readCounts(s.brokers, s.output), truth), 30_000, 'counts');
  expect(sorted(await readCounts(s.brokers, s.output))).toEqual(sorted(truth));
}

describeWithKafka('KafkaStreams restarts on a real broker', () => {
  let brokers: string[];
  beforeAll(() => {
    brokers = kafkaBrokers();
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('restores nothing after a clean restart on the same stateDir, and counts continue exactly', async () => {
    const { scenario, truth } = await firstRun(brokers);
    expect(await changelogRecords(scenario)).toBeGreaterThan(0);
    const { events } = await startRecording(scenario);
    expect(events.filter((e) => e.type === 'restore-start')).toEqual([]);
    expect(totalRestored(events)).toBe(0);
    await expectCountsContinue(scenario, truth);
  });

  it('restores exactly the changelog into a wiped stateDir, and counts continue exactly', async () => {
    const { scenario, truth } = await firstRun(brokers);
    const logged = await changelogRecords(scenario);
    await rm(scenario.stateDir, { recursive: true, force: true });
    const { events } = await startRecording(scenario);
    expect(logged).toBeGreaterThan(0);
    expect(totalRestored(events)).toBe(logged);
    await expectCountsContinue(scenario, truth);
  });

  /** The `counts` store directories of the first run; each task's `.checkpoint` survives. */
  async function countStoreDirs(s: Scenario): Promise<string[]> {
    const appDir = join(s.stateDir, s.applicationId);
    const tasks = (await readdir(appDir)).filter((id) => id.startsWith('1_'));
    expect(tasks).toHaveLength(4);
    for (const id of tasks) await access(join(appDir, id, '.checkpoint'));
    return tasks.map((id) => join(appDir, id, 'counts'));
  }

  it('restores exactly the changelog into stores whose directories vanished while .checkpoint survived', async () => {
    const { scenario, truth } = await firstRun(brokers);
    const logged = await changelogRecords(scenario);
    for (const dir of await countStoreDirs(scenario)) await rm(dir, { recursive: true, force: true });
    const { events } = await startRecording(scenario);
    expect(totalRestored(events)).toBe(logged);
    await expectCountsContinue(scenario, truth);
  });

  it('restores stores whose LevelDB write-ahead log has flipped bytes, and counts continue exactly', async () => {
    const { scenario, truth } = await firstRun(brokers);
    for (const dir of await countStoreDirs(scenario)) {
      const logs = (await readdir(dir)).filter((f) => f.endsWith('.log'));
      expect(logs.length).toBeGreaterThan(0);
      for (const log of logs) {
        const bytes = await readFile(join(dir, log));
        for (let i = 20; i < bytes.length; i += 97) bytes[i] = bytes[i]! ^ 0x5a;
        await writeFile(join(dir, log), bytes);
      }
    }
    const { events } = await startRecording(scenario);
    expect(totalRestored(events)).toBeGreaterThan(0);
    await expectCountsContinue(scenario, truth);
  });

  it('wipes stores with corrupt LevelDB files, restores exactly the changelog, and counts continue exactly', async () => {
    const { scenario, truth } = await firstRun(brokers);
    const logged = await changelogRecords(scenario);
    const appDir = join(scenario.stateDir, scenario.applicationId);
    const tasks = (await readdir(appDir)).filter((id) => id.startsWith('1_'));
    expect(tasks).toHaveLength(4);
    for (const id of tasks) {
      const storeDir = join(appDir, id, 'counts');
      const files = (await readdir(storeDir)).filter((f) => f === 'CURRENT' || f.startsWith('MANIFEST-'));
      expect(files.length).toBeGreaterThanOrEqual(2);
      for (const f of files) await writeFile(join(storeDir, f), 'not a leveldb file\n');
    }
    const { events, warnings } = await startRecording(scenario);
    const wiped = warnings.filter((w) => w.message.startsWith('cannot open state stores'));
    expect(wiped.map((w) => w.fields.taskId).sort()).toEqual(['1_0', '1_1', '1_2', '1_3']);
    expect(totalRestored(events)).toBe(logged);
    await expectCountsContinue(scenario, truth);
  });
});
