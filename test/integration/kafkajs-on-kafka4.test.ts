/**
 * What the runtime relies on from kafkajs 2.2.4, proven against a real Kafka 4.1 broker:
 * topic admin, batched produce/consume with manual commits, a custom assigner's userData,
 * transactions (read_committed, abort, sendOffsets) and zombie fencing.
 */
import {
  type Admin,
  AssignerProtocol,
  type Consumer,
  ConfigResourceTypes,
  type EachBatchPayload,
  type Kafka,
  type PartitionAssigner,
} from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTopic, describeWithKafka, testKafka, uniqueTopic } from './support/kafka.js';

const WAIT_MS = 30_000;

describeWithKafka('kafkajs 2.2.4 on Kafka 4.1', () => {
  let kafka: Kafka;
  let admin: Admin;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    kafka = testKafka('kafkajs-on-kafka4');
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await Promise.all(consumers.map((consumer) => consumer.disconnect().catch(() => undefined)));
    await admin?.disconnect();
  });

  function consumer(groupId: string, options: Partial<Parameters<Kafka['consumer']>[0]> = {}): Consumer {
    const created = kafka.consumer({ groupId, heartbeatInterval: 500, sessionTimeout: 10_000, ...options });
    consumers.push(created);
    return created;
  }

  /** Reads `topic` from the beginning in a fresh group until `until` holds for the values read. */
  async function readValues(
    topic: string,
    options: { readUncommitted: boolean },
    until: (values: string[]) => boolean,
  ): Promise<string[]> {
    const reader = consumer(uniqueTopic('reader'), options);
    await reader.connect();
    await reader.subscribe({ topic, fromBeginning: true });
    const values: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read only ${JSON.stringify(values)}`)), WAIT_MS);
      void reader.run({
        eachMessage: async ({ message }) => {
          values.push(message.value!.toString());
          if (until(values)) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await reader.disconnect();
    return values;
  }

  it('creates topics with partitions and configs, visible through describeConfigs', async () => {
    const compacted = await createTopic(admin, uniqueTopic('changelog'), 3, { 'cleanup.policy': 'compact' });
    const windowed = await createTopic(admin, uniqueTopic('window-changelog'), 2, {
      'cleanup.policy': 'compact,delete',
      'retention.ms': '86400000',
    });

    const metadata = await admin.fetchTopicMetadata({ topics: [compacted, windowed] });
    const partitionCounts = Object.fromEntries(metadata.topics.map((t) => [t.name, t.partitions.length]));
    expect(partitionCounts).toEqual({ [compacted]: 3, [windowed]: 2 });
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: compacted, configNames: ['cleanup.policy'] },
        { type: ConfigResourceTypes.TOPIC, name: windowed, configNames: ['cleanup.policy', 'retention.ms'] },
      ],
    });
    const configsOf = (name: string) =>
      Object.fromEntries(
        described.resources
          .find((resource) => resource.resourceName === name)!
          .configEntries.map((entry) => [entry.configName, entry.configValue]),
      );
    expect(configsOf(compacted)).toEqual({ 'cleanup.policy': 'compact' });
    expect(configsOf(windowed)).toEqual({ 'cleanup.policy': 'compact,delete', 'retention.ms': '86400000' });
  });

  it('produces with sendBatch, consumes with eachBatch and commits offsets manually', async () => {
    const topic = await createTopic(admin, uniqueTopic('batches'), 3);
    const groupId = uniqueTopic('batch-group');
    const producer = kafka.producer();
    await producer.connect();
    const messages = Array.from({ length: 30 }, (_, index) => ({ key: `k${index}`, value: `v${index}` }));
    const acks = await producer.sendBatch({ topicMessages: [{ topic, messages }] });
    await producer.disconnect();
    expect(acks.map((ack) => ack.partition).sort()).toEqual([0, 1, 2]);

    const reader = consumer(groupId);
    await reader.connect();
    await reader.subscribe({ topic, fromBeginning: true });
    const seen: string[] = [];
    await new Promise<void>((resolve) => {
      void reader.run({
        autoCommit: false,
        eachBatch: async ({ batch }: EachBatchPayload) => {
          seen.push(...batch.messages.map((message) => message.value!.toString()));
          const next = (BigInt(batch.lastOffset()) + 1n).toString();
          await reader.commitOffsets([{ topic, partition: batch.partition, offset: next }]);
          if (seen.length === messages.length) resolve();
        },
      });
    });
    await reader.disconnect();

    expect(seen.sort()).toEqual(messages.map((message) => message.value).sort());
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committedByPartition = Object.fromEntries(
      committed!.partitions.map((p) => [p.partition, p.offset]),
    );
    expect(committedByPartition).toEqual(Object.fromEntries(ends.map((end) => [end.partition, end.high])));
  });

  it('runs a custom assigner whose metadata and assignment userData round-trip', async () => {
    const topic = await createTopic(admin, uniqueTopic('assigned'), 4);
    const groupId = uniqueTopic('assigner-group');
    const userDataSeenByLeader: string[][] = [];

    const taskAssigner =
      (instance: string): PartitionAssigner =>
      ({ cluster }) => ({
        name: 'tributary-test',
        version: 1,
        protocol: ({ topics }) => ({
          name: 'tributary-test',
          metadata: AssignerProtocol.MemberMetadata.encode({
            version: 1,
            topics,
            userData: Buffer.from(JSON.stringify({ instance })),
          }),
        }),
        assign: async ({ members, topics }) => {
          const instances = members.map(
            (member) =>
              JSON.parse(AssignerProtocol.MemberMetadata.decode(member.memberMetadata)!.userData.toString())
                .instance as string,
          );
          userDataSeenByLeader.push(instances.sort());
          const partitions = topics.flatMap((name) =>
            cluster.findTopicPartitionMetadata(name).map((p) => ({ topic: name, partition: p.partitionId })),
          );
          return members.map((member, index) => {
            const mine = partitions.filter((_, position) => position % members.length === index);
            const assignment: Record<string, number[]> = {};
            for (const { topic: name, partition } of mine) (assignment[name] ??= []).push(partition);
            return {
              memberId: member.memberId,
              memberAssignment: AssignerProtocol.MemberAssignment.encode({
                version: 1,
                assignment,
                userData: Buffer.from(JSON.stringify({ memberId: member.memberId, tasks: mine.length })),
              }),
            };
          });
        },
      });

    const joinedAssignments = new Map<string, Record<string, number[]>>();
    for (const instance of ['a', 'b']) {
      const member = consumer(groupId, { partitionAssigners: [taskAssigner(instance)] });
      member.on(member.events.GROUP_JOIN, ({ payload }) => {
        joinedAssignments.set(instance, payload.memberAssignment);
      });
      await member.connect();
      await member.subscribe({ topic, fromBeginning: true });
      await member.run({ eachMessage: async () => undefined });
    }
    await expect.poll(() => userDataSeenByLeader.at(-1), { timeout: WAIT_MS }).toEqual(['a', 'b']);
    await expect
      .poll(() => [...joinedAssignments.values()].map((a) => a[topic]?.length ?? 0), { timeout: WAIT_MS })
      .toEqual([2, 2]);

    const [group] = (await admin.describeGroups([groupId])).groups;
    expect(group!.protocol).toBe('tributary-test');
    const decoded = group!.members.map((member) => ({
      memberId: member.memberId,
      assignment: AssignerProtocol.MemberAssignment.decode(member.memberAssignment)!,
    }));
    expect(decoded).toHaveLength(2);
    for (const { memberId, assignment } of decoded) {
      expect(JSON.parse(assignment.userData.toString())).toEqual({ memberId, tasks: 2 });
      expect(assignment.assignment[topic]).toHaveLength(2);
    }
  });

  it('commits transactions with sendOffsets for read_committed readers and hides aborted ones', async () => {
    const input = await createTopic(admin, uniqueTopic('tx-in'), 1);
    const output = await createTopic(admin, uniqueTopic('tx-out'), 1);
    const groupId = uniqueTopic('tx-group');
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      transactionalId: uniqueTopic('tx'),
    });
    await producer.connect();

    const committed = await producer.transaction();
    await committed.send({ topic: output, messages: [{ value: 'committed-1' }, { value: 'committed-2' }] });
    await committed.sendOffsets({
      consumerGroupId: groupId,
      topics: [{ topic: input, partitions: [{ partition: 0, offset: '3' }] }],
    });
    await committed.commit();

    const aborted = await producer.transaction();
    await aborted.send({ topic: output, messages: [{ value: 'aborted-1' }] });
    await aborted.abort();

    const last = await producer.transaction();
    await last.send({ topic: output, messages: [{ value: 'committed-3' }] });
    await last.commit();
    await producer.disconnect();

    const readCommitted = await readValues(output, { readUncommitted: false }, (values) =>
      values.includes('committed-3'),
    );
    expect(readCommitted).toEqual(['committed-1', 'committed-2', 'committed-3']);
    const readUncommitted = await readValues(output, { readUncommitted: true }, (values) =>
      values.includes('committed-3'),
    );
    expect(readUncommitted).toEqual(['committed-1', 'committed-2', 'aborted-1', 'committed-3']);

    const [offsets] = await admin.fetchOffsets({ groupId, topics: [input] });
    expect(offsets!.partitions).toEqual([expect.objectContaining({ partition: 0, offset: '3' })]);
  });

  it("fences a zombie producer at the successor's first transaction(), not at its connect()", async () => {
    const output = await createTopic(admin, uniqueTopic('fenced-out'), 1);
    const transactionalId = uniqueTopic('zombie');
    const options = { idempotent: true, maxInFlightRequests: 1, transactionalId, retry: { retries: 2 } };
    const outcome = (work: Promise<unknown>) =>
      work.then(
        () => 'ok',
        (error: { name: string; type?: string }) => `${error.name}/${error.type}`,
      );
    const zombie = kafka.producer(options);
    await zombie.connect();
    const zombieTransaction = await zombie.transaction();
    await zombieTransaction.send({ topic: output, messages: [{ value: 'zombie-1' }] });

    // kafkajs initializes the transactional producer id lazily, in the first transaction().
    const successor = kafka.producer(options);
    await successor.connect();
    expect(await outcome(zombieTransaction.send({ topic: output, messages: [{ value: 'zombie-2' }] }))).toBe(
      'ok',
    );

    const transaction = await successor.transaction();
    const fenced = 'KafkaJSProtocolError/INVALID_PRODUCER_EPOCH';
    expect(await outcome(zombieTransaction.send({ topic: output, messages: [{ value: 'zombie-3' }] }))).toBe(
      fenced,
    );
    expect(await outcome(zombieTransaction.commit())).toBe(fenced);
    await zombie.disconnect();

    await transaction.send({ topic: output, messages: [{ value: 'successor' }] });
    await transaction.commit();
    await successor.disconnect();
    const values = await readValues(output, { readUncommitted: false }, (read) => read.includes('successor'));
    expect(values).toEqual(['successor']);
  });
});
