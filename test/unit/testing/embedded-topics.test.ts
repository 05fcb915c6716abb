import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createEmbeddedKafka,
  KafkaStreams,
  Serdes,
  StreamsBuilder,
  StreamsError,
  type EmbeddedKafka,
} from '../../../src/index.js';
import { produce, readOutput } from '../../../src/testing/index.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const strings = { key: Serdes.string(), value: Serdes.string() };
let kafka: EmbeddedKafka;
let stateDir: string | undefined;

afterEach(async () => {
  await kafka?.close();
  if (stateDir !== undefined) await rm(stateDir, { recursive: true, force: true });
  stateDir = undefined;
});

async function topics(...names: [string, number][]): Promise<void> {
  kafka = createEmbeddedKafka();
  const admin = await kafka.admin();
  await admin.createTopics(names.map(([topic, partitions]) => ({ topic, partitions })));
  await admin.close();
}

describe('produce and readOutput on the embedded broker', () => {
  it('round-trip typed records with timestamps, headers and partitions, in partition then offset order', async () => {
    await topics(['orders', 3]);
    const serdes = { key: Serdes.string(), value: Serdes.json<{ total: number }>() };
    await produce(
      kafka,
      'orders',
      [
        { key: 'alice', value: { total: 5 }, timestamp: 1_000, partition: 2, headers: { source: 'web' } },
        { key: 'bob', value: { total: 7 }, timestamp: 2_000, partition: 0 },
        { key: 'carol', value: null, timestamp: 3_000, partition: 2 },
      ],
      serdes,
    );
    const records = await readOutput(kafka, 'orders', serdes);
    expect(
      records.map(({ key, value, timestamp, partition, offset }) => ({
        key,
        value,
        timestamp,
        partition,
        offset,
      })),
    ).toEqual([
      { key: 'bob', value: { total: 7 }, timestamp: 2_000, partition: 0, offset: '0' },
      { key: 'alice', value: { total: 5 }, timestamp: 1_000, partition: 2, offset: '0' },
      { key: 'carol', value: null, timestamp: 3_000, partition: 2, offset: '1' },
    ]);
    expect(records[1]!.headers?.source?.toString()).toBe('web');
  });

  it('run a full application: produce its input, wait for its output', async () => {
    await topics(['lines', 2], ['counts', 2]);
    stateDir = await mkdtemp(join(tmpdir(), 'trib-embedded-topics-'));
    const b = new StreamsBuilder();
    b.stream('lines', strings)
      .flatMapValues((line) => line.split(' '))
      .groupBy((_, word) => word, strings)
      .count({ name: 'counts' })
      .toStream()
      .to('counts', { key: Serdes.string(), value: Serdes.long() });
    const app = new KafkaStreams(b.build(), {
      applicationId: 'embedded-topics',
      kafka,
      stateDir,
      commitIntervalMs: 50,
      logger: quiet,
    });
    await app.start();
    try {
      await produce(
        kafka,
        'lines',
        [
          { key: 'l1', value: 'hello kafka' },
          { key: 'l2', value: 'hello streams' },
        ],
        strings,
      );
      // Caching emits once per commit: wait for the final count of "hello".
      const deadline = Date.now() + 30_000;
      let latest = new Map<string | null, number | null>();
      while (latest.get('hello') !== 2 && Date.now() < deadline) {
        const counts = await readOutput(kafka, 'counts', {
          key: Serdes.string(),
          value: Serdes.long(),
          minRecords: 3,
        });
        latest = new Map(counts.map((r) => [r.key, r.value]));
      }
      expect(Object.fromEntries(latest)).toEqual({ hello: 2, kafka: 1, streams: 1 });
    } finally {
      await app.close();
    }
  });

  it('readOutput fails after timeoutMs, naming the topic, what it holds and the minimum', async () => {
    await topics(['quiet', 1]);
    await produce(kafka, 'quiet', [{ key: 'k', value: 'v' }], strings);
    await expect(readOutput(kafka, 'quiet', { ...strings, minRecords: 2, timeoutMs: 100 })).rejects.toThrow(
      /topic "quiet" holds 1 record\(s\) after 100 ms, expected at least 2/,
    );
  });

  it('readOutput names a missing topic, and the record it cannot deserialize', async () => {
    await topics(['numbers', 1]);
    await expect(readOutput(kafka, 'nope', strings)).rejects.toThrow(/topic "nope" does not exist/);
    await produce(kafka, 'numbers', [{ key: 'k', value: 'not json' }], strings);
    const failure = readOutput(kafka, 'numbers', { key: Serdes.string(), value: Serdes.json<number>() });
    await expect(failure).rejects.toThrow(StreamsError);
    await expect(failure).rejects.toThrow(/the value at numbers-0@0 could not be deserialized with JSON/);
  });

  it('produce names the record its serde rejects', async () => {
    await topics(['ints', 1]);
    await expect(
      produce(
        kafka,
        'ints',
        [
          { key: 'a', value: 1 },
          { key: 'b', value: 2.5 },
        ],
        {
          key: Serdes.string(),
          value: Serdes.int32(),
        },
      ),
    ).rejects.toThrow(/record 1 for topic "ints" could not be serialized/);
  });
});
