import { afterEach, describe, expect, it } from 'vitest';
import { CommitFailedError, createEmbeddedKafka, FencedError } from '../../../src/kafka/index.js';
import type { EmbeddedKafka, GroupConsumer } from '../../../src/kafka/index.js';
import { EmbeddedBroker } from '../../../src/kafka/embedded/broker.js';
import { eventually, roundRobinAssignor } from './port-contract.js';

const record = (topic: string, value: string, partition: number) => ({
  topic,
  partition,
  key: Buffer.from(value),
  value: Buffer.from(value),
  timestamp: 1_000,
});

describe('embedded broker', () => {
  let kafka: EmbeddedKafka;
  const consumers: GroupConsumer[] = [];

  afterEach(async () => {
    for (const consumer of consumers.splice(0)) await consumer.close();
    await kafka?.close();
  });

  function consumer(groupId: string, tag: string, events: string[], topic: string): GroupConsumer {
    const created = kafka.consumer({
      groupId,
      topics: [topic],
      assignor: roundRobinAssignor(tag),
      heartbeatIntervalMs: 20,
      sessionTimeoutMs: 200,
      rebalanceTimeoutMs: 500,
      maxWaitMs: 20,
      listener: {
        onAssigned: (assignment) =>
          void events.push(`${tag}:assigned:${(assignment[topic] ?? []).join(',')}`),
        onRebalancing: () => void events.push(`${tag}:rebalancing`),
      },
    });
    consumers.push(created);
    return created;
  }

  it('signals the rebalance before the new assignment and delivers nothing in between', async () => {
    kafka = createEmbeddedKafka();
    await (await kafka.admin()).createTopics([{ topic: 't', partitions: 2 }]);
    const events: string[] = [];
    const a = consumer('g', 'A', events, 't');
    await a.run({ eachBatch: async (batch) => void events.push(`A:batch:${batch.partition}`) });
    await consumer('g', 'B', events, 't').run({
      eachBatch: async (batch) => void events.push(`B:batch:${batch.partition}`),
    });
    await eventually(() => expect(events.filter((e) => e.includes('assigned'))).toHaveLength(3), 2_000);
    expect(events.slice(0, 2)).toEqual(['A:assigned:0,1', 'A:rebalancing']);
    expect(events.slice(2).sort()).toEqual(['A:assigned:0', 'B:assigned:1']);

    await (await kafka.producer()).send([record('t', 'x', 0), record('t', 'y', 1)]);
    await eventually(
      () => expect(events.filter((e) => e.includes('batch')).sort()).toEqual(['A:batch:0', 'B:batch:1']),
      2_000,
    );
  });

  it('evicts a member whose heartbeats stop after its session timeout and rebalances the rest', async () => {
    kafka = createEmbeddedKafka();
    await (await kafka.admin()).createTopics([{ topic: 't', partitions: 2 }]);
    const events: string[] = [];
    await consumer('g', 'A', events, 't').run({ eachBatch: async () => undefined });
    await eventually(() => expect(events).toContain('A:assigned:0,1'), 2_000);
    // Stop heartbeating without leaving, like a killed process.
    const crashed = consumer('g', 'B', events, 't');
    await crashed.run({ eachBatch: async () => undefined });
    await eventually(() => expect(events).toContain('A:assigned:0'), 2_000);
    (crashed as unknown as { stop(): void }).stop();
    await eventually(() => expect(events.at(-1)).toBe('A:assigned:0,1'), 3_000);
  });

  it('rejects commits of an ended generation', async () => {
    kafka = createEmbeddedKafka();
    await (await kafka.admin()).createTopics([{ topic: 't', partitions: 1 }]);
    const events: string[] = [];
    const a = consumer('g', 'A', events, 't');
    await a.run({ eachBatch: async () => undefined });
    (a as unknown as { stop(): void }).stop();
    await consumer('g', 'B', events, 't').run({ eachBatch: async () => undefined });
    await expect(a.commitOffsets([{ topic: 't', partition: 0, offset: '1' }])).rejects.toBeInstanceOf(
      CommitFailedError,
    );
  });

  it('pauses and resumes delivery of a partition', async () => {
    kafka = createEmbeddedKafka();
    await (await kafka.admin()).createTopics([{ topic: 't', partitions: 1 }]);
    const values: string[] = [];
    const events: string[] = [];
    const a = consumer('g', 'A', events, 't');
    await a.run({
      eachBatch: async (batch) => void values.push(...batch.messages.map((m) => m.value!.toString())),
    });
    a.pause([{ topic: 't', partition: 0 }]);
    await (await kafka.producer()).send([record('t', 'held', 0)]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(values).toEqual([]);
    a.resume([{ topic: 't', partition: 0 }]);
    await eventually(() => expect(values).toEqual(['held']), 2_000);
  });

  it('aborts the open transaction of a fenced producer and fails its next operation', async () => {
    kafka = createEmbeddedKafka();
    const admin = await kafka.admin();
    await admin.createTopics([{ topic: 't', partitions: 1 }]);
    const zombie = await kafka.transactionalProducer({ transactionalId: 'task-0_0' });
    const open = await zombie.beginTransaction();
    await open.send([record('t', 'zombie', 0)]);
    expect(await admin.listOffsets([{ topic: 't', partition: 0 }])).toEqual([
      { topic: 't', partition: 0, begin: '0', end: '0' },
    ]);

    await kafka.transactionalProducer({ transactionalId: 'task-0_0' });
    await expect(zombie.beginTransaction()).rejects.toBeInstanceOf(FencedError);
    await expect(open.send([record('t', 'late', 0)])).rejects.toBeInstanceOf(FencedError);
    // Record and abort marker: the last stable offset moves past both, and nothing is readable.
    expect(await admin.listOffsets([{ topic: 't', partition: 0 }])).toEqual([
      { topic: 't', partition: 0, begin: '0', end: '2' },
    ]);
    const values: string[] = [];
    const reader = kafka.partitionReader({
      groupIdPrefix: 'check',
      partitions: [{ topic: 't', partition: 0, fromOffset: '0', untilOffset: '2' }],
    });
    await reader.run({
      eachBatch: async (batch) => void values.push(...batch.messages.map((m) => m.value!.toString())),
    });
    expect(values).toEqual([]);
  });

  it('keeps the partition log append-only with offsets, timestamps and headers', () => {
    const broker = new EmbeddedBroker();
    broker.createTopic({ topic: 't', partitions: 1 });
    const sent = broker.append(
      [{ ...record('t', 'a', 0), headers: { h: Buffer.from('1') } }, record('t', 'b', 0)],
      null,
    );
    expect(sent).toEqual([{ topic: 't', partition: 0, baseOffset: '0' }]);
    const read = broker.log('t', 0).read(1, 10, 'read_uncommitted');
    expect(read.nextOffset).toBe(2);
    expect(read.messages.map((m) => [m.offset, m.value!.toString(), m.timestamp])).toEqual([
      ['1', 'b', 1_000],
    ]);
    expect(broker.log('t', 0).read(0, 1, 'read_committed').messages[0]!.headers['h']!.toString()).toBe('1');
    broker.close();
  });
});
