import { describe, expect, it } from 'vitest';
import { DeserializationError } from '../../../src/errors.js';
import { SerializationError, Serdes } from '../../../src/serde/index.js';

const hex = (bytes: Buffer | null): string | null => (bytes === null ? null : bytes.toString('hex'));
const bytes = (hexString: string): Buffer => Buffer.from(hexString.replace(/ /g, ''), 'hex');

describe('Serdes.string', () => {
  const serde = Serdes.string();

  it.each(['', 'hello', 'héllo wörld', '日本語', '🙂 emoji', 'nul\u0000byte'])('round trips %j', (text) => {
    expect(serde.deserialize(serde.serialize(text))).toBe(text);
  });

  it('encodes UTF-8 as Java StringSerializer does', () => {
    expect(hex(serde.serialize('hé'))).toBe('68c3a9');
    expect(serde.deserialize(Buffer.alloc(0))).toBe('');
  });

  it('rejects a non-string value', () => {
    expect(() => serde.serialize(42 as unknown as string)).toThrow(SerializationError);
    expect(() => serde.serialize(42 as unknown as string)).toThrow(/String serde cannot serialize number 42/);
  });
});

describe('Serdes.float64', () => {
  const serde = Serdes.float64();

  it.each([0, -0, 1.5, -123.456, Number.MAX_VALUE, Number.MIN_VALUE, Infinity, -Infinity])(
    'round trips %d',
    (n) => {
      expect(serde.deserialize(serde.serialize(n))).toBe(n);
    },
  );

  it('round trips NaN', () => {
    expect(serde.deserialize(serde.serialize(NaN))).toBeNaN();
  });

  it('matches Java DoubleSerializer bytes', () => {
    expect(hex(serde.serialize(1.5))).toBe('3ff8000000000000');
    expect(hex(serde.serialize(-2))).toBe('c000000000000000');
    expect(serde.deserialize(bytes('3f f8 00 00 00 00 00 00'))).toBe(1.5);
  });

  it('rejects byte arrays that are not 8 bytes long', () => {
    expect(() => serde.deserialize(Buffer.alloc(4))).toThrow(DeserializationError);
    expect(() => serde.deserialize(Buffer.alloc(9), 'prices')).toThrow(
      /Float64 serde cannot deserialize 9 bytes: expected exactly 8 bytes/,
    );
  });

  it('carries the topic on errors', () => {
    try {
      serde.deserialize(Buffer.alloc(1), 'prices');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DeserializationError);
      expect((error as DeserializationError).topic).toBe('prices');
    }
  });

  it('rejects a non-number value', () => {
    expect(() => serde.serialize('1' as unknown as number)).toThrow(SerializationError);
  });
});

describe('Serdes.int32', () => {
  const serde = Serdes.int32();

  it.each([0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 123_456])('round trips %d', (n) => {
    expect(serde.deserialize(serde.serialize(n))).toBe(n);
  });

  it('matches Java IntegerSerializer bytes', () => {
    expect(hex(serde.serialize(1))).toBe('00000001');
    expect(hex(serde.serialize(-1))).toBe('ffffffff');
    expect(hex(serde.serialize(2 ** 31 - 1))).toBe('7fffffff');
    expect(hex(serde.serialize(-(2 ** 31)))).toBe('80000000');
    expect(serde.deserialize(bytes('00 00 01 00'))).toBe(256);
  });

  it.each([1.5, NaN, Infinity])('rejects the non-integer %d', (n) => {
    expect(() => serde.serialize(n)).toThrow(/Int32 serde cannot serialize number .*: expected an integer/);
  });

  it.each([2 ** 31, -(2 ** 31) - 1])('rejects %d as out of range', (n) => {
    expect(() => serde.serialize(n)).toThrow(SerializationError);
    expect(() => serde.serialize(n)).toThrow(/out of range \[-2147483648, 2147483647\]/);
  });

  it('rejects byte arrays that are not 4 bytes long', () => {
    expect(() => serde.deserialize(Buffer.alloc(8))).toThrow(DeserializationError);
    expect(() => serde.deserialize(Buffer.alloc(0))).toThrow(/expected exactly 4 bytes/);
  });
});

describe('Serdes.int64', () => {
  const serde = Serdes.int64();
  const min = -(2n ** 63n);
  const max = 2n ** 63n - 1n;

  it.each([0n, 1n, -1n, min, max, 2n ** 53n + 1n])('round trips %s', (n) => {
    expect(serde.deserialize(serde.serialize(n))).toBe(n);
  });

  it('matches Java LongSerializer bytes', () => {
    expect(hex(serde.serialize(1n))).toBe('0000000000000001');
    expect(hex(serde.serialize(-1n))).toBe('ffffffffffffffff');
    expect(hex(serde.serialize(max))).toBe('7fffffffffffffff');
    expect(hex(serde.serialize(min))).toBe('8000000000000000');
    expect(serde.deserialize(bytes('00 00 00 00 00 00 03 e8'))).toBe(1000n);
  });

  it('rejects a number with a hint to use BigInt', () => {
    expect(() => serde.serialize(5 as unknown as bigint)).toThrow(
      /expected a bigint \(convert with BigInt\(5\)\)/,
    );
  });

  it('rejects bigints outside the signed 64-bit range', () => {
    expect(() => serde.serialize(max + 1n)).toThrow(SerializationError);
    expect(() => serde.serialize(min - 1n)).toThrow(/out of the signed 64-bit range/);
  });

  it('rejects byte arrays that are not 8 bytes long', () => {
    expect(() => serde.deserialize(Buffer.alloc(7))).toThrow(DeserializationError);
  });
});

describe('Serdes.buffer', () => {
  const serde = Serdes.buffer();

  it('passes bytes through unchanged in both directions', () => {
    const data = bytes('00 ff 10');
    expect(serde.serialize(data)).toBe(data);
    expect(serde.deserialize(data)).toBe(data);
    expect(hex(serde.serialize(Buffer.alloc(0)))).toBe('');
  });

  it('rejects a value that is not a Buffer', () => {
    expect(() => serde.serialize('abc' as unknown as Buffer)).toThrow(
      /Buffer serde cannot serialize a string/,
    );
  });
});

describe('Serdes.void', () => {
  const serde = Serdes.void();

  it('maps null to null', () => {
    expect(serde.serialize(null)).toBeNull();
    expect(serde.deserialize(null)).toBeNull();
  });

  it('throws on non-null bytes, even empty ones, like Java VoidDeserializer', () => {
    expect(() => serde.deserialize(Buffer.alloc(0))).toThrow(DeserializationError);
    expect(() => serde.deserialize(bytes('01'))).toThrow(/Void serde cannot deserialize 1 bytes/);
  });

  it('throws on a non-null value', () => {
    expect(() => serde.serialize('x' as unknown as null)).toThrow(SerializationError);
  });
});

describe('every built-in serde', () => {
  const serdes = {
    string: Serdes.string(),
    json: Serdes.json(),
    float64: Serdes.float64(),
    int32: Serdes.int32(),
    int64: Serdes.int64(),
    buffer: Serdes.buffer(),
    void: Serdes.void(),
    windowed: Serdes.windowed(Serdes.string()),
    sessionWindowed: Serdes.sessionWindowed(Serdes.string()),
    avro: Serdes.avro({ type: 'record', name: 'R', fields: [{ name: 'a', type: 'int' }] }),
  };

  it.each(Object.entries(serdes))('%s maps null to null both ways', (_, serde) => {
    expect(serde.serialize(null)).toBeNull();
    expect(serde.deserialize(null)).toBeNull();
  });

  it('has a descriptive name', () => {
    expect(Object.values(serdes).map((s) => s.name)).toEqual([
      'String',
      'JSON',
      'Float64',
      'Int32',
      'Int64',
      'Buffer',
      'Void',
      'Windowed<String>',
      'SessionWindowed<String>',
      'Avro<R>',
    ]);
  });

  it('returns shared immutable instances from argument-less factories', () => {
    expect(Serdes.string()).toBe(Serdes.string());
    expect(Serdes.json<{ a: number }>()).toBe(Serdes.json<string>());
    expect(Object.isFrozen(Serdes.int64())).toBe(true);
  });
});
