import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { KafkaStreams, Serdes, StreamsBuilder } from '../../../src/index.js';
import { createEmbeddedKafka } from '../../../src/kafka/index.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

it('with caching on, repeated updates of a key between commits reach the output and the changelog once', async () => {
  const kafka = createEmbeddedKafka();
  const admin = await kafka.admin();
  await admin.createTopics([
    { topic: 'clicks', partitions: 1 },
    { topic: 'click-counts', partitions: 1 },
  ]);
  const producer = await kafka.producer();
  await producer.send(
    Array.from({ length: 100 }, (_, i) => ({
      topic: 'clicks',
      key: Buffer.from(i % 4 === 0 ? 'bob' : 'alice'),
      value: Buffer.from('click'),
      timestamp: 1_000 + i,
    })),
  );
  const b = new StreamsBuilder();
  b.stream('clicks', { key: Serdes.string(), value: Serdes.string() })
    .groupByKey()
    .count({ name: 'clicks-per-user' })
    .toStream()
    .to('click-counts', { key: Serdes.string(), value: Serdes.long() });
  const stateDir = await mkdtemp(join(tmpdir(), 'trib-cache-'));
  // A long commit interval: nothing is flushed until close() commits.
  const app = new KafkaStreams(b.build(), {
    applicationId: 'cache',
    kafka,
    stateDir,
    commitIntervalMs: 60_000,
    logger: quiet,
  });
  await app.start();
  await new Promise((r) => setTimeout(r, 300));
  await app.close();

  const ends = await admin.listOffsets([
    { topic: 'click-counts', partition: 0 },
    { topic: 'cache-clicks-per-user-changelog', partition: 0 },
  ]);
  const read = async (topic: string) => {
    const out: [string, number][] = [];
    const reader = kafka.partitionReader({
      groupIdPrefix: 'verify',
      partitions: [
        { topic, partition: 0, fromOffset: '0', untilOffset: ends.find((e) => e.topic === topic)!.end },
      ],
    });
    await reader.run({
      eachBatch: async (batch) => {
        for (const m of batch.messages)
          out.push([m.key!.toString(), Number(m.value!.readBigInt64BE(m.value!.length - 8))]);
      },
    });
    await reader.close();
    return out.sort();
  };
  expect(await read('click-counts')).toEqual([
    ['alice', 75],
    ['bob', 25],
  ]);
  // Changelog values are timestamped (8-byte timestamp + value); the count is the last 8 bytes.
  expect(await read('cache-clicks-per-user-changelog')).toEqual([
    ['alice', 75],
    ['bob', 25],
  ]);
  await kafka.close();
  await rm(stateDir, { recursive: true, force: true });
});
