import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { KafkaStreams, Serdes, StreamsBuilder } from '../../../src/index.js';
import { createEmbeddedKafka, type EmbeddedKafka } from '../../../src/kafka/index.js';
import { readTopic } from '../../support/read-topic.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

async function latest(kafka: EmbeddedKafka, topic: string): Promise<Map<string, string | null>> {
  return new Map(
    (await readTopic(kafka, topic)).map((r) => [r.key, r.value === null ? null : r.value.toString()]),
  );
}

async function until(check: () => Promise<boolean>) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met');
}

it('a foreign-key join runs when the two tables have different partition counts', async () => {
  // orders (3 partitions) reference customers (2 partitions): the subscription topic must be
  // co-partitioned with customers and the response topic with orders.
  const kafka = createEmbeddedKafka();
  const admin = await kafka.admin();
  await admin.createTopics([
    { topic: 'orders', partitions: 3 },
    { topic: 'customers', partitions: 2 },
    { topic: 'enriched', partitions: 3 },
  ]);
  const b = new StreamsBuilder();
  const customers = b.table('customers', { key: Serdes.string(), value: Serdes.string() });
  b.table('orders', { key: Serdes.string(), value: Serdes.json<{ customer: string; item: string }>() })
    .join(
      customers,
      (o) => o.customer,
      (o, name) => `${o.item} for ${name}`,
      { name: 'orders-with-customer' },
    )
    .toStream()
    .to('enriched', { key: Serdes.string(), value: Serdes.string() });
  const stateDir = await mkdtemp(join(tmpdir(), 'trib-fk-'));
  const app = new KafkaStreams(b.build(), {
    applicationId: 'fk',
    kafka,
    stateDir,
    commitIntervalMs: 20,
    logger: quiet,
  });
  await app.start();
  const producer = await kafka.producer();
  const now = Date.now();
  await producer.send([
    { topic: 'customers', key: Buffer.from('c1'), value: Buffer.from('Ada'), timestamp: now },
    { topic: 'customers', key: Buffer.from('c2'), value: Buffer.from('Bo'), timestamp: now },
  ]);
  await producer.send(
    ['o1', 'o2', 'o3', 'o4'].map((o, i) => ({
      topic: 'orders',
      key: Buffer.from(o),
      value: Buffer.from(JSON.stringify({ customer: i % 2 === 0 ? 'c1' : 'c2', item: `item${i}` })),
      timestamp: now + 1,
    })),
  );
  const expected = { o1: 'item0 for Ada', o2: 'item1 for Bo', o3: 'item2 for Ada', o4: 'item3 for Bo' };
  await until(
    async () =>
      JSON.stringify(Object.fromEntries([...(await latest(kafka, 'enriched'))].sort())) ===
      JSON.stringify(expected),
  );
  await producer.send([
    { topic: 'customers', key: Buffer.from('c2'), value: Buffer.from('Bob'), timestamp: now + 2 },
  ]);
  // o2 and o4 may live in different response partitions, so their updates arrive independently.
  await until(async () => {
    const enriched = await latest(kafka, 'enriched');
    return enriched.get('o2') === 'item1 for Bob' && enriched.get('o4') === 'item3 for Bob';
  });
  expect(Object.fromEntries([...(await latest(kafka, 'enriched'))].sort())).toEqual({
    ...expected,
    o2: 'item1 for Bob',
    o4: 'item3 for Bob',
  });
  const counts = await admin.describeTopics([
    'fk-orders-with-customer-subscription-registration-topic',
    'fk-orders-with-customer-subscription-response-topic',
  ]);
  expect(counts).toEqual({
    'fk-orders-with-customer-subscription-registration-topic': 2,
    'fk-orders-with-customer-subscription-response-topic': 3,
  });
  await app.close();
  await kafka.close();
  await rm(stateDir, { recursive: true, force: true });
});

it('a foreign-key left join answers rows without a foreign key through the multi-partition topics', async () => {
  // A null foreign key travels the subscription topic keyed null (the producer picks its
  // partition); the answer must still come back to the left row's partition of the response topic.
  const kafka = createEmbeddedKafka();
  const admin = await kafka.admin();
  await admin.createTopics([
    { topic: 'orders', partitions: 3 },
    { topic: 'customers', partitions: 2 },
    { topic: 'enriched', partitions: 3 },
  ]);
  const b = new StreamsBuilder();
  const customers = b.table('customers', { key: Serdes.string(), value: Serdes.string() });
  b.table('orders', { key: Serdes.string(), value: Serdes.json<{ customer: string | null; item: string }>() })
    .leftJoin(
      customers,
      (o) => o.customer as string,
      (o, name) => `${o.item} for ${name ?? '?'}`,
      { name: 'orders-left-customer' },
    )
    .toStream()
    .to('enriched', { key: Serdes.string(), value: Serdes.string() });
  const stateDir = await mkdtemp(join(tmpdir(), 'trib-fk-left-'));
  const app = new KafkaStreams(b.build(), {
    applicationId: 'fk-left',
    kafka,
    stateDir,
    commitIntervalMs: 20,
    logger: quiet,
  });
  await app.start();
  const producer = await kafka.producer();
  const now = Date.now();
  await producer.send([
    { topic: 'customers', key: Buffer.from('c1'), value: Buffer.from('Ada'), timestamp: now },
  ]);
  await producer.send(
    ['o1', 'o2', 'o3', 'o4', 'o5', 'o6'].map((o, i) => ({
      topic: 'orders',
      key: Buffer.from(o),
      value: Buffer.from(JSON.stringify({ customer: i % 2 === 0 ? 'c1' : null, item: `item${i}` })),
      timestamp: now + 1,
    })),
  );
  const expected = {
    o1: 'item0 for Ada',
    o2: 'item1 for ?',
    o3: 'item2 for Ada',
    o4: 'item3 for ?',
    o5: 'item4 for Ada',
    o6: 'item5 for ?',
  };
  await until(
    async () =>
      JSON.stringify(Object.fromEntries([...(await latest(kafka, 'enriched'))].sort())) ===
      JSON.stringify(expected),
  );
  const enriched = await readTopic(kafka, 'enriched');
  expect(enriched).toHaveLength(6);
  await app.close();
  await kafka.close();
  await rm(stateDir, { recursive: true, force: true });
});
