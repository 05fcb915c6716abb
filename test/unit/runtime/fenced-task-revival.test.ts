import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { KafkaStreams, Serdes, StreamsBuilder } from '../../../src/index.js';
import { createEmbeddedKafka, KafkaClientError, type KafkaClient } from '../../../src/kafka/index.js';
import { readTopic } from '../../support/read-topic.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * A task's producer fenced while this member still owns the task (as when a transaction
 * coordinator aborts a transaction that outlived its timeout during a broker outage, with no new
 * owner anywhere): the task is dropped, then created again, restored and rewound to its committed
 * offsets, so the input after the fencing is processed, once, with nothing counted twice.
 */
it('exactly-once: a task fenced without a new owner runs again from its last commit', async () => {
  const kafka = createEmbeddedKafka();
  const admin = await kafka.admin();
  await admin.createTopics([
    { topic: 'amounts', partitions: 1 },
    { topic: 'sums', partitions: 1 },
  ]);
  const producer = await kafka.producer();
  const produce = (from: number, to: number) =>
    producer.send(
      Array.from({ length: to - from }, (_, j) => ({
        topic: 'amounts',
        key: Buffer.from(`acct-${(from + j) % 3}`),
        value: Buffer.from(String(from + j)),
        timestamp: 1_000 + from + j,
      })),
    );
  const stateDir = await mkdtemp(join(tmpdir(), 'trib-fenced-'));
  const app = new KafkaStreams(sumsTopology(), {
    applicationId: 'fenced',
    kafka,
    stateDir,
    processingGuarantee: 'exactly_once',
    sessionTimeoutMs: 1_000,
    heartbeatIntervalMs: 100,
    logger: quiet,
  });
  try {
    await app.start();
    await produce(0, 30);
    await sumsReach(kafka, 30);

    // A newer producer with the task's transactional id fences the task's own.
    await kafka.transactionalProducer({ transactionalId: 'fenced-0_0' });
    await produce(30, 60);
    await sumsReach(kafka, 60);
    expect(app.state).toBe('RUNNING');
  } finally {
    await app.close();
    await kafka.close();
    await rm(stateDir, { recursive: true, force: true });
  }
});

/**
 * The worst client failure: EndTxn reached the broker and committed, but the client saw a
 * connection error. The task must neither fail the application nor process that transaction's
 * input again: it is revived, restored (the transaction included) and rewound to the offsets
 * committed with it.
 */
it('exactly-once: a commit that failed on the client but succeeded on the broker counts nothing twice', async () => {
  const embedded = createEmbeddedKafka();
  let failCommits = 0;
  const kafka = new Proxy(embedded, {
    get(target, key, receiver) {
      if (key !== 'transactionalProducer') return Reflect.get(target, key, receiver) as unknown;
      return async (options: Parameters<KafkaClient['transactionalProducer']>[0]) => {
        const producer = await target.transactionalProducer(options);
        return {
          transactionalId: producer.transactionalId,
          close: () => producer.close(),
          beginTransaction: async () => {
            const tx = await producer.beginTransaction();
            return {
              send: (records: Parameters<typeof tx.send>[0]) => tx.send(records),
              sendOffsets: (offsets: Parameters<typeof tx.sendOffsets>[0]) => tx.sendOffsets(offsets),
              abort: () => tx.abort(),
              commit: async () => {
                await tx.commit();
                if (failCommits > 0 && failCommits-- > 0)
                  throw new KafkaClientError('Connection error: connect ECONNREFUSED', { retriable: true });
              },
            };
          },
        };
      };
    },
  });
  const admin = await kafka.admin();
  await admin.createTopics([
    { topic: 'amounts', partitions: 1 },
    { topic: 'sums', partitions: 1 },
  ]);
  const producer = await kafka.producer();
  const produce = (from: number, to: number) =>
    producer.send(
      Array.from({ length: to - from }, (_, j) => ({
        topic: 'amounts',
        key: Buffer.from(`acct-${(from + j) % 3}`),
        value: Buffer.from(String(from + j)),
        timestamp: 1_000 + from + j,
      })),
    );
  const stateDir = await mkdtemp(join(tmpdir(), 'trib-commit-failed-'));
  const app = new KafkaStreams(sumsTopology(), {
    applicationId: 'commit-failed',
    kafka,
    stateDir,
    processingGuarantee: 'exactly_once',
    sessionTimeoutMs: 1_000,
    heartbeatIntervalMs: 100,
    logger: quiet,
  });
  try {
    await app.start();
    await produce(0, 30);
    await sumsReach(embedded, 30);
    failCommits = 1;
    await produce(30, 60);
    await sumsReach(embedded, 60);
    expect(failCommits).toBe(0);
    await produce(60, 90);
    await sumsReach(embedded, 90);
    expect(app.state).toBe('RUNNING');
  } finally {
    await app.close();
    await embedded.close();
    await rm(stateDir, { recursive: true, force: true });
  }
});

function sumsTopology() {
  const b = new StreamsBuilder();
  b.stream('amounts', { key: Serdes.string(), value: Serdes.string() })
    .mapValues((v) => Number(v))
    .groupByKey({ value: Serdes.float64() })
    .reduce((a, v) => a + v, { name: 'sums' })
    .toStream()
    .to('sums', { key: Serdes.string(), value: Serdes.float64() });
  return b.build();
}

/** Waits until the latest sums equal the truth for amounts 0..n-1. */
async function sumsReach(kafka: ReturnType<typeof createEmbeddedKafka>, n: number): Promise<void> {
  const truth = new Map<string, number>();
  for (let i = 0; i < n; i++) truth.set(`acct-${i % 3}`, (truth.get(`acct-${i % 3}`) ?? 0) + i);
  const deadline = Date.now() + 10_000;
  let latest = new Map<string, number>();
  while (Date.now() < deadline) {
    latest = new Map((await readTopic(kafka, 'sums')).map((r) => [r.key, r.value!.readDoubleBE(0)]));
    if ([...truth].every(([k, v]) => latest.get(k) === v)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(Object.fromEntries(latest)).toEqual(Object.fromEntries(truth));
}
