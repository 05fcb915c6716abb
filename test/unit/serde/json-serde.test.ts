import { describe, expect, it } from 'vitest';
import { DeserializationError } from '../../../src/errors.js';
import { SerializationError, Serdes } from '../../../src/serde/index.js';

interface Order {
  id: string;
  total: number;
  items: { sku: string; qty: number }[];
  note: string | null;
}

describe('Serdes.json', () => {
  const serde = Serdes.json<Order>();

  it('round trips an object', () => {
    const order: Order = { id: 'o-1', total: 9.5, items: [{ sku: 'ä', qty: 2 }], note: null };
    expect(serde.deserialize(serde.serialize(order))).toEqual(order);
  });

  it('writes compact UTF-8 JSON', () => {
    expect(
      Serdes.json()
        .serialize({ a: 'é', b: [1, 2] })!
        .toString('hex'),
    ).toBe(Buffer.from('{"a":"é","b":[1,2]}', 'utf8').toString('hex'));
  });

  it.each([0, 'text', true, [], [1, 'two']])('round trips the JSON value %j', (value) => {
    const any = Serdes.json<unknown>();
    expect(any.deserialize(any.serialize(value))).toEqual(value);
  });

  it('reads the JSON literal null as null', () => {
    expect(serde.deserialize(Buffer.from('null'))).toBeNull();
  });

  it('rejects values without a JSON representation', () => {
    const any = Serdes.json<unknown>();
    expect(() => any.serialize(undefined)).toThrow(
      /JSON serde cannot serialize undefined: it has no JSON representation/,
    );
    expect(() => any.serialize(() => 1)).toThrow(SerializationError);
    expect(() => any.serialize({ big: 1n })).toThrow(SerializationError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => any.serialize(cyclic)).toThrow(/JSON serde cannot serialize an object \(Object\)/);
  });

  it('rejects malformed bytes with the parser message and cause', () => {
    const bad = Buffer.from('{"id": ');
    expect(() => serde.deserialize(bad, 'orders')).toThrow(DeserializationError);
    try {
      serde.deserialize(bad, 'orders');
    } catch (error) {
      expect((error as DeserializationError).message).toMatch(/^JSON serde cannot deserialize 7 bytes: /);
      expect((error as DeserializationError).topic).toBe('orders');
      expect((error as Error).cause).toBeInstanceOf(SyntaxError);
    }
    expect(() => serde.deserialize(Buffer.alloc(0))).toThrow(DeserializationError);
  });
});
