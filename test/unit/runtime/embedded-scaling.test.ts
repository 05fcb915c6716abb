import { afterEach, describe, expect, it } from 'vitest';
import type { KafkaStreams } from '../../../src/index.js';
import { createEmbeddedKafka, type EmbeddedKafka } from '../../../src/kafka/index.js';
import {
  ALL_TASKS,
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

let kafka: EmbeddedKafka;
const apps: KafkaStreams[] = [];

async function freshCluster(): Promise<EmbeddedKafka> {
  kafka = createEmbeddedKafka();
  await createTopics(kafka, [
    { topic: INPUT, partitions: 4 },
    { topic: OUTPUT, partitions: 4 },
  ]);
  return kafka;
}

afterEach(async () => {
  // A killed instance's close never completes: bound it, it only needs to stop its timer.
  await Promise.all(apps.splice(0).map((app) => app.close({ timeoutMs: 1_000 })));
  await kafka.close();
  await removeTempDirs();
});

describe('KafkaStreams scaling on the embedded broker', { timeout: 20_000 }, () => {
  it('scales out to a second instance while input flows: both get tasks, counts exact', async () => {
    await freshCluster();
    const a = wordCountApp(kafka, await tempStateDir());
    apps.push(a);
    await a.start();
    expect(activeTasks(a)).toEqual(ALL_TASKS);
    const first = await produceLines(kafka, 300, 0);

    const b = wordCountApp(kafka, await tempStateDir());
    apps.push(b);
    const flowing = produceLines(kafka, 300, 300);
    await b.start();
    const second = await flowing;
    await waitUntil(
      () => activeTasks(a).length > 0 && activeTasks(b).length > 0 && a.state === 'RUNNING',
      'both instances to own tasks',
    );
    expect([...activeTasks(a), ...activeTasks(b)].sort()).toEqual(ALL_TASKS);
    expect(activeTasks(a)).toHaveLength(4);

    const truth = mergeCounts(first, second);
    await waitUntil(async () => sameCounts(await readCounts(kafka), truth), 'exact counts');
    expect(sorted(await readCounts(kafka))).toEqual(sorted(truth));
  });

  it('scales in gracefully: the survivor takes every task and counts stay exact', async () => {
    await freshCluster();
    const a = wordCountApp(kafka, await tempStateDir());
    const b = wordCountApp(kafka, await tempStateDir());
    apps.push(a, b);
    await a.start();
    await b.start();
    await waitUntil(() => activeTasks(a).length === 4 && activeTasks(b).length === 4, 'a 4/4 split');
    const before = await produceLines(kafka, 400, 0);
    await waitUntil(async () => sameCounts(await readCounts(kafka), before), 'counts before scale-in');

    const closing = a.close();
    const during = await produceLines(kafka, 200, 400);
    await closing;
    expect(a.state).toBe('NOT_RUNNING');
    const after = await produceLines(kafka, 200, 600);
    await waitUntil(() => activeTasks(b).length === 8, 'the survivor to own every task');

    const truth = mergeCounts(before, during, after);
    await waitUntil(async () => sameCounts(await readCounts(kafka), truth), 'exact counts after scale-in');
    expect(sorted(await readCounts(kafka))).toEqual(sorted(truth));
  });

  it('an instance that stops heartbeating is evicted at session timeout: no word missing or under-counted', async () => {
    await freshCluster();
    const survivor = wordCountApp(kafka, await tempStateDir(), { sessionTimeoutMs: 1_000 });
    apps.push(survivor);
    await survivor.start();
    const victimClient = kafka.connect();
    const victim = wordCountApp(victimClient, await tempStateDir(), { sessionTimeoutMs: 1_000 });
    apps.push(victim);
    await victim.start();
    await waitUntil(() => activeTasks(victim).length === 4, 'the victim to take half the tasks');

    const before = await produceLines(kafka, 400, 0);
    // Let the victim process (and possibly produce) part of its share without committing it all.
    await waitUntil(async () => (await readCounts(kafka)).size > 0, 'some counts');
    victimClient.kill();
    const killedAt = Date.now();
    const after = await produceLines(kafka, 300, 400);

    await waitUntil(() => activeTasks(survivor).length === 8, 'the survivor to take over every task');
    // Eviction waits for the session timeout: the victim held its tasks until then.
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(900);
    const truth = mergeCounts(before, after);
    await waitUntil(async () => {
      const got = await readCounts(kafka);
      return [...truth].every(([w, n]) => (got.get(w) ?? 0) >= n);
    }, 'every word counted at least its true number of times');
    const got = await readCounts(kafka);
    expect([...got.keys()].sort()).toEqual([...truth.keys()].sort());
    for (const [word, n] of truth) expect(got.get(word), word).toBeGreaterThanOrEqual(n);
  });

  // A member stalled past its session timeout (GC pause, network partition) was evicted and its
  // tasks moved on. When it wakes up the client port reports onLost, and the runtime drops its
  // tasks without flushing, sending or committing, so no stale count reaches the output.
  it('an instance stalled past its session timeout writes no stale counts after it is evicted', async () => {
    await freshCluster();
    const survivor = wordCountApp(kafka, await tempStateDir(), { sessionTimeoutMs: 1_000 });
    apps.push(survivor);
    await survivor.start();
    const stalledClient = kafka.connect();
    // A long commit interval: the stalled instance holds processed but uncommitted (cached) counts.
    const stalled = wordCountApp(stalledClient, await tempStateDir(), {
      sessionTimeoutMs: 1_000,
      commitIntervalMs: 60_000,
    });
    apps.push(stalled);
    let rebalances = 0;
    stalled.events$.subscribe((e) => e.type === 'rebalance' && rebalances++);
    await stalled.start();
    await waitUntil(() => activeTasks(stalled).length === 4, 'the second instance to take half the tasks');

    const before = await produceLines(kafka, 400, 0);
    await new Promise((r) => setTimeout(r, 300));
    const rebalancesBeforeStall = rebalances;
    stalledClient.stall(2_000);
    await waitUntil(() => activeTasks(survivor).length === 8, 'the survivor to take over every task');
    const during = await produceLines(kafka, 200, 400);
    await waitUntil(
      () => rebalances > rebalancesBeforeStall && activeTasks(survivor).length === 4,
      'the stalled instance to rejoin and get tasks back',
    );
    const after = await produceLines(kafka, 200, 600);
    // A graceful close commits (and so flushes) what the rejoined instance counted since.
    await stalled.close();
    await waitUntil(() => activeTasks(survivor).length === 8, 'the survivor to take over again');

    const truth = mergeCounts(before, during, after);
    const allCounted = async () => {
      const got = await readCounts(kafka);
      return [...truth].every(([w, n]) => (got.get(w) ?? 0) >= n);
    };
    await waitUntil(allCounted, 'every word counted', 3_000).catch(() => undefined);
    const got = await readCounts(kafka);
    const underCounted = [...truth]
      .filter(([w, n]) => (got.get(w) ?? 0) < n)
      .map(([w, n]) => `${w}: ${got.get(w)} < ${n}`);
    expect(underCounted).toEqual([]);
    // Under at-least-once a word's count on the output only grows (duplicates add, nothing undoes).
    expect(await decreasingCounts(kafka)).toEqual([]);
  });
});

/** Every place where a word's count on the output topic is lower than its previous value. */
async function decreasingCounts(kafka: EmbeddedKafka): Promise<string[]> {
  const admin = await kafka.admin();
  const ends = await admin.listOffsets([0, 1, 2, 3].map((partition) => ({ topic: OUTPUT, partition })));
  const reader = kafka.partitionReader({
    groupIdPrefix: 'verify',
    partitions: ends.map((e) => ({
      topic: OUTPUT,
      partition: e.partition,
      fromOffset: e.begin,
      untilOffset: e.end,
    })),
  });
  const last = new Map<string, number>();
  const decreases: string[] = [];
  await reader.run({
    eachBatch: async (batch) => {
      for (const m of batch.messages) {
        const word = m.key!.toString();
        const count = Number(m.value!.readBigInt64BE(0));
        if (count < (last.get(word) ?? 0)) decreases.push(`${word}: ${last.get(word)} → ${count}`);
        last.set(word, count);
      }
    },
  });
  await reader.close();
  return decreases;
}
