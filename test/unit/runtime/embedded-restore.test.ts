import { rm } from 'node:fs/promises';
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

const CHANGELOG = 'wc-counts-changelog';

let kafka: EmbeddedKafka;
const apps: KafkaStreams[] = [];

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  await kafka.close();
  await removeTempDirs();
});

/** Starts an instance and records its restore events from before `start()`. */
async function startRecording(stateDir: string): Promise<{ app: KafkaStreams; events: StreamsEvent[] }> {
  const app = wordCountApp(kafka, stateDir);
  apps.push(app);
  const events: StreamsEvent[] = [];
  app.events$.subscribe((e) => {
    if (e.type.startsWith('restore-')) events.push(e);
  });
  await app.start();
  return { app, events };
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

/** Runs the word count once over 300 lines and closes it cleanly; returns the truth. */
async function firstRun(stateDir: string): Promise<Map<string, number>> {
  kafka = createEmbeddedKafka();
  await createTopics(kafka, [
    { topic: INPUT, partitions: 4 },
    { topic: OUTPUT, partitions: 4 },
  ]);
  const { app, events } = await startRecording(stateDir);
  expect(events).toEqual([]);
  const truth = await produceLines(kafka, 300);
  await waitUntil(async () => sameCounts(await readCounts(kafka), truth), 'first-run counts');
  await app.close();
  expect(await changelogRecords()).toBeGreaterThan(0);
  return truth;
}

describe('KafkaStreams restoration on the embedded broker', () => {
  it('restarts on the same stateDir without replaying the changelog, and keeps counting from its state', async () => {
    const stateDir = await tempStateDir();
    const firstTruth = await firstRun(stateDir);

    const { events } = await startRecording(stateDir);
    expect(events.filter((e) => e.type === 'restore-start')).toEqual([]);
    expect(totalRestored(events)).toBe(0);

    const truth = mergeCounts(firstTruth, await produceLines(kafka, 100, 300));
    await waitUntil(async () => sameCounts(await readCounts(kafka), truth), 'counts after restart');
    expect(sorted(await readCounts(kafka))).toEqual(sorted(truth));
  });

  it('restores every changelog record into a wiped stateDir, and keeps counting from the restored state', async () => {
    const stateDir = await tempStateDir();
    const firstTruth = await firstRun(stateDir);
    const logged = await changelogRecords();
    await rm(stateDir, { recursive: true, force: true });

    const { events } = await startRecording(stateDir);
    expect(totalRestored(events)).toBe(logged);
    const started = events.filter((e) => e.type === 'restore-start').map((e) => e.topic);
    expect(started.length).toBeGreaterThan(0);
    expect(new Set(started)).toEqual(new Set([CHANGELOG]));

    const truth = mergeCounts(firstTruth, await produceLines(kafka, 100, 300));
    await waitUntil(async () => sameCounts(await readCounts(kafka), truth), 'counts after restore');
    expect(sorted(await readCounts(kafka))).toEqual(sorted(truth));
  });

  // A checkpoint beyond the changelog's end (the changelog was recreated, the app reset, or, as
  // here, the embedded broker is new) means the local state belongs to another history: it is
  // wiped and restored from the changelog instead of being trusted.
  it('does not trust local state whose checkpoint is beyond the changelog end (a new cluster)', async () => {
    const stateDir = await tempStateDir();
    await firstRun(stateDir);
    await kafka.close();

    kafka = createEmbeddedKafka();
    await createTopics(kafka, [
      { topic: INPUT, partitions: 4 },
      { topic: OUTPUT, partitions: 4 },
    ]);
    await startRecording(stateDir);
    const truth = await produceLines(kafka, 100, 300);
    await waitUntil(async () => {
      const got = await readCounts(kafka);
      return sameCounts(got, truth) || [...got].some(([w, n]) => n > (truth.get(w) ?? 0));
    }, 'exact counts, or a count above the truth');
    expect(sorted(await readCounts(kafka))).toEqual(sorted(truth));
  });
});
