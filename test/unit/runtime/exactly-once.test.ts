import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { KafkaStreams, Serdes, StreamsBuilder } from '../../../src/index.js';
import { createEmbeddedKafka } from '../../../src/kafka/index.js';
import { readTopic } from '../../support/read-topic.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

// maxBufferedRecords 3: records are sent early, inside the open transaction, while processing goes on.
it.each([{ maxBufferedRecords: 10_000 }, { maxBufferedRecords: 3 }])(
  'exactly-once: outputs, changelog and offsets commit in one transaction per task (maxBufferedRecords $maxBufferedRecords)',
  async ({ maxBufferedRecords }) => {
    const kafka = createEmbeddedKafka();
    const admin = await kafka.admin();
    await admin.createTopics([
      { topic: 'amounts', partitions: 2 },
      { topic: 'sums', partitions: 2 },
    ]);
    const producer = await kafka.producer();
    await producer.send(
      Array.from({ length: 50 }, (_, i) => ({
        topic: 'amounts',
        key: Buffer.from(`acct-${i % 5}`),
        value: Buffer.from(String(i)),
        timestamp: 1_000 + i,
      })),
    );
    const b = new StreamsBuilder();
    b.stream('amounts', { key: Serdes.string(), value: Serdes.string() })
      .mapValues((v) => Number(v))
      .groupByKey({ value: Serdes.float64() })
      .reduce((a, v) => a + v, { name: 'sums' })
      .toStream()
      .to('sums', { key: Serdes.string(), value: Serdes.float64() });
    const stateDir = await mkdtemp(join(tmpdir(), 'trib-eos-'));
    const app = new KafkaStreams(b.build(), {
      applicationId: 'eos',
      kafka,
      stateDir,
      processingGuarantee: 'exactly_once',
      maxBufferedRecords,
      logger: quiet,
    });
    const commits: number[] = [];
    app.events$.subscribe((e) => e.type === 'commit' && commits.push(e.records));
    await app.start();
    const truth = new Map<string, number>();
    for (let i = 0; i < 50; i++) truth.set(`acct-${i % 5}`, (truth.get(`acct-${i % 5}`) ?? 0) + i);
    const deadline = Date.now() + 10_000;
    let latest = new Map<string, number>();
    while (Date.now() < deadline) {
      latest = await readLatest(kafka, 'sums');
      if ([...truth].every(([k, v]) => latest.get(k) === v)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(Object.fromEntries(latest)).toEqual(Object.fromEntries(truth));
    // The commit event follows the transaction (and the stores' checkpoint after it).
    while (commits.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(commits.length).toBeGreaterThan(0);
    const committed = await admin.fetchCommittedOffsets('eos', [
      { topic: 'amounts', partition: 0 },
      { topic: 'amounts', partition: 1 },
    ]);
    const ends = await admin.listOffsets(committed.map(({ topic, partition }) => ({ topic, partition })));
    expect(committed.map((c) => c.offset)).toEqual(ends.map((e) => e.end));
    await app.close();
    await kafka.close();
    await rm(stateDir, { recursive: true, force: true });
  },
);

async function readLatest(kafka: ReturnType<typeof createEmbeddedKafka>, topic: string) {
  return new Map((await readTopic(kafka, topic)).map((r) => [r.key, r.value!.readDoubleBE(0)]));
}
