import { describe, expect, it } from 'vitest';
import { readInt64Number, writeInt64Number } from '../../../src/serde/internal.js';

describe('int64 number codec', () => {
  const values = [
    0,
    1,
    -1,
    255,
    2 ** 31,
    -(2 ** 31),
    2 ** 32,
    2 ** 32 + 1,
    -(2 ** 32) - 1,
    2 ** 53 - 1,
    -(2 ** 53 - 1),
  ];

  it.each(values)('writes %d exactly as a Java long would', (value) => {
    const buffer = Buffer.alloc(10);
    writeInt64Number(buffer, value, 1);
    expect(buffer.readBigInt64BE(1)).toBe(BigInt(value));
    expect(readInt64Number(buffer, 1)).toBe(value);
  });

  it('reads longs beyond the safe range as unsafe numbers', () => {
    const buffer = Buffer.alloc(8);
    buffer.writeBigInt64BE(2n ** 63n - 1n);
    expect(Number.isSafeInteger(readInt64Number(buffer, 0))).toBe(false);
    buffer.writeBigInt64BE(-(2n ** 53n));
    expect(Number.isSafeInteger(readInt64Number(buffer, 0))).toBe(false);
  });
});
