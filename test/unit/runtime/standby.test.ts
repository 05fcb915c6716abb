import { afterEach, describe, expect, it } from 'vitest';
import type { KafkaStreams, StreamsEvent } from '../../../src/index.js';
import { createEmbeddedKafka, type EmbeddedKafka } from '../../../src/kafka/index.js';
import {
  INPUT,
  OUTPUT,
  activeTasks,
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

function standbyTasks(app: KafkaStreams): string[] {
  return app
    .metadataForLocalTasks()
    .filter((t) => t.kind === 'standby')
    .map((t) => t.taskId)
    .sort();
}

async function changelogRecords(partitions: number[]): Promise<number> {
  const admin = await kafka.admin();
  const ends = await admin.listOffsets(partitions.map((partition) => ({ topic: CHANGELOG, partition })));
  await admin.close();
  return ends.reduce((sum, e) => sum + Number(BigInt(e.end) - BigInt(e.begin)), 0);
}

/**
 * Two instances count words; `a` leaves gracefully and `b` takes over its tasks. Returns what `b`
 * restored while taking over, against what the changelogs of the moved tasks hold.
 */
async function takeOver(numStandbyReplicas: number) {
  kafka = createEmbeddedKafka();
  await createTopics(kafka, [
    { topic: INPUT, partitions: 4 },
    { topic: OUTPUT, partitions: 4 },
  ]);
  // Without caching every count update is logged: changelogs much longer than their tails.
  const config = { numStandbyReplicas, cacheMaxBytes: 0 };
  const a = wordCountApp(kafka, await tempStateDir(), config);
  const b = wordCountApp(kafka, await tempStateDir(), config);
  apps.push(a, b);
  const restoredByB: Extract<StreamsEvent, { type: 'restore-start' | 'restore-end' }>[] = [];
  b.events$.subscribe((e) => {
    if (e.type === 'restore-start' || e.type === 'restore-end') restoredByB.push(e);
  });
  await a.start();
  await b.start();
  await waitUntil(() => activeTasks(a).length === 4 && activeTasks(b).length === 4, 'a 4/4 split');
  const before = await produceLines(kafka, 1_500, 0);
  await waitUntil(async () => sameCounts(await readCounts(kafka), before), 'counts before the take-over');

  const movedStateful = activeTasks(a).filter((id) => id.startsWith('1_'));
  const standbysBefore = { a: standbyTasks(a), b: standbyTasks(b), movedStateful };
  // Let b's standbys read what a wrote so far; a's last commit on close is the tail.
  await new Promise((r) => setTimeout(r, 200));
  restoredByB.length = 0;
  await a.close();
  const movedPartitions = movedStateful.map((id) => Number(id.split('_')[1]));
  const logged = await changelogRecords(movedPartitions);
  await waitUntil(() => activeTasks(b).length === 8 && b.state === 'RUNNING', 'b to own every task');
  const after = await produceLines(kafka, 300, 1_500);
  const truth = mergeCounts(before, after);
  await waitUntil(async () => sameCounts(await readCounts(kafka), truth), 'exact counts after the take-over');
  expect(sorted(await readCounts(kafka))).toEqual(sorted(truth));

  return {
    standbysBefore,
    restoreStarts: restoredByB.filter((e) => e.type === 'restore-start'),
    restored: restoredByB.reduce((sum, e) => sum + (e.type === 'restore-end' ? e.totalRestored : 0), 0),
    logged,
    standbysAfter: standbyTasks(b),
  };
}

describe('standby replicas on the embedded broker', { timeout: 30_000 }, () => {
  it("each instance keeps standbys of the other's stateful tasks; the survivor restores only the tail", async () => {
    const run = await takeOver(1);
    const { a, b, movedStateful } = run.standbysBefore;
    expect(movedStateful).toHaveLength(2);
    // Stateless tasks (sub-topology 0) get no standby; each stateful task has one on the other instance.
    expect(a.every((id) => id.startsWith('1_'))).toBe(true);
    expect(b).toEqual(movedStateful);
    expect([...a, ...b].sort()).toEqual(['1_0', '1_1', '1_2', '1_3']);
    // From the standby's checkpoint, not from the beginning: a small tail of a large changelog.
    expect(run.logged).toBeGreaterThan(500);
    expect(run.restored).toBeLessThan(run.logged / 10);
    for (const start of run.restoreStarts) expect(Number(start.startOffset)).toBeGreaterThan(0);
    // Alone now, b has nobody to keep standbys for.
    expect(run.standbysAfter).toEqual([]);
  });

  it('without standbys the survivor restores the moved tasks from the beginning of their changelogs', async () => {
    const run = await takeOver(0);
    expect(run.standbysBefore.a).toEqual([]);
    expect(run.standbysBefore.b).toEqual([]);
    expect(run.restored).toBe(run.logged);
  });
});
