import { deserializationError, serializationError } from './errors.js';
import type { Serde } from './serde.js';
import { readInt64Number, writeInt64Number } from './int64-codec.js';

const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;

/** UTF-8 text, as Java's `StringSerde`. Empty bytes are the empty string. */
export const stringSerde: Serde<string> = Object.freeze({
  name: 'String',
  serialize(value: string | null, topic?: string): Buffer | null {
    if (value === null) return null;
    if (typeof value !== 'string') throw serializationError('String', value, 'expected a string', topic);
    return Buffer.from(value, 'utf8');
  },
  deserialize(bytes: Buffer | null): string | null {
    return bytes === null ? null : bytes.toString('utf8');
  },
});

/** 8-byte big-endian IEEE 754 double, as Java's `DoubleSerde`. */
export const float64Serde: Serde<number> = Object.freeze({
  name: 'Float64',
  serialize(value: number | null, topic?: string): Buffer | null {
    if (value === null) return null;
    if (typeof value !== 'number') throw serializationError('Float64', value, 'expected a number', topic);
    const bytes = Buffer.allocUnsafe(8);
    bytes.writeDoubleBE(value, 0);
    return bytes;
  },
  deserialize(bytes: Buffer | null, topic?: string): number | null {
    if (bytes === null) return null;
    if (bytes.length !== 8) throw deserializationError('Float64', bytes, 'expected exactly 8 bytes', topic);
    return bytes.readDoubleBE(0);
  },
});

/** 4-byte big-endian two's complement, as Java's `IntegerSerde`. */
export const int32Serde: Serde<number> = Object.freeze({
  name: 'Int32',
  serialize(value: number | null, topic?: string): Buffer | null {
    if (value === null) return null;
    if (!Number.isInteger(value)) throw serializationError('Int32', value, 'expected an integer', topic);
    if (value < INT32_MIN || value > INT32_MAX) {
      throw serializationError(
        'Int32',
        value,
        `out of range [${INT32_MIN}, ${INT32_MAX}]; use Serdes.int64()`,
        topic,
      );
    }
    const bytes = Buffer.allocUnsafe(4);
    bytes.writeInt32BE(value, 0);
    return bytes;
  },
  deserialize(bytes: Buffer | null, topic?: string): number | null {
    if (bytes === null) return null;
    if (bytes.length !== 4) throw deserializationError('Int32', bytes, 'expected exactly 4 bytes', topic);
    return bytes.readInt32BE(0);
  },
});

/** 8-byte big-endian two's complement as a `bigint`, as Java's `LongSerde`. */
export const int64Serde: Serde<bigint> = Object.freeze({
  name: 'Int64',
  serialize(value: bigint | null, topic?: string): Buffer | null {
    if (value === null) return null;
    if (typeof value !== 'bigint') {
      const hint = typeof value === 'number' ? ` (convert with BigInt(${String(value)}))` : '';
      throw serializationError('Int64', value, `expected a bigint${hint}`, topic);
    }
    if (BigInt.asIntN(64, value) !== value) {
      throw serializationError('Int64', value, 'out of the signed 64-bit range', topic);
    }
    const bytes = Buffer.allocUnsafe(8);
    bytes.writeBigInt64BE(value, 0);
    return bytes;
  },
  deserialize(bytes: Buffer | null, topic?: string): bigint | null {
    if (bytes === null) return null;
    if (bytes.length !== 8) throw deserializationError('Int64', bytes, 'expected exactly 8 bytes', topic);
    return bytes.readBigInt64BE(0);
  },
});

/**
 * 8-byte big-endian two's complement as a JS `number`: Java's `LongSerde` bytes for values within
 * ±2^53 (counts, sums, timestamps). Values outside the safe-integer range are rejected.
 */
export const longSerde: Serde<number> = Object.freeze({
  name: 'Long',
  serialize(value: number | null, topic?: string): Buffer | null {
    if (value === null) return null;
    if (!Number.isSafeInteger(value)) {
      throw serializationError(
        'Long',
        value,
        'expected a safe integer (use Serdes.int64() for bigint)',
        topic,
      );
    }
    const bytes = Buffer.allocUnsafe(8);
    writeInt64Number(bytes, value, 0);
    return bytes;
  },
  deserialize(bytes: Buffer | null, topic?: string): number | null {
    if (bytes === null) return null;
    if (bytes.length !== 8) throw deserializationError('Long', bytes, 'expected exactly 8 bytes', topic);
    const value = readInt64Number(bytes, 0);
    if (!Number.isSafeInteger(value)) {
      throw deserializationError('Long', bytes, 'value is outside ±2^53; read it with Serdes.int64()', topic);
    }
    return value;
  },
});

/**
 * Raw bytes, as Java's `ByteArraySerde`/`BytesSerde`. Passes the same `Buffer` through in both
 * directions (no copy), so the deserialized buffer may share memory with the fetched batch.
 */
export const bufferSerde: Serde<Buffer> = Object.freeze({
  name: 'Buffer',
  serialize(value: Buffer | null, topic?: string): Buffer | null {
    if (value === null) return null;
    if (!Buffer.isBuffer(value)) throw serializationError('Buffer', value, 'expected a Buffer', topic);
    return value;
  },
  deserialize(bytes: Buffer | null): Buffer | null {
    return bytes;
  },
});

/** Only `null`, as Java's `VoidSerde`: for keys (or values) a topic never carries. */
export const voidSerde: Serde<null> = Object.freeze({
  name: 'Void',
  serialize(value: null, topic?: string): null {
    if (value !== null) throw serializationError('Void', value, 'a Void serde only accepts null', topic);
    return null;
  },
  deserialize(bytes: Buffer | null, topic?: string): null {
    if (bytes !== null) throw deserializationError('Void', bytes, 'a Void serde only accepts null', topic);
    return null;
  },
});
