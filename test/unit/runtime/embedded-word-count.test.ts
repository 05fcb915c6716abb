import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmbeddedKafka, type EmbeddedKafka } from '../../../src/kafka/index.js';
import { KafkaStreams, Serdes, StreamsBuilder } from '../../../src/index.js';

function wordCount() {
  const b = new StreamsBuilder();
  b.stream('lines', { key: Serdes.string(), value: Serdes.string() })
    .flatMapValues((line) => line.split(' '))
    .groupBy((_, w) => w, { key: Serdes.string(), value: Serdes.string() })
    .count({ name: 'counts' })
    .toStream()
    .to('counts-out', { key: Serdes.string(), value: Serdes.long() });
  return b.build();
}

async function readAll(
  kafka: EmbeddedKafka,
  topic: string,
  partitions: number,
): Promise<Map<string, number>> {
  const admin = await kafka.admin();
  const ends = await admin.listOffsets(
    Array.from({ length: partitions }, (_, partition) => ({ topic, partition })),
  );
  const latest = new Map<string, number>();
  const reader = kafka.partitionReader({
    groupIdPrefix: 'verify',
    partitions: ends.map((e) => ({ topic, partition: e.partition, fromOffset: e.begin, untilOffset: e.end })),
  });
  await reader.run({
    eachBatch: async (batch) => {
      for (const m of batch.messages) latest.set(m.key!.toString(), Number(m.value!.readBigInt64BE(0)));
    },
  });
  await reader.close();
  return latest;
}

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('KafkaStreams on the embedded broker', () => {
  // maxBufferedRecords 5: records go out in early sends pipelined with processing.
  it.each([{ maxBufferedRecords: 10_000 }, { maxBufferedRecords: 5 }])(
    'counts words over a 4-partition topic with a repartition (maxBufferedRecords $maxBufferedRecords)',
    async ({ maxBufferedRecords }) => {
      const kafka = createEmbeddedKafka();
      const admin = await kafka.admin();
      await admin.createTopics([
        { topic: 'lines', partitions: 4 },
        { topic: 'counts-out', partitions: 4 },
      ]);
      const producer = await kafka.producer();
      const words = ['a', 'b', 'c', 'd', 'e'];
      const truth = new Map<string, number>();
      const records = Array.from({ length: 200 }, (_, i) => {
        const line = `${words[i % 5]} ${words[(i * 3) % 5]}`;
        for (const w of line.split(' ')) truth.set(w, (truth.get(w) ?? 0) + 1);
        return { topic: 'lines', key: Buffer.from(`k${i}`), value: Buffer.from(line), timestamp: 1_000 + i };
      });
      await producer.send(records);
      const stateDir = await mkdtemp(join(tmpdir(), 'trib-'));
      dirs.push(stateDir);
      const app = new KafkaStreams(wordCount(), {
        applicationId: 'wc',
        kafka,
        stateDir,
        commitIntervalMs: 50,
        maxBufferedRecords,
        logger: silent,
      });
      await app.start();
      expect(app.state).toBe('RUNNING');
      expect(
        app
          .metadataForLocalTasks()
          .map((t) => t.taskId)
          .sort(),
      ).toEqual(['0_0', '0_1', '0_2', '0_3', '1_0', '1_1', '1_2', '1_3']);
      await waitFor(async () => {
        const got = await readAll(kafka, 'counts-out', 4);
        return [...truth].every(([w, n]) => got.get(w) === n);
      });
      await app.close();
      expect(app.state).toBe('NOT_RUNNING');
      const partitions = await admin.describeTopics(['wc-counts-repartition', 'wc-counts-changelog']);
      expect(partitions).toEqual({ 'wc-counts-repartition': 4, 'wc-counts-changelog': 4 });
      await kafka.close();
    },
  );
});

const silent = { debug() {}, info() {}, warn() {}, error() {} };

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
}
