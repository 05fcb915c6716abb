import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, DeserializationError } from '../../../src/errors.js';
import {
  type AvroSchema,
  SchemaRegistryError,
  SerializationError,
  Serdes,
} from '../../../src/serde/index.js';
import { frame } from '../../../src/serde/schema-registry/wire-format.js';
import { TopologyTestDriver } from '../../../src/testing/index.js';
import { StreamsBuilder } from '../../../src/index.js';
import { userV1, userV2 } from '../../support/user-schemas.js';
import { type FakeRegistry, startFakeRegistry } from '../../support/schema-registry-server.js';

const notAUser: AvroSchema = { type: 'record', name: 'User', fields: [{ name: 'name', type: 'int' }] };

let registry: FakeRegistry;
let topicNo = 0;
const freshTopic = (): string => `users-${++topicNo}`;

beforeAll(async () => {
  registry = await startFakeRegistry();
});
afterAll(async () => {
  await registry.close();
});
afterEach(() => {
  registry.requests.length = 0;
});

describe('Confluent wire format', () => {
  it('frames a payload as magic byte 0, the id as a 4-byte big-endian int, then the payload', () => {
    expect(frame(1, Buffer.from([0xaa])).toString('hex')).toBe('0000000001aa');
    expect(frame(0x01020304, Buffer.alloc(0)).toString('hex')).toBe('0001020304');
    expect(frame(2_147_483_647, Buffer.from('x')).toString('hex')).toBe('007fffffff78');
  });

  it('writes a record byte for byte: header with the registered id, then Avro binary', async () => {
    const serde = Serdes.schemaRegistry.avro<{ name: string; age: number }>({
      url: registry.url,
      schema: userV1,
    });
    const topic = freshTopic();
    await serde.prepare(topic);
    const id = serde.serialize({ name: 'A', age: 1 }, topic)!.readInt32BE(1);
    // "A": zigzag length 1 = 02, then 41; age 1: zigzag 02.
    const expected = Buffer.concat([
      Buffer.from([0]),
      Buffer.from([0, 0, 0, id]),
      Buffer.from('024102', 'hex'),
    ]);
    expect(serde.serialize({ name: 'A', age: 1 }, topic)).toEqual(expected);
    expect(serde.deserialize(expected, topic)).toEqual({ name: 'A', age: 1 });
    // Hand-built bytes with age -2 (zigzag 03) read as written.
    expect(serde.deserialize(Buffer.from([0, 0, 0, 0, id, 0x02, 0x42, 0x03]), topic)).toEqual({
      name: 'B',
      age: -2,
    });
  });

  it('maps null to null without any registry call', () => {
    const serde = Serdes.schemaRegistry.avro({ url: registry.url, schema: userV1 });
    expect(serde.serialize(null, 't')).toBeNull();
    expect(serde.deserialize(null, 't')).toBeNull();
    expect(registry.requests).toEqual([]);
  });
});

describe('subjects', () => {
  it('registers under <topic>-value, <topic>-key with isKey, or the fixed subject', async () => {
    const topic = freshTopic();
    await Serdes.schemaRegistry.avro({ url: registry.url, schema: userV1 }).prepare(topic);
    await Serdes.schemaRegistry.avro({ url: registry.url, schema: 'string', isKey: true }).prepare(topic);
    const fixed = Serdes.schemaRegistry.avro({ url: registry.url, schema: userV1, subject: 'people' });
    await fixed.prepare(topic);
    expect(registry.requests).toContain(`POST /subjects/${topic}-value/versions`);
    expect(registry.requests).toContain(`POST /subjects/${topic}-key/versions`);
    expect(registry.requests).toContain('POST /subjects/people/versions');
    expect(fixed.subjectFor('anything')).toBe('people');
  });

  it('with autoRegister false only looks the schema up, and names the subject when it is missing', async () => {
    const topic = freshTopic();
    const serde = Serdes.schemaRegistry.avro({ url: registry.url, schema: userV1, autoRegister: false });
    await expect(serde.prepare(topic)).rejects.toThrow(
      new RegExp(`cannot find the schema under subject "${topic}-value".*HTTP 404`),
    );
    await Serdes.schemaRegistry.avro({ url: registry.url, schema: userV1 }).prepare(topic);
    registry.requests.length = 0;
    await serde.prepare(topic);
    expect(registry.requests[0]).toBe(`POST /subjects/${topic}-value`);
    expect(serde.deserialize(serde.serialize({ name: 'x', age: 2 }, topic), topic)).toEqual({
      name: 'x',
      age: 2,
    });
  });

  it('without a schema writes with the latest registered version and reads with the writer schema', async () => {
    const topic = freshTopic();
    await Serdes.schemaRegistry.avro({ url: registry.url, schema: userV1 }).prepare(topic);
    const generic = Serdes.schemaRegistry.avro({ url: registry.url });
    await generic.prepare(topic);
    expect(generic.deserialize(generic.serialize({ name: 'g', age: 3 }, topic), topic)).toEqual({
      name: 'g',
      age: 3,
    });
  });
  it('writes to a topic it was not prepared for (a changelog) with the same id and registers that subject meanwhile', async () => {
    const topic = freshTopic();
    const serde = Serdes.schemaRegistry.avro({ url: registry.url, schema: userV1 });
    await serde.prepare(topic);
    const id = serde.serialize({ name: 'a', age: 1 }, topic)!.readInt32BE(1);
    const changelog = `app-${topic}-store-changelog`;
    expect(serde.serialize({ name: 'a', age: 1 }, changelog)!.readInt32BE(1)).toBe(id);
    await expect.poll(() => registry.requests).toContain(`POST /subjects/${changelog}-value/versions`);
  });
});

describe('schema evolution', () => {
  it('reads v1 records with a v2 reader schema, filling the defaulted new field, and v2 records with v1', async () => {
    const topic = freshTopic();
    const v1 = Serdes.schemaRegistry.avro({ url: registry.url, schema: userV1 });
    const v2 = Serdes.schemaRegistry.avro({ url: registry.url, schema: userV2 });
    await v1.prepare(topic);
    const oldBytes = v1.serialize({ name: 'Ada', age: 36 }, topic);
    await v2.prepare(topic);
    const newBytes = v2.serialize({ name: 'Bob', age: 7, email: 'b@x' }, topic)!;
    expect(newBytes.readInt32BE(1)).not.toBe(oldBytes!.readInt32BE(1));
    expect(v2.deserialize(oldBytes, topic)).toEqual({ name: 'Ada', age: 36, email: null });
    // A v1 reader that started before v2 existed fetches the new id on first sight.
    expect(() => v1.deserialize(newBytes, topic)).toThrow(
      /does not know schema id \d+ \(subject "users-\d+-value"/,
    );
    await expect
      .poll(() => {
        try {
          return v1.deserialize(newBytes, topic);
        } catch {
          return undefined;
        }
      })
      .toEqual({ name: 'Bob', age: 7 });
  });

  it('rejects an incompatible schema at prepare, naming the subject', async () => {
    const topic = freshTopic();
    await Serdes.schemaRegistry.avro({ url: registry.url, schema: userV1 }).prepare(topic);
    const bad = Serdes.schemaRegistry.avro({ url: registry.url, schema: notAUser });
    const error = await bad.prepare(topic).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaRegistryError);
    expect((error as SchemaRegistryError).message).toMatch(
      new RegExp(`subject "${topic}-value" \\(incompatible with the versions registered there\\)`),
    );
    expect((error as SchemaRegistryError).status).toBe(409);
  });

  it('names the id and subject when a writer schema cannot be read with the reader schema', async () => {
    const topic = freshTopic();
    const other = Serdes.schemaRegistry.avro({ url: registry.url, schema: notAUser, subject: 'elsewhere' });
    await other.prepare(topic);
    const bytes = other.serialize({ name: 5 }, topic)!;
    const id = bytes.readInt32BE(1);
    const reader = Serdes.schemaRegistry.avro({ url: registry.url, schema: userV1 });
    await reader.prepare(topic);
    await expect
      .poll(() => {
        try {
          reader.deserialize(bytes, topic);
          return 'decoded';
        } catch (e) {
          return (e as Error).message;
        }
      })
      .toMatch(
        new RegExp(`schema id ${id} of subject "${topic}-value" cannot be read with this serde's schema`),
      );
  });
});

describe('errors', () => {
  it('names the subject on a wrong magic byte or a short payload', async () => {
    const serde = Serdes.schemaRegistry.avro({ url: registry.url, schema: userV1 });
    expect(() => serde.deserialize(Buffer.from('0241', 'hex'), 'orders')).toThrow(DeserializationError);
    expect(() => serde.deserialize(Buffer.from([1, 0, 0, 0, 1, 2]), 'orders')).toThrow(
      /subject "orders-value".*magic byte is 1, expected 0/,
    );
    expect(() => serde.deserialize(Buffer.alloc(0), 'orders')).toThrow(/empty payload/);
  });

  it('names the subject when serializing before prepare', () => {
    const serde = Serdes.schemaRegistry.avro({ url: registry.url, schema: userV1 });
    expect(() => serde.serialize({ name: 'a', age: 1 }, 'orders')).toThrow(SerializationError);
    expect(() => serde.serialize({ name: 'a', age: 1 }, 'orders')).toThrow(
      /no schema id for subject "orders-value": call `await serde.prepare\("orders"\)`/,
    );
  });

  it('names the subject and schema id when a value does not match the schema', async () => {
    const serde = Serdes.schemaRegistry.avro({ url: registry.url, schema: userV1 });
    const topic = freshTopic();
    await serde.prepare(topic);
    expect(() => serde.serialize({ name: 1, age: 1 } as never, topic)).toThrow(
      new RegExp(`for subject "${topic}-value" \\(schema id \\d+\\)`),
    );
  });

  it('names the registry URL and subject when the registry is unreachable', async () => {
    const serde = Serdes.schemaRegistry.avro({
      url: 'http://127.0.0.1:1',
      schema: userV1,
      requestTimeoutMs: 2_000,
    });
    await expect(serde.prepare('orders')).rejects.toThrow(
      /Schema Registry at http:\/\/127\.0\.0\.1:1 is unreachable \(POST \/subjects\/orders-value\/versions for subject "orders-value"\)/,
    );
  });

  it('rejects a missing or non-http url', () => {
    expect(() => Serdes.schemaRegistry.avro({ url: 'localhost:8081' })).toThrow(ConfigError);
    expect(() => Serdes.schemaRegistry.avro({} as never)).toThrow(/"url" must be an http\(s\) URL/);
  });
});

describe('with the TopologyTestDriver', () => {
  it('round trips through a topology once prepared for its topics', async () => {
    const input = freshTopic();
    const output = freshTopic();
    const v1 = Serdes.schemaRegistry.avro<{ name: string; age: number }>({
      url: registry.url,
      schema: userV1,
    });
    const v2 = Serdes.schemaRegistry.avro<{ name: string; age: number; email: string | null }>({
      url: registry.url,
      schema: userV2,
    });
    await v1.prepare(input);
    await v2.prepare(input);
    await v2.prepare(output);
    const b = new StreamsBuilder();
    b.stream(input, { key: Serdes.string(), value: v2 })
      .mapValues((u): { name: string; age: number; email: string | null } => ({
        ...u,
        email: u.email ?? `${u.name}@example.com`,
      }))
      .to(output, { key: Serdes.string(), value: v2 });
    const driver = new TopologyTestDriver(b.build(), { applicationId: 'registry-unit' });
    driver.createInputTopic(input, Serdes.string(), v1).pipeInput('k', { name: 'ada', age: 36 });
    expect(driver.createOutputTopic(output, Serdes.string(), v2).readValuesToList()).toEqual([
      { name: 'ada', age: 36, email: 'ada@example.com' },
    ]);
    driver.close();
  });
});
