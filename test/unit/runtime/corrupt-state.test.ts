import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  KafkaStreams,
  Serdes,
  StateStoreError,
  StreamsBuilder,
  type StreamsEvent,
} from '../../../src/index.js';
import { createEmbeddedKafka, type EmbeddedKafka } from '../../../src/kafka/index.js';
import { LevelKeyValueStore } from '../../../src/state/level-key-value-store.js';
import {
  INPUT,
  OUTPUT,
  activeTasks,
  createTopics,
  mergeCounts,
  produceLines,
  quietLogger,
  readCounts,
  removeTempDirs,
  sameCounts,
  sorted,
  tempStateDir,
  waitUntil,
  wordCountApp,
} from './support/embedded-app.js';

const CHANGELOG = 'wc-counts-changelog';

let kafka: EmbeddedKafka;
const apps: KafkaStreams[] = [];

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  await kafka.close();
  await removeTempDirs();
});

interface Recorded {
  app: KafkaStreams;
  events: StreamsEvent[];
  warnings: { fields: Record<string, unknown>; message: string }[];
}

/** Starts an instance recording its restore events and warnings from before `start()`. */
async function startRecording(stateDir: string): Promise<Recorded> {
  const warnings: Recorded['warnings'] = [];
  const logger = {
    ...quietLogger,
    warn: (fields: Record<string, unknown>, message: string) => warnings.push({ fields, message }),
  };
  const app = wordCountApp(kafka, stateDir, { logger });
  apps.push(app);
  const events: StreamsEvent[] = [];
  app.events$.subscribe((e) => {
    if (e.type.startsWith('restore-')) events.push(e);
  });
  await app.start();
  return { app, events, warnings };
}

function totalRestored(events: StreamsEvent[]): number {
  return events.reduce((sum, e) => sum + (e.type === 'restore-end' ? e.totalRestored : 0), 0);
}

async function changelogRecords(): Promise<number> {
  const admin = await kafka.admin();
  const ends = await admin.listOffsets([0, 1, 2, 3].map((partition) => ({ topic: CHANGELOG, partition })));
  await admin.close();
  return ends.reduce((sum, e) => sum + Number(BigInt(e.end) - BigInt(e.begin)), 0);
}

/** Runs the word count over 300 lines and closes it cleanly; returns the truth. */
async function firstRun(stateDir: string): Promise<Map<string, number>> {
  kafka = createEmbeddedKafka();
  await createTopics(kafka, [
    { topic: INPUT, partitions: 4 },
    { topic: OUTPUT, partitions: 4 },
  ]);
  const { app } = await startRecording(stateDir);
  const truth = await produceLines(kafka, 300);
  await waitUntil(async () => sameCounts(await readCounts(kafka), truth), 'first-run counts');
  await app.close();
  return truth;
}

/** The `counts` store directories the first run left, one per aggregating task. */
async function countStoreDirs(stateDir: string): Promise<string[]> {
  const appDir = join(stateDir, 'wc');
  const tasks = (await readdir(appDir)).filter((id) => id.startsWith('1_'));
  expect(tasks).toHaveLength(4);
  return tasks.map((id) => join(appDir, id, 'counts'));
}

/** Overwrites LevelDB's CURRENT and MANIFEST files with junk. */
async function corruptLevelFiles(storeDir: string): Promise<void> {
  const files = (await readdir(storeDir)).filter((f) => f === 'CURRENT' || f.startsWith('MANIFEST-'));
  expect(files.length).toBeGreaterThanOrEqual(2);
  for (const f of files) await writeFile(join(storeDir, f), 'not a leveldb file\n');
}

async function expectRestoredAndCounting(stateDir: string, firstTruth: Map<string, number>): Promise<void> {
  const logged = await changelogRecords();
  const { events, warnings } = await startRecording(stateDir);
  expect(totalRestored(events)).toBe(logged);
  const wiped = warnings.filter((w) => w.message.startsWith('cannot open state stores'));
  expect(wiped.map((w) => w.fields.taskId).sort()).toEqual(['1_0', '1_1', '1_2', '1_3']);
  for (const w of wiped) expect(w.fields.stores).toEqual(['counts']);

  const truth = mergeCounts(firstTruth, await produceLines(kafka, 100, 300));
  await waitUntil(async () => sameCounts(await readCounts(kafka), truth), 'counts after restore');
  expect(sorted(await readCounts(kafka))).toEqual(sorted(truth));
}

describe('KafkaStreams with corrupt local stores', () => {
  it('wipes stores whose LevelDB files are garbage, restores every changelog record and keeps counting', async () => {
    const stateDir = await tempStateDir();
    const firstTruth = await firstRun(stateDir);
    for (const dir of await countStoreDirs(stateDir)) await corruptLevelFiles(dir);
    await expectRestoredAndCounting(stateDir, firstTruth);
  });

  it('wipes a store whose directory was replaced by a file, restores it and keeps counting', async () => {
    const stateDir = await tempStateDir();
    const firstTruth = await firstRun(stateDir);
    for (const dir of await countStoreDirs(stateDir)) {
      await rm(dir, { recursive: true, force: true });
      await writeFile(dir, 'not a directory');
    }
    await expectRestoredAndCounting(stateDir, firstTruth);
  });

  it('wipes and restores corrupt stores under standby tasks too', async () => {
    kafka = createEmbeddedKafka();
    await createTopics(kafka, [
      { topic: INPUT, partitions: 4 },
      { topic: OUTPUT, partitions: 4 },
    ]);
    const [dirA, dirB] = [await tempStateDir(), await tempStateDir()];
    const config = { numStandbyReplicas: 1 };
    const first = [wordCountApp(kafka, dirA, config), wordCountApp(kafka, dirB, config)];
    apps.push(...first);
    await Promise.all(first.map((app) => app.start()));
    const firstTruth = await produceLines(kafka, 300);
    await waitUntil(async () => sameCounts(await readCounts(kafka), firstTruth), 'first-run counts');
    // Let the standbys read the changelogs before they checkpoint on close.
    await new Promise((r) => setTimeout(r, 200));
    await Promise.all(first.map((app) => app.close()));
    // b kept every stateful task, as an active task or as a standby.
    for (const dir of await countStoreDirs(dirB)) await corruptLevelFiles(dir);

    const a = wordCountApp(kafka, dirA, config);
    apps.push(a);
    await a.start();
    const warnings: string[] = [];
    const b = wordCountApp(kafka, dirB, {
      ...config,
      logger: {
        ...quietLogger,
        warn: (fields: Record<string, unknown>, message: string) => {
          if (message.startsWith('cannot open state stores')) warnings.push(String(fields.taskId));
        },
      },
    });
    apps.push(b);
    await b.start();
    await waitUntil(
      () =>
        activeTasks(a).length === 4 &&
        activeTasks(b).length === 4 &&
        b.metadataForLocalTasks().filter((t) => t.kind === 'standby').length === 2,
      'a 4/4 split with standbys on b',
    );
    expect([...new Set(warnings)].sort()).toEqual(['1_0', '1_1', '1_2', '1_3']);

    const truth = mergeCounts(firstTruth, await produceLines(kafka, 100, 300));
    await waitUntil(async () => sameCounts(await readCounts(kafka), truth), 'counts after restore');
    expect(sorted(await readCounts(kafka))).toEqual(sorted(truth));
    expect([a.state, b.state]).toEqual(['RUNNING', 'RUNNING']);
  });

  it('fails with a StateStoreError naming the directory when a store cannot be opened even after wiping', async () => {
    kafka = createEmbeddedKafka();
    await createTopics(kafka, [
      { topic: INPUT, partitions: 1 },
      { topic: OUTPUT, partitions: 1 },
    ]);
    const b = new StreamsBuilder();
    b.stream(INPUT, { key: Serdes.string(), value: Serdes.string() })
      .groupByKey()
      .count({ name: 'counts', materialized: { storeSupplier: unopenableStore('counts') } })
      .toStream()
      .to(OUTPUT, { key: Serdes.string(), value: Serdes.long() });
    const stateDir = await tempStateDir();
    const app = new KafkaStreams(b.build(), {
      applicationId: 'broken',
      kafka,
      stateDir,
      logger: quietLogger,
    });
    apps.push(app);
    const errors: unknown[] = [];
    app.events$.subscribe((e) => {
      if (e.type === 'error') errors.push(e.error);
    });
    await expect(app.start()).rejects.toThrow();
    expect(app.state).toBe('ERROR');
    expect(errors[0]).toBeInstanceOf(StateStoreError);
    expect((errors[0] as Error).message).toContain(join(stateDir, 'broken', '0_0'));
  });
});

/** A persistent store whose files can never be opened. */
function unopenableStore(name: string) {
  return {
    name,
    kind: 'level',
    get: () =>
      new (class extends LevelKeyValueStore {
        override init(): Promise<void> {
          return Promise.reject(new Error('IO error: disk on fire'));
        }
      })(name),
  };
}
