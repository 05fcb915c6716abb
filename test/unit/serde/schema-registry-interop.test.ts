import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AvroSchema, Serdes } from '../../../src/serde/index.js';
import { type FakeRegistry, startFakeRegistry } from '../../support/schema-registry-server.js';

// An independent implementation of the wire format checks ours in both directions.
const order: AvroSchema = {
  type: 'record',
  name: 'Order',
  namespace: 'com.example',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'total', type: 'double' },
    { name: 'items', type: { type: 'array', items: 'string' } },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
};
const value = { id: 'o-1', total: 12.5, items: ['a', 'b'], note: 'gift' };

describe('interoperability with @kafkajs/confluent-schema-registry', () => {
  let registry: FakeRegistry;
  let other: SchemaRegistry;
  beforeAll(async () => {
    registry = await startFakeRegistry();
    other = new SchemaRegistry({ host: registry.url });
  });
  afterAll(async () => {
    await registry.close();
  });

  it('decodes what Serdes.schemaRegistry.avro wrote, and the serde reads what it encoded', async () => {
    const serde = Serdes.schemaRegistry.avro<typeof value>({ url: registry.url, schema: order });
    await serde.prepare('orders');
    const ours = serde.serialize(value, 'orders')!;
    expect(await other.decode(ours)).toEqual(value);
    const theirs = await other.encode(ours.readInt32BE(1), value);
    expect(theirs).toEqual(ours);
    expect(serde.deserialize(theirs, 'orders')).toEqual(value);
  });
});
