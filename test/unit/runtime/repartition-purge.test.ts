import { afterEach, describe, expect, it } from 'vitest';
import { createEmbeddedKafka } from '../../../src/kafka/index.js';
import type { TopicPartitionOffset } from '../../../src/kafka/index.js';
import { RepartitionPurger } from '../../../src/runtime/repartition-purger.js';
import {
  createTopics,
  INPUT,
  OUTPUT,
  produceLines,
  readCounts,
  removeTempDirs,
  sameCounts,
  tempStateDir,
  waitUntil,
  wordCountApp,
} from './support/embedded-app.js';

afterEach(removeTempDirs);

describe('RepartitionPurger', () => {
  function purger(intervalMs: number, fail = false) {
    const calls: TopicPartitionOffset[][] = [];
    const errors: unknown[] = [];
    let release: () => void = () => undefined;
    const p = new RepartitionPurger(
      new Set(['app-x-repartition']),
      intervalMs,
      (offsets) => {
        calls.push(offsets);
        return new Promise<void>((resolve, reject) => {
          release = () => (fail ? reject(new Error('broker said no')) : resolve());
        });
      },
      (error) => errors.push(error),
    );
    return { p, calls, errors, release: () => release() };
  }

  it('purges only repartition topics, the newest committed offset per partition, once per interval', async () => {
    const { p, calls, release } = purger(1_000);
    const start = Date.now();
    p.noteCommitted(
      new Map([
        ['app-x-repartition:0', 5],
        ['user-input:0', 9],
      ]),
    );
    p.noteCommitted(new Map([['app-x-repartition:0', 7]]));
    p.maybePurge(start + 10);
    expect(calls).toEqual([]);
    p.maybePurge(start + 1_000);
    expect(calls).toEqual([[{ topic: 'app-x-repartition', partition: 0, offset: '7' }]]);
    // Nothing new committed: no second purge even after the interval.
    release();
    await p.drain();
    p.maybePurge(start + 5_000);
    expect(calls).toHaveLength(1);
  });

  it('runs one purge at a time and reports a failure without throwing', async () => {
    const { p, calls, errors, release } = purger(0, true);
    p.noteCommitted(new Map([['app-x-repartition:1', 3]]));
    p.maybePurge();
    p.noteCommitted(new Map([['app-x-repartition:1', 4]]));
    p.maybePurge();
    expect(calls).toHaveLength(1);
    release();
    await p.drain();
    expect(errors.map((e) => (e as Error).message)).toEqual(['broker said no']);
    p.maybePurge();
    expect(calls.at(-1)).toEqual([{ topic: 'app-x-repartition', partition: 1, offset: '4' }]);
  });
});

describe('purging repartition topics in a running app', () => {
  it('deletes consumed repartition records after commits and still counts exactly', async () => {
    const kafka = createEmbeddedKafka();
    await createTopics(kafka, [
      { topic: INPUT, partitions: 4 },
      { topic: OUTPUT, partitions: 4 },
    ]);
    const truth = await produceLines(kafka, 300);
    const app = wordCountApp(kafka, await tempStateDir(), { repartitionPurgeIntervalMs: 0 });
    await app.start();
    await waitUntil(async () => sameCounts(await readCounts(kafka), truth), 'exact counts');
    const admin = await kafka.admin();
    const repartition = Array.from({ length: 4 }, (_, partition) => ({
      topic: 'wc-counts-repartition',
      partition,
    }));
    // Each partition's log start reaches its end: everything written was consumed and committed.
    await waitUntil(
      async () => (await admin.listOffsets(repartition)).every((o) => o.begin === o.end && o.end !== '0'),
      'repartition records purged',
    );
    // The user's input topic is never purged.
    const input = await admin.listOffsets([0, 1, 2, 3].map((partition) => ({ topic: INPUT, partition })));
    expect(input.map((o) => o.begin)).toEqual(['0', '0', '0', '0']);
    await app.close();
    await admin.close();
    await kafka.close();
  });
});
