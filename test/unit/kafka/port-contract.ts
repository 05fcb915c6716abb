import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FencedError, partitionForKey } from '../../../src/kafka/index.js';
import type {
  ConsumedBatch,
  ConsumedMessage,
  GroupConsumer,
  GroupConsumerOptions,
  KafkaAdmin,
  KafkaClient,
  PartitionAssignor,
  TopicPartitions,
} from '../../../src/kafka/index.js';

/** What a contract run needs: a client, and how long group operations may take on it. */
export interface ContractTarget {
  client: KafkaClient;
  /** Upper bound for one rebalance or delivery to be observed. */
  eventuallyMs: number;
  close(): Promise<void>;
}

/** Polls `probe` until it stops throwing, or rethrows its last error after `timeoutMs`. */
export async function eventually<T>(probe: () => T | Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Round-robin per topic over members sorted by id; tells each member what userData it saw. */
export function roundRobinAssignor(tag: string): PartitionAssignor {
  return {
    name: 'contract-round-robin',
    version: 1,
    userData: () => Buffer.from(tag),
    async assign({ members, topicPartitions }) {
      const ids = members.map((m) => m.memberId).sort();
      const seen = members.map((m) => m.userData.toString()).sort();
      const result: Record<string, { assignment: TopicPartitions; userData: Buffer }> = {};
      for (const id of ids)
        result[id] = { assignment: {}, userData: Buffer.from(JSON.stringify({ for: id, seen })) };
      for (const [topic, count] of Object.entries(topicPartitions)) {
        for (let partition = 0; partition < count; partition++) {
          const owner = result[ids[partition % ids.length]!]!;
          (owner.assignment[topic] ??= []).push(partition);
        }
      }
      return result;
    },
  };
}

/** A consumer that records what it is told and what it receives. */
interface Probe {
  consumer: GroupConsumer;
  assignments: { assignment: TopicPartitions; userData: Buffer }[];
  rebalances: number;
  messages: (ConsumedMessage & { topic: string; partition: number })[];
  crash: Error | undefined;
  latest(): { assignment: TopicPartitions; userData: Buffer };
}

function probeConsumer(client: KafkaClient, options: Omit<GroupConsumerOptions, 'listener'>): Probe {
  const probe: Probe = {
    consumer: undefined as unknown as GroupConsumer,
    assignments: [],
    rebalances: 0,
    messages: [],
    crash: undefined,
    latest() {
      const last = probe.assignments.at(-1);
      if (!last) throw new Error('no assignment yet');
      return last;
    },
  };
  probe.consumer = client.consumer({
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 300,
    rebalanceTimeoutMs: 6_000,
    maxWaitMs: 200,
    ...options,
    listener: {
      onAssigned: (assignment, userData) => void probe.assignments.push({ assignment, userData }),
      onRebalancing: () => void probe.rebalances++,
    },
  });
  return probe;
}

async function runProbe(probe: Probe): Promise<void> {
  await probe.consumer.run({
    eachBatch: async (batch: ConsumedBatch) => {
      for (const message of batch.messages)
        probe.messages.push({ ...message, topic: batch.topic, partition: batch.partition });
    },
    onCrash: (error) => {
      probe.crash = error;
    },
  });
}

/** Recent, so a real broker's time-based retention keeps the records; whole seconds, to compare exactly. */
const TIMESTAMP = Math.floor(Date.now() / 1000) * 1000;

const record = (topic: string, key: string, value: string, partition?: number) => ({
  topic,
  key: Buffer.from(key),
  value: Buffer.from(value),
  timestamp: TIMESTAMP,
  ...(partition === undefined ? {} : { partition }),
});

const partitionsOf = (assignment: TopicPartitions, topic: string): number[] =>
  [...(assignment[topic] ?? [])].sort();

/**
 * The behaviour every `KafkaClient` adapter must have. Topic and group names are unique per run so
 * the suite can share a real broker with other tests.
 */
export function kafkaPortContract(name: string, connect: () => Promise<ContractTarget>): void {
  describe(`Kafka client port contract: ${name}`, () => {
    let target: ContractTarget;
    let admin: KafkaAdmin;
    const run = randomUUID().slice(0, 8);
    const unique = (base: string): string => `contract-${base}-${run}`;
    const closers: (() => Promise<void>)[] = [];
    const createdTopics: string[] = [];

    async function createTopic(base: string, partitions: number): Promise<string> {
      const topic = unique(base);
      await admin.createTopics([{ topic, partitions, replicationFactor: 1 }]);
      createdTopics.push(topic);
      return topic;
    }

    function track(probe: Probe): Probe {
      closers.push(() => probe.consumer.close());
      return probe;
    }

    beforeAll(async () => {
      target = await connect();
      admin = await target.client.admin();
    });

    afterAll(async () => {
      for (const close of closers.reverse()) await close().catch(() => undefined);
      if (admin) {
        await admin.deleteTopics(createdTopics).catch(() => undefined);
        await admin.close();
      }
      await target?.close();
    });

    it('creates topics idempotently and reports the existing partition count', async () => {
      const topic = unique('create');
      createdTopics.push(topic);
      const [first] = await admin.createTopics([
        { topic, partitions: 3, configs: { 'cleanup.policy': 'compact' } },
      ]);
      const [second] = await admin.createTopics([{ topic, partitions: 5 }]);
      expect(first).toEqual({ topic, created: true, partitions: 3 });
      expect(second).toEqual({ topic, created: false, partitions: 3 });
      expect(await admin.describeTopics([topic, unique('missing')])).toEqual({ [topic]: 3 });
    });

    it('produces to the Java-compatible partition of a key and reports offsets', async () => {
      const topic = await createTopic('partitioner', 6);
      const producer = await target.client.producer();
      closers.push(() => producer.close());
      const keys = ['a', 'alice', 'bob', '21', 'foobar'];
      const sent = await producer.send(keys.map((key) => record(topic, key, `v-${key}`)));
      const expectedPartitions = [...new Set(keys.map((key) => partitionForKey(Buffer.from(key), 6)))].sort();
      expect(sent.map((s) => s.partition).sort()).toEqual(expectedPartitions);
      const offsets = await admin.listOffsets(expectedPartitions.map((partition) => ({ topic, partition })));
      for (const { partition, begin, end } of offsets) {
        const count = keys.filter((key) => partitionForKey(Buffer.from(key), 6) === partition).length;
        expect({ partition, begin, end }).toEqual({ partition, begin: '0', end: String(count) });
      }
    });

    it('delivers batches with key, value, timestamp and headers, and resumes from committed offsets', async () => {
      const topic = await createTopic('consume', 2);
      const groupId = unique('consume-group');
      const producer = await target.client.producer();
      closers.push(() => producer.close());
      await producer.send([
        { ...record(topic, 'k0', 'first', 0), headers: { trace: Buffer.from('t-1') } },
        record(topic, 'k1', 'second', 0),
        record(topic, 'k2', 'third', 1),
      ]);
      const first = track(
        probeConsumer(target.client, { groupId, topics: [topic], assignor: roundRobinAssignor('one') }),
      );
      await runProbe(first);
      await eventually(() => expect(first.messages).toHaveLength(3), target.eventuallyMs);
      const head = first.messages.find((m) => m.value?.toString() === 'first')!;
      expect(head).toMatchObject({ partition: 0, offset: '0', timestamp: TIMESTAMP });
      expect(head.key?.toString()).toBe('k0');
      expect(head.headers['trace']?.toString()).toBe('t-1');

      await first.consumer.commitOffsets([{ topic, partition: 0, offset: '1' }]);
      expect(
        await admin.fetchCommittedOffsets(groupId, [
          { topic, partition: 0 },
          { topic, partition: 1 },
        ]),
      ).toEqual([
        { topic, partition: 0, offset: '1' },
        { topic, partition: 1, offset: null },
      ]);
      await first.consumer.close();

      const second = track(
        probeConsumer(target.client, { groupId, topics: [topic], assignor: roundRobinAssignor('two') }),
      );
      await runProbe(second);
      await eventually(
        () => expect(second.messages.map((m) => m.value?.toString()).sort()).toEqual(['second', 'third']),
        target.eventuallyMs,
      );
    });

    it('seeks an assigned partition: the next fetch starts at the offset given', async () => {
      const topic = await createTopic('seek', 1);
      const producer = await target.client.producer();
      closers.push(() => producer.close());
      await producer.send(Array.from({ length: 5 }, (_, i) => record(topic, `k${i}`, `v${i}`, 0)));
      const probe = track(
        probeConsumer(target.client, {
          groupId: unique('seek-group'),
          topics: [topic],
          assignor: roundRobinAssignor('seeker'),
        }),
      );
      await runProbe(probe);
      await eventually(() => expect(probe.messages).toHaveLength(5), target.eventuallyMs);
      probe.consumer.seek([
        { topic, partition: 0, offset: '2' },
        { topic: unique('not-assigned'), partition: 0, offset: '0' },
      ]);
      await eventually(() => expect(probe.messages).toHaveLength(8), target.eventuallyMs);
      expect(probe.messages.slice(5).map((m) => m.offset)).toEqual(['2', '3', '4']);
    });

    it('deletes records before an offset: the log start moves and a new group reads from it', async () => {
      const topic = await createTopic('delete-records', 2);
      const producer = await target.client.producer();
      closers.push(() => producer.close());
      await producer.send(Array.from({ length: 6 }, (_, i) => record(topic, `k${i}`, `v${i}`, 0)));
      await producer.send([record(topic, 'other', 'kept', 1)]);
      await admin.deleteRecords([{ topic, partition: 0, offset: '4' }]);
      expect(
        await admin.listOffsets([
          { topic, partition: 0 },
          { topic, partition: 1 },
        ]),
      ).toEqual([
        { topic, partition: 0, begin: '4', end: '6' },
        { topic, partition: 1, begin: '0', end: '1' },
      ]);
      const reader = track(
        probeConsumer(target.client, {
          groupId: unique('delete-records-group'),
          topics: [topic],
          assignor: roundRobinAssignor('one'),
        }),
      );
      await runProbe(reader);
      await eventually(
        () =>
          expect(reader.messages.map((m) => `${m.partition}@${m.offset}:${m.value}`).sort()).toEqual([
            '0@4:v4',
            '0@5:v5',
            '1@0:kept',
          ]),
        target.eventuallyMs,
      );
    });

    it('rebalances two members with the pluggable assignor and round-trips userData to leader and follower', async () => {
      const topic = await createTopic('rebalance', 4);
      const groupId = unique('rebalance-group');
      const a = track(
        probeConsumer(target.client, { groupId, topics: [topic], assignor: roundRobinAssignor('A') }),
      );
      await runProbe(a);
      await eventually(
        () => expect(partitionsOf(a.latest().assignment, topic)).toEqual([0, 1, 2, 3]),
        target.eventuallyMs,
      );

      const b = track(
        probeConsumer(target.client, { groupId, topics: [topic], assignor: roundRobinAssignor('B') }),
      );
      await runProbe(b);
      await eventually(() => {
        expect(partitionsOf(a.latest().assignment, topic)).toHaveLength(2);
        expect(partitionsOf(b.latest().assignment, topic)).toHaveLength(2);
      }, target.eventuallyMs);
      expect(a.rebalances).toBeGreaterThanOrEqual(1);
      expect(
        [...partitionsOf(a.latest().assignment, topic), ...partitionsOf(b.latest().assignment, topic)].sort(),
      ).toEqual([0, 1, 2, 3]);
      for (const probe of [a, b]) {
        expect(JSON.parse(probe.latest().userData.toString())).toEqual({
          for: probe.consumer.memberId,
          seen: ['A', 'B'],
        });
      }
      const described = await admin.describeGroupAssignments(groupId);
      expect(described.map((m) => m.memberId).sort()).toEqual(
        [a.consumer.memberId, b.consumer.memberId].sort(),
      );

      const producer = await target.client.producer();
      closers.push(() => producer.close());
      await producer.send(
        [0, 1, 2, 3].map((partition) => record(topic, `k${partition}`, `p${partition}`, partition)),
      );
      await eventually(() => expect(a.messages.length + b.messages.length).toBe(4), target.eventuallyMs);
      for (const probe of [a, b]) {
        const owned = partitionsOf(probe.latest().assignment, topic);
        expect(probe.messages.every((m) => owned.includes(m.partition))).toBe(true);
      }

      await b.consumer.close();
      await eventually(
        () => expect(partitionsOf(a.latest().assignment, topic)).toEqual([0, 1, 2, 3]),
        target.eventuallyMs,
      );
      expect(a.crash).toBeUndefined();
    });

    it('hides open and aborted transactions from read_committed readers and commits offsets with the records', async () => {
      const topic = await createTopic('transactions', 1);
      const groupId = unique('tx-group');
      const producer = await target.client.transactionalProducer({ transactionalId: unique('tx') });
      closers.push(() => producer.close());

      const committed = await producer.beginTransaction();
      await committed.send([record(topic, 'k', 'committed')]);
      await committed.sendOffsets({
        consumerGroupId: groupId,
        offsets: [{ topic, partition: 0, offset: '7' }],
      });
      await committed.commit();

      const aborted = await producer.beginTransaction();
      await aborted.send([record(topic, 'k', 'aborted')]);
      await aborted.sendOffsets({
        consumerGroupId: groupId,
        offsets: [{ topic, partition: 0, offset: '9' }],
      });
      await aborted.abort();

      const open = await producer.beginTransaction();
      await open.send([record(topic, 'k', 'pending')]);
      const [whileOpen] = await admin.listOffsets([{ topic, partition: 0 }]);

      const readCommitted = track(
        probeConsumer(target.client, {
          groupId: unique('rc'),
          topics: [topic],
          assignor: roundRobinAssignor('rc'),
          isolation: 'read_committed',
        }),
      );
      const readUncommitted = track(
        probeConsumer(target.client, {
          groupId: unique('ru'),
          topics: [topic],
          assignor: roundRobinAssignor('ru'),
          isolation: 'read_uncommitted',
        }),
      );
      await runProbe(readCommitted);
      await runProbe(readUncommitted);
      await eventually(
        () =>
          expect(readUncommitted.messages.map((m) => m.value?.toString())).toEqual([
            'committed',
            'aborted',
            'pending',
          ]),
        target.eventuallyMs,
      );
      expect(readCommitted.messages.map((m) => m.value?.toString())).toEqual(['committed']);
      await open.commit();
      await eventually(
        () =>
          expect(readCommitted.messages.map((m) => m.value?.toString())).toEqual(['committed', 'pending']),
        target.eventuallyMs,
      );

      const [afterCommit] = await admin.listOffsets([{ topic, partition: 0 }]);
      expect(Number(whileOpen!.end)).toBeLessThan(Number(afterCommit!.end));
      expect(await admin.fetchCommittedOffsets(groupId, [{ topic, partition: 0 }])).toEqual([
        { topic, partition: 0, offset: '7' },
      ]);
    });

    it('fences the older producer when a newer one with the same transactionalId starts', async () => {
      const topic = await createTopic('fencing', 1);
      const transactionalId = unique('fenced');
      const zombie = await target.client.transactionalProducer({ transactionalId });
      closers.push(() => zombie.close());
      const zombieTx = await zombie.beginTransaction();
      await zombieTx.send([record(topic, 'k', 'zombie')]);

      const successor = await target.client.transactionalProducer({ transactionalId });
      closers.push(() => successor.close());
      await expect(zombieTx.commit()).rejects.toBeInstanceOf(FencedError);

      const tx = await successor.beginTransaction();
      await tx.send([record(topic, 'k', 'successor')]);
      await tx.commit();

      // commit() returns before the coordinator has written the markers that move the last
      // stable offset, so read until the committed record is visible.
      await eventually(async () => {
        const values: string[] = [];
        const [end] = await admin.listOffsets([{ topic, partition: 0 }]);
        const check = target.client.partitionReader({
          groupIdPrefix: unique('fence-read'),
          partitions: [{ topic, partition: 0, fromOffset: '0', untilOffset: end!.end }],
        });
        await check.run({
          eachBatch: async (batch) => void values.push(...batch.messages.map((m) => m.value!.toString())),
        });
        await check.close();
        expect(values).toEqual(['successor']);
      }, target.eventuallyMs);
    });

    it('reads given partitions from given offsets up to a target without joining the group', async () => {
      const topic = await createTopic('reader', 2);
      const producer = await target.client.producer();
      closers.push(() => producer.close());
      await producer.send(
        [0, 1, 2, 3, 4].flatMap((i) => [
          record(topic, `a${i}`, `p0-${i}`, 0),
          record(topic, `b${i}`, `p1-${i}`, 1),
        ]),
      );
      const offsets = await admin.listOffsets([
        { topic, partition: 0 },
        { topic, partition: 1 },
      ]);
      const seen: string[] = [];
      const progress: string[] = [];
      const reader = target.client.partitionReader({
        groupIdPrefix: unique('restore'),
        partitions: [
          { topic, partition: 0, fromOffset: '2', untilOffset: offsets[0]!.end },
          { topic, partition: 1, fromOffset: '0', untilOffset: '3' },
        ],
      });
      await reader.run({
        eachBatch: async (batch) => void seen.push(...batch.messages.map((m) => m.value!.toString())),
        onProgress: (p) => void progress.push(`${p.partition}@${p.position}`),
      });
      await reader.close();
      expect(seen.filter((v) => v.startsWith('p0-'))).toEqual(['p0-2', 'p0-3', 'p0-4']);
      expect(seen.filter((v) => v.startsWith('p1-'))).toEqual(['p1-0', 'p1-1', 'p1-2']);
      expect(progress).toContain('0@5');
    });
  });
}
