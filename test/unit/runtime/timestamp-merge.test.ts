import { afterEach, describe, expect, it } from 'vitest';
import { JoinWindows, Serdes, StreamsBuilder } from '../../../src/index.js';
import { createEmbeddedKafka } from '../../../src/kafka/index.js';
import { KafkaStreams } from '../../../src/index.js';
import {
  createTopics,
  quietLogger,
  removeTempDirs,
  tempStateDir,
  waitUntil,
} from './support/embedded-app.js';
import { readLatestCounts } from '../../support/counts.js';

afterEach(removeTempDirs);

/**
 * A windowed join with no grace is where order across partitions shows: a task that processed all
 * of `left` before `right` would find every right record outside its window and drop it as late.
 */
function joinTopology() {
  const b = new StreamsBuilder();
  const left = b.stream('left', { key: Serdes.string(), value: Serdes.string() });
  const right = b.stream('right', { key: Serdes.string(), value: Serdes.string() });
  left
    .join(right, (l, r) => `${l}+${r}`, JoinWindows.ofTimeDifferenceAndGrace(100, 0), {
      key: Serdes.string(),
      value: Serdes.string(),
      otherValue: Serdes.string(),
    })
    .mapValues(() => 1)
    .groupByKey({ key: Serdes.string(), value: Serdes.long() })
    .count({ name: 'joined' })
    .toStream()
    .to('joined-out', { key: Serdes.string(), value: Serdes.long() });
  return b.build();
}

describe('a task reading several partitions', () => {
  it.each([300, 2_500])(
    'merges them by timestamp, so a windowed join loses nothing however the input was fetched (%i per side)',
    async (perSide) => {
      const kafka = createEmbeddedKafka();
      await createTopics(kafka, [
        { topic: 'left', partitions: 1 },
        { topic: 'right', partitions: 1 },
        { topic: 'joined-out', partitions: 1 },
      ]);
      const base = Date.now() - perSide * 1_000;
      const producer = await kafka.producer();
      // All of left, then all of right: one side's records are fetched (in whole batches) first.
      for (const side of ['left', 'right']) {
        await producer.send(
          Array.from({ length: perSide }, (_, i) => ({
            topic: side,
            key: Buffer.from(`k${i % 10}`),
            value: Buffer.from(`${side}-${i}`),
            timestamp: base + i * 1_000,
          })),
        );
      }
      const app = new KafkaStreams(joinTopology(), {
        applicationId: 'merge',
        kafka,
        stateDir: await tempStateDir(),
        commitIntervalMs: 50,
        logger: quietLogger,
      });
      await app.start();
      expect(app.metadataForLocalTasks().map((t) => t.taskId)).toContain('0_0');
      // Each right record is within the window of exactly one left record (same timestamp).
      const expected = new Map(Array.from({ length: 10 }, (_, k) => [`k${k}`, perSide / 10]));
      let got = new Map<string, number>();
      await waitUntil(
        async () => {
          got = await readLatestCounts(kafka, 'joined-out');
          return [...expected].every(([k, n]) => got.get(k) === n);
        },
        'every pair joined',
        20_000,
      ).catch(() => undefined);
      expect(Object.fromEntries(got)).toEqual(Object.fromEntries(expected));
      await app.close();
      await kafka.close();
    },
  );
});
