import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { DeserializationError } from '../../../src/errors.js';
import type { AvroSchema } from '../../../src/serde/index.js';
import { SerializationError, Serdes } from '../../../src/serde/index.js';

interface User {
  name: string;
  age: number;
  email: string | null;
  tags: string[];
}

const userSchema: AvroSchema = {
  type: 'record',
  name: 'User',
  namespace: 'com.example',
  fields: [
    { name: 'name', type: 'string' },
    { name: 'age', type: 'int' },
    { name: 'email', type: ['null', 'string'], default: null },
    { name: 'tags', type: { type: 'array', items: 'string' } },
  ],
};

describe('Serdes.avro', () => {
  const serde = Serdes.avro<User>(userSchema);

  it('round trips a record with a nullable union field set and unset', () => {
    const withEmail: User = { name: 'Ada', age: 36, email: 'ada@example.com', tags: ['x', 'ÿ'] };
    const withoutEmail: User = { name: 'Bob', age: 0, email: null, tags: [] };
    expect(serde.deserialize(serde.serialize(withEmail))).toEqual(withEmail);
    expect(serde.deserialize(serde.serialize(withoutEmail))).toEqual(withoutEmail);
  });

  it('writes plain Avro binary without any Schema Registry framing', () => {
    const written = serde.serialize({ name: 'A', age: 1, email: null, tags: [] })!;
    // "A" = len 1 (zigzag 02) + 41; age 1 = 02; union branch 0 (null) = 00; empty array = 00.
    expect(written.toString('hex')).toBe('0241020000');
  });

  it('is named after the schema', () => {
    expect(serde.name).toBe('Avro<com.example.User>');
    expect(Serdes.avro<string>('string').name).toBe('Avro<string>');
  });

  it('accepts a prebuilt avsc Type', () => {
    const type = avro.Type.forSchema({ type: 'array', items: 'long' });
    const longs = Serdes.avro<number[]>(type);
    expect(longs.deserialize(longs.serialize([1, -2, 2 ** 40]))).toEqual([1, -2, 2 ** 40]);
  });

  it('names the fields that do not match the schema', () => {
    const bad = { name: 'A', age: 'old', email: 3, tags: [] } as unknown as User;
    expect(() => serde.serialize(bad)).toThrow(SerializationError);
    expect(() => serde.serialize(bad)).toThrow(
      /does not match the schema \(age: expected int; email: expected null \| string\)/,
    );
  });

  it('rejects truncated and trailing bytes', () => {
    const written = serde.serialize({ name: 'Ada', age: 36, email: 'a@b', tags: ['t'] })!;
    expect(() => serde.deserialize(written.subarray(0, written.length - 2))).toThrow(DeserializationError);
    expect(() => serde.deserialize(Buffer.concat([written, Buffer.from([1, 2])]))).toThrow(
      /Avro<com.example.User> serde cannot deserialize/,
    );
  });
});
