import { access, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { KafkaStreams, StreamsEvent } from '../../../src/index.js';
import { createEmbeddedKafka, type EmbeddedKafka } from '../../../src/kafka/index.js';
import {
  INPUT,
  OUTPUT,
  createTopics,
  mergeCounts,
  produceLines,
  readCounts,
  removeTempDirs,
  sameCounts,
  sorted,
  tempStateDir,
  waitUntil,
  wordCountApp,
} from './support/embedded-app.js';

// A LevelDB store that opens but lost data while `.checkpoint` survives: the store's own offsets
// decide what is restored, so the counts after the restart are exact, never wrong values
// overwriting the changelog.

let kafka: EmbeddedKafka;
const apps: KafkaStreams[] = [];

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  await kafka.close();
  await removeTempDirs();
});

async function firstRun(stateDir: string): Promise<{ truth: Map<string, number>; storeDirs: string[] }> {
  kafka = createEmbeddedKafka();
  await createTopics(kafka, [
    { topic: INPUT, partitions: 4 },
    { topic: OUTPUT, partitions: 4 },
  ]);
  const app = wordCountApp(kafka, stateDir);
  apps.push(app);
  await app.start();
  const truth = await produceLines(kafka, 300);
  await waitUntil(async () => sameCounts(await readCounts(kafka), truth), 'first-run counts');
  await app.close();
  apps.splice(apps.indexOf(app), 1);
  const appDir = join(stateDir, 'wc');
  const tasks = (await readdir(appDir)).filter((id) => id.startsWith('1_'));
  expect(tasks).toHaveLength(4);
  for (const id of tasks) await access(join(appDir, id, '.checkpoint'));
  return { truth, storeDirs: tasks.map((id) => join(appDir, id, 'counts')) };
}

async function walFiles(storeDir: string): Promise<string[]> {
  const logs = (await readdir(storeDir)).filter((f) => f.endsWith('.log'));
  expect(logs.length).toBeGreaterThan(0);
  return logs.map((f) => join(storeDir, f));
}

async function expectExactAfterRestart(stateDir: string, firstTruth: Map<string, number>): Promise<void> {
  const app = wordCountApp(kafka, stateDir);
  apps.push(app);
  let restored = 0;
  app.events$.subscribe((e: StreamsEvent) => {
    if (e.type === 'restore-end') restored += e.totalRestored;
  });
  await app.start();
  expect(restored).toBeGreaterThan(0);
  const truth = mergeCounts(firstTruth, await produceLines(kafka, 100, 300));
  await waitUntil(async () => sameCounts(await readCounts(kafka), truth), 'exact counts after the restart');
  expect(sorted(await readCounts(kafka))).toEqual(sorted(truth));
}

describe('KafkaStreams over level stores that lost data', () => {
  it('restores a store whose directory was deleted while its checkpoint survived', async () => {
    const stateDir = await tempStateDir();
    const { truth, storeDirs } = await firstRun(stateDir);
    for (const dir of storeDirs) await rm(dir, { recursive: true, force: true });
    await expectExactAfterRestart(stateDir, truth);
  });

  it('restores a store whose write-ahead log was deleted', async () => {
    const stateDir = await tempStateDir();
    const { truth, storeDirs } = await firstRun(stateDir);
    for (const dir of storeDirs) for (const log of await walFiles(dir)) await rm(log);
    await expectExactAfterRestart(stateDir, truth);
  });

  it('restores a store whose write-ahead log was truncated', async () => {
    const stateDir = await tempStateDir();
    const { truth, storeDirs } = await firstRun(stateDir);
    for (const dir of storeDirs)
      for (const log of await walFiles(dir)) {
        const bytes = await readFile(log);
        await writeFile(log, bytes.subarray(0, Math.floor(bytes.length / 3)));
      }
    await expectExactAfterRestart(stateDir, truth);
  });

  it('restores a store whose write-ahead log has flipped bytes', async () => {
    const stateDir = await tempStateDir();
    const { truth, storeDirs } = await firstRun(stateDir);
    for (const dir of storeDirs)
      for (const log of await walFiles(dir)) {
        const bytes = await readFile(log);
        for (let i = 20; i < bytes.length; i += 97) bytes[i] = bytes[i]! ^ 0x5a;
        await writeFile(log, bytes);
      }
    await expectExactAfterRestart(stateDir, truth);
  });
});
