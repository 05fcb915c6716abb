import { describe, expect, it } from 'vitest';
import { DeserializationError } from '../../../src/errors.js';
import { Serdes } from '../../../src/serde/index.js';
import { valueAndTimestampSerde } from '../../../src/serde/internal.js';

describe('valueAndTimestampSerde (Kafka timestamped-store format)', () => {
  const serde = valueAndTimestampSerde(Serdes.string());

  it('writes the 8-byte big-endian timestamp, then the raw value bytes', () => {
    expect(serde.serialize({ value: 'a', timestamp: 1000 })!.toString('hex')).toBe('00000000000003e861');
  });

  it('round trips values and timestamps, including an empty value and timestamp -1', () => {
    for (const entry of [
      { value: 'héllo', timestamp: 1_700_000_000_000 },
      { value: '', timestamp: 0 },
      { value: 'x', timestamp: -1 },
    ]) {
      expect(serde.deserialize(serde.serialize(entry))).toEqual(entry);
    }
  });

  it('serializes a null value as null (a delete) and reads null as null', () => {
    const nullable = valueAndTimestampSerde(Serdes.json<string | null>());
    expect(nullable.serialize({ value: null, timestamp: 5 })).toBeNull();
    expect(serde.serialize(null)).toBeNull();
    expect(serde.deserialize(null)).toBeNull();
  });

  it('is named after its inner serde', () => {
    expect(serde.name).toBe('ValueAndTimestamp<String>');
  });

  it('rejects bytes too short for a timestamp and non-integer timestamps', () => {
    expect(() => serde.deserialize(Buffer.alloc(7))).toThrow(DeserializationError);
    expect(() => serde.serialize({ value: 'a', timestamp: 1.5 })).toThrow(/timestamp must be a safe integer/);
  });
});
