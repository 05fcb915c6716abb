import { describe, expect, it } from 'vitest';
import { valueAndTimestampSerde } from '../../../src/state/value-and-timestamp.js';
import { stringSerde } from './support/test-serdes.js';

describe('valueAndTimestampSerde', () => {
  const serde = valueAndTimestampSerde(stringSerde);

  it('writes an 8-byte big-endian timestamp before the value bytes', () => {
    expect(serde.serialize({ value: 'a', timestamp: 5 })?.toString('hex')).toBe('000000000000000561');
    expect(serde.serialize({ value: '', timestamp: 2 ** 40 + 1 })?.toString('hex')).toBe('0000010000000001');
  });

  it('round-trips negative and large timestamps', () => {
    for (const timestamp of [0, -1, -(2 ** 40), 1_700_000_000_000, Number.MAX_SAFE_INTEGER]) {
      const bytes = serde.serialize({ value: 'x', timestamp });
      expect(serde.deserialize(bytes)).toEqual({ value: 'x', timestamp });
    }
    expect(serde.serialize({ value: 'x', timestamp: -1 })?.subarray(0, 8).toString('hex')).toBe(
      'ffffffffffffffff',
    );
  });

  it('maps null to null and rejects bytes too short for a timestamp', () => {
    expect(serde.serialize(null)).toBeNull();
    expect(serde.deserialize(null)).toBeNull();
    expect(() => serde.deserialize(Buffer.from([1, 2, 3]))).toThrow(RangeError);
  });
});
