import { afterEach, expect, it } from 'vitest';
import { createKafkaClient } from '../../src/kafka/index.js';
import type { ClosableKafkaClient, GroupConsumer } from '../../src/kafka/index.js';
import { eventually, roundRobinAssignor } from '../unit/kafka/port-contract.js';
import { describeWithKafka, kafkaBrokers, uniqueTopic } from './support/kafka.js';

const timestamp = Math.floor(Date.now() / 1000) * 1000;
const records = (topic: string, partition: number, from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({
    topic,
    partition,
    key: Buffer.from(`k${from + i}`),
    value: Buffer.from(`p${partition}-${from + i}`),
    timestamp,
  }));

describeWithKafka('the @platformatic/kafka group consumer on a real broker', () => {
  const open: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of open.splice(0).reverse()) await close();
  });

  async function start(): Promise<{
    client: ClosableKafkaClient;
    topic: string;
    seen: string[];
    consumer: GroupConsumer;
    order: string[];
  }> {
    const client = createKafkaClient({
      brokers: kafkaBrokers(),
      clientId: 'platformatic-consumer',
      client: 'platformatic',
    });
    open.push(() => client.close());
    const topic = uniqueTopic('plat-consumer');
    const admin = await client.admin();
    open.push(() => admin.close());
    await admin.createTopics([{ topic, partitions: 2 }]);
    const seen: string[] = [];
    const order: string[] = [];
    const consumer = client.consumer({
      groupId: uniqueTopic('plat-consumer-group'),
      topics: [topic],
      assignor: roundRobinAssignor('solo'),
      maxWaitMs: 100,
      heartbeatIntervalMs: 200,
      listener: {
        onAssigned: async (assignment, userData) => {
          // An awaited listener: nothing is fetched for the assignment before it returns.
          await new Promise((resolve) => setTimeout(resolve, 300));
          const { seen: sawUserData } = JSON.parse(userData.toString()) as { seen: string[] };
          order.push(`assigned ${JSON.stringify(assignment[topic])} after ${sawUserData.join(',')}`);
        },
        onRebalancing: () => void order.push('rebalancing'),
      },
    });
    open.push(() => consumer.close());
    await consumer.run({
      eachBatch: async (batch) => {
        if (order.at(-1) !== 'batch') order.push('batch');
        seen.push(...batch.messages.map((m) => m.value!.toString()));
      },
    });
    return { client, topic, seen, consumer, order };
  }

  it('runs the assignor for a single member and awaits onAssigned before the first batch', async () => {
    const { client, topic, seen, order } = await start();
    const producer = await client.producer();
    open.push(() => producer.close());
    await producer.send(records(topic, 0, 0, 3));
    await eventually(() => expect(seen).toEqual(['p0-0', 'p0-1', 'p0-2']), 30_000);
    // The assignor ran (its userData came back), although the member is alone in the group.
    expect(order).toEqual(['assigned [0,1] after solo', 'batch']);
  });

  it('delivers nothing of a paused partition and resumes where it stood, without gaps or repeats', async () => {
    const { client, topic, seen, consumer } = await start();
    const producer = await client.producer();
    open.push(() => producer.close());
    await producer.send([...records(topic, 0, 0, 50), ...records(topic, 1, 0, 50)]);
    await eventually(() => expect(seen).toHaveLength(100), 30_000);
    consumer.pause([{ topic, partition: 0 }]);
    // Let any fetch already in flight for partition 0 come back before producing more.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await producer.send([...records(topic, 0, 50, 50), ...records(topic, 1, 50, 50)]);
    await eventually(() => expect(seen.filter((v) => v.startsWith('p1-'))).toHaveLength(100), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(seen.filter((v) => v.startsWith('p0-'))).toHaveLength(50);
    consumer.resume([{ topic, partition: 0 }]);
    await eventually(() => expect(seen.filter((v) => v.startsWith('p0-'))).toHaveLength(100), 30_000);
    for (const partition of [0, 1]) {
      expect(seen.filter((v) => v.startsWith(`p${partition}-`))).toEqual(
        Array.from({ length: 100 }, (_, i) => `p${partition}-${i}`),
      );
    }
  });
});
