import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaAdmin } from '../../../src/kafka/index.js';
import { type ContractTarget, eventually, roundRobinAssignor } from './port-contract.js';

/**
 * The admin calls an application reset needs (listing topics, offsets by timestamp, rewriting a
 * stopped group's offsets), on every adapter.
 */
export function adminResetContract(name: string, connect: () => Promise<ContractTarget>): void {
  describe(`Kafka admin port, reset calls: ${name}`, () => {
    let target: ContractTarget;
    let admin: KafkaAdmin;
    const run = randomUUID().slice(0, 8);
    const topic = `contract-reset-${run}`;
    const now = Math.floor(Date.now() / 1000) * 1000;

    beforeAll(async () => {
      target = await connect();
      admin = await target.client.admin();
      await admin.createTopics([{ topic, partitions: 2, replicationFactor: 1 }]);
      const producer = await target.client.producer();
      await producer.send(
        [0, 10, 20].map((dt, i) => ({
          topic,
          partition: 0,
          key: Buffer.from(`k${i}`),
          value: Buffer.from(`v${i}`),
          timestamp: now + dt,
        })),
      );
      await producer.close();
    });

    afterAll(async () => {
      if (admin) {
        await admin.deleteTopics([topic]).catch(() => undefined);
        await admin.close();
      }
      await target?.close();
    });

    it('lists the topics of the cluster without internal ones', async () => {
      const topics = await admin.listTopics();
      expect(topics).toContain(topic);
      expect(topics).not.toContain('__consumer_offsets');
    });

    it('finds the first offset at or after a timestamp, and the end when no record is that recent', async () => {
      const partitions = [
        { topic, partition: 0 },
        { topic, partition: 1 },
      ];
      expect(await admin.offsetsForTimestamp(partitions, now + 5)).toEqual([
        { topic, partition: 0, offset: '1' },
        { topic, partition: 1, offset: '0' },
      ]);
      expect(await admin.offsetsForTimestamp(partitions, now - 60_000)).toEqual([
        { topic, partition: 0, offset: '0' },
        { topic, partition: 1, offset: '0' },
      ]);
      expect(await admin.offsetsForTimestamp(partitions, now + 60_000)).toEqual([
        { topic, partition: 0, offset: '3' },
        { topic, partition: 1, offset: '0' },
      ]);
    });

    it("rewrites an empty group's committed offsets and refuses while the group has a member", async () => {
      const groupId = `contract-reset-group-${run}`;
      await admin.alterCommittedOffsets(groupId, [{ topic, partition: 0, offset: '2' }]);
      expect(await admin.fetchCommittedOffsets(groupId, [{ topic, partition: 0 }])).toEqual([
        { topic, partition: 0, offset: '2' },
      ]);

      const consumer = target.client.consumer({
        groupId,
        topics: [topic],
        assignor: roundRobinAssignor('reset'),
        listener: { onAssigned: () => undefined, onRebalancing: () => undefined },
        sessionTimeoutMs: 6_000,
        heartbeatIntervalMs: 300,
        maxWaitMs: 200,
      });
      try {
        await consumer.run({ eachBatch: async () => undefined });
        await eventually(async () => {
          expect(await admin.describeGroupAssignments(groupId)).toHaveLength(1);
        }, target.eventuallyMs);
        await expect(
          admin.alterCommittedOffsets(groupId, [{ topic, partition: 0, offset: '0' }]),
        ).rejects.toThrow(/member/);
      } finally {
        await consumer.close();
      }
      await eventually(async () => {
        await admin.alterCommittedOffsets(groupId, [{ topic, partition: 0, offset: '0' }]);
      }, target.eventuallyMs);
      expect(await admin.fetchCommittedOffsets(groupId, [{ topic, partition: 0 }])).toEqual([
        { topic, partition: 0, offset: '0' },
      ]);
    });
  });
}
