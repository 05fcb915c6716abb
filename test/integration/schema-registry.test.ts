import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KafkaStreams, Serdes, StreamsBuilder } from '../../src/index.js';
import { createKafkaClient } from '../../src/kafka/index.js';
import { readTopic } from '../support/read-topic.js';
import { type UserV1, type UserV2, userV1, userV2 } from '../support/user-schemas.js';
import { type FakeRegistry, startFakeRegistry } from '../support/schema-registry-server.js';
import { describeWithKafka, kafkaBrokers, uniqueTopic } from './support/kafka.js';
import { quietLogger, testKafkaClient, waitUntil } from './support/word-count-app.js';

const dirs: string[] = [];
const apps: KafkaStreams[] = [];

describeWithKafka('Schema Registry Avro serde in a running app', () => {
  let brokers: string[];
  let registry: FakeRegistry;
  beforeAll(async () => {
    brokers = kafkaBrokers();
    registry = await startFakeRegistry();
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await registry.close();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('reads records written with schema v1 through a v2 reader schema and writes v2 records', async () => {
    const input = uniqueTopic('sr-users');
    const output = uniqueTopic('sr-users-out');
    const kafka = createKafkaClient({ brokers });
    const admin = await kafka.admin();
    await admin.createTopics([
      { topic: input, partitions: 2 },
      { topic: output, partitions: 2 },
    ]);
    await admin.close();

    const writerV1 = Serdes.schemaRegistry.avro<UserV1>({ url: registry.url, schema: userV1 });
    await writerV1.prepare(input);
    const producer = await kafka.producer();
    const now = Date.now();
    await producer.send(
      Array.from({ length: 20 }, (_, i) => ({
        topic: input,
        key: Buffer.from(`u${i}`),
        value: writerV1.serialize({ name: `user${i}`, age: i }, input),
        timestamp: now + i,
      })),
    );
    await producer.close();

    const v2 = Serdes.schemaRegistry.avro<UserV2>({ url: registry.url, schema: userV2 });
    const b = new StreamsBuilder();
    b.stream(input, { key: Serdes.string(), value: v2 })
      .mapValues((u): UserV2 => ({ ...u, email: u.email ?? `${u.name}@example.com` }))
      .to(output, { key: Serdes.string(), value: v2 });
    const stateDir = await mkdtemp(join(tmpdir(), 'trib-sr-'));
    dirs.push(stateDir);
    const app = new KafkaStreams(b.build(), {
      applicationId: uniqueTopic('sr-app'),
      brokers,
      ...testKafkaClient(),
      stateDir,
      commitIntervalMs: 200,
      logger: quietLogger,
    });
    apps.push(app);
    await app.start();
    // start() registered v2 under both subjects before the first record.
    expect(registry.requests).toContain(`POST /subjects/${input}-value/versions`);
    expect(registry.requests).toContain(`POST /subjects/${output}-value/versions`);

    let records: Awaited<ReturnType<typeof readTopic>> = [];
    await waitUntil(
      async () => (records = await readTopic(kafka, output)).length === 20,
      60_000,
      'the 20 output records',
    );
    const reader = Serdes.schemaRegistry.avro<UserV2>({ url: registry.url, schema: userV2 });
    await reader.prepare(output);
    const got = new Map(records.map((r) => [r.key, reader.deserialize(r.value, output)]));
    expect(got.get('u3')).toEqual({ name: 'user3', age: 3, email: 'user3@example.com' });
    expect(got.size).toBe(20);
    // Every output record carries v2's id in the Confluent header.
    const v2Id = v2.serialize({ name: 'x', age: 0, email: null }, output)!.readInt32BE(1);
    expect(new Set(records.map((r) => `${r.value![0]}:${r.value!.readInt32BE(1)}`))).toEqual(
      new Set([`0:${v2Id}`]),
    );
    await kafka.close();
  });

  it('waits for a schema registered after start() instead of failing the record', async () => {
    const input = uniqueTopic('sr-late');
    const output = uniqueTopic('sr-late-out');
    const kafka = createKafkaClient({ brokers });
    const admin = await kafka.admin();
    await admin.createTopics([
      { topic: input, partitions: 1 },
      { topic: output, partitions: 1 },
    ]);
    await admin.close();
    const producer = await kafka.producer();
    const send = async (serde: ReturnType<typeof Serdes.schemaRegistry.avro<UserV2>>, from: number) =>
      producer.send(
        Array.from({ length: 5 }, (_, i) => ({
          topic: input,
          key: Buffer.from(`u${from + i}`),
          value: serde.serialize({ name: `user${from + i}`, age: from + i, email: 'e@x' }, input),
          timestamp: Date.now(),
        })),
      );
    const writerV1 = Serdes.schemaRegistry.avro<UserV2>({ url: registry.url, schema: userV1 });
    await writerV1.prepare(input);
    await send(writerV1, 0);

    // The app knows only v1 when it starts; its deserialization handler is the default logAndFail.
    const b = new StreamsBuilder();
    b.stream(input, {
      key: Serdes.string(),
      value: Serdes.schemaRegistry.avro<UserV1>({ url: registry.url, schema: userV1 }),
    })
      .mapValues((u) => `${u.name}:${u.age}`)
      .to(output, { key: Serdes.string(), value: Serdes.string() });
    const stateDir = await mkdtemp(join(tmpdir(), 'trib-sr-'));
    dirs.push(stateDir);
    const app = new KafkaStreams(b.build(), {
      applicationId: uniqueTopic('sr-late-app'),
      brokers,
      ...testKafkaClient(),
      stateDir,
      commitIntervalMs: 200,
      logger: quietLogger,
    });
    apps.push(app);
    await app.start();
    await waitUntil(async () => (await readTopic(kafka, output)).length === 5, 60_000, 'the v1 records');

    // A producer registers v2 now, after the app started, and writes with it.
    const writerV2 = Serdes.schemaRegistry.avro<UserV2>({ url: registry.url, schema: userV2 });
    await writerV2.prepare(input);
    const v2Id = writerV2.serialize({ name: 'x', age: 0, email: null }, input)!.readInt32BE(1);
    await send(writerV2, 5);
    let records: Awaited<ReturnType<typeof readTopic>> = [];
    await waitUntil(
      async () => (records = await readTopic(kafka, output)).length === 10,
      60_000,
      'all records',
    );
    expect(records.map((r) => r.value?.toString())).toEqual(
      Array.from({ length: 10 }, (_, i) => `user${i}:${i}`),
    );
    expect(registry.requests).toContain(`GET /schemas/ids/${v2Id}`);
    expect(app.state).toBe('RUNNING');
    await producer.close();
    await kafka.close();
  });

  it('fails start() naming the registry and subject when the registry is unreachable', async () => {
    const input = uniqueTopic('sr-down');
    const b = new StreamsBuilder();
    b.stream(input, {
      key: Serdes.string(),
      value: Serdes.schemaRegistry.avro({
        url: 'http://127.0.0.1:1',
        schema: userV1,
        requestTimeoutMs: 2_000,
      }),
    }).to(uniqueTopic('sr-down-out'));
    const stateDir = await mkdtemp(join(tmpdir(), 'trib-sr-'));
    dirs.push(stateDir);
    const app = new KafkaStreams(b.build(), {
      applicationId: uniqueTopic('sr-down-app'),
      brokers,
      ...testKafkaClient(),
      stateDir,
      logger: quietLogger,
      defaultValueSerde: Serdes.string(),
      defaultKeySerde: Serdes.string(),
    });
    apps.push(app);
    await expect(app.start()).rejects.toThrow(
      new RegExp(`Schema Registry at http://127\\.0\\.0\\.1:1 is unreachable .*subject "${input}-value"`),
    );
  });
});
