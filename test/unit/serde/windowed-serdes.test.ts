import { describe, expect, it } from 'vitest';
import { ConfigError, DeserializationError } from '../../../src/errors.js';
import { SerializationError, Serdes } from '../../../src/serde/index.js';

const bytes = (hexString: string): Buffer => Buffer.from(hexString.replace(/ /g, ''), 'hex');

describe('Serdes.windowed (Java TimeWindowedSerde)', () => {
  it('writes the key bytes then the 8-byte big-endian window start', () => {
    const serde = Serdes.windowed(Serdes.string());
    const written = serde.serialize({ key: 'a', window: { start: 1000, end: 2000 } });
    expect(written!.toString('hex')).toBe('6100000000000003e8');
  });

  it('reads the end as start + windowSizeMs', () => {
    const serde = Serdes.windowed(Serdes.string(), { windowSizeMs: 60_000 });
    expect(serde.deserialize(bytes('61 00 00 00 00 00 00 03 e8'))).toEqual({
      key: 'a',
      window: { start: 1000, end: 61_000 },
    });
  });

  it('reads the end as Number.MAX_SAFE_INTEGER when the size is unknown (Java: Long.MAX_VALUE)', () => {
    const serde = Serdes.windowed(Serdes.string());
    expect(serde.deserialize(bytes('61 00 00 00 00 00 00 03 e8'))!.window).toEqual({
      start: 1000,
      end: Number.MAX_SAFE_INTEGER,
    });
  });

  it('clamps an end past Number.MAX_SAFE_INTEGER', () => {
    const serde = Serdes.windowed(Serdes.string(), { windowSizeMs: 10 });
    const start = Number.MAX_SAFE_INTEGER - 5;
    const roundTripped = serde.deserialize(serde.serialize({ key: 'k', window: { start, end: start + 10 } }));
    expect(roundTripped!.window).toEqual({ start, end: Number.MAX_SAFE_INTEGER });
  });

  it.each([
    0,
    1,
    -1,
    2 ** 32,
    -(2 ** 32) - 7,
    1_700_000_000_123,
    Number.MAX_SAFE_INTEGER,
    -Number.MAX_SAFE_INTEGER,
  ])('round trips the window start %d exactly', (start) => {
    const serde = Serdes.windowed(Serdes.int32(), { windowSizeMs: 1 });
    const back = serde.deserialize(serde.serialize({ key: 7, window: { start, end: start + 1 } }));
    expect(back!.key).toBe(7);
    expect(back!.window.start).toBe(start);
    const asJavaLong = serde.serialize({ key: 7, window: { start, end: start + 1 } })!.readBigInt64BE(4);
    expect(asJavaLong).toBe(BigInt(start));
  });

  it('works with a composite inner key and an empty key', () => {
    const serde = Serdes.windowed(Serdes.json<{ user: string }>(), { windowSizeMs: 5 });
    const key = { key: { user: 'ü' }, window: { start: 10, end: 15 } };
    expect(serde.deserialize(serde.serialize(key))).toEqual(key);
    const empty = Serdes.windowed(Serdes.string(), { windowSizeMs: 5 });
    expect(empty.deserialize(empty.serialize({ key: '', window: { start: 0, end: 5 } }))!.key).toBe('');
  });

  it('exposes its inner serde and window size', () => {
    const inner = Serdes.string();
    const serde = Serdes.windowed(inner, { windowSizeMs: 300 });
    expect(serde.inner).toBe(inner);
    expect(serde.windowSizeMs).toBe(300);
    expect(serde.windowType).toBe('time');
    expect(Serdes.windowed(inner).windowSizeMs).toBeUndefined();
  });

  it.each([0, -5, 1.5, NaN])('rejects windowSizeMs %d', (windowSizeMs) => {
    expect(() => Serdes.windowed(Serdes.string(), { windowSizeMs })).toThrow(ConfigError);
    expect(() => Serdes.windowed(Serdes.string(), { windowSizeMs })).toThrow(
      /windowSizeMs must be a positive integer/,
    );
  });

  it('reads empty bytes as null, like Java', () => {
    expect(Serdes.windowed(Serdes.string()).deserialize(Buffer.alloc(0))).toBeNull();
  });

  it('rejects bytes too short to hold a window start', () => {
    expect(() => Serdes.windowed(Serdes.string()).deserialize(bytes('00 01 02'))).toThrow(
      DeserializationError,
    );
    expect(() => Serdes.windowed(Serdes.string()).deserialize(bytes('00 01 02'))).toThrow(
      /Windowed<String> serde cannot deserialize 3 bytes: expected at least 8 bytes/,
    );
  });

  it('rejects a window start beyond the safe integer range', () => {
    expect(() => Serdes.windowed(Serdes.string()).deserialize(bytes('61 7f ff ff ff ff ff ff ff'))).toThrow(
      /window start is beyond Number.MAX_SAFE_INTEGER/,
    );
  });

  it('rejects a non-integer start and a key the inner serde turns into null', () => {
    const serde = Serdes.windowed(Serdes.string());
    expect(() => serde.serialize({ key: 'a', window: { start: 1.5, end: 3 } })).toThrow(SerializationError);
    expect(() => serde.serialize({ key: 'a', window: { start: 1.5, end: 3 } })).toThrow(
      /window.start must be a safe integer/,
    );
    const nullKey = Serdes.windowed(Serdes.json<string | null>());
    expect(() => nullKey.serialize({ key: null, window: { start: 0, end: 1 } })).toThrow(
      /the inner JSON serde returned null for the key/,
    );
  });

  it('propagates inner deserialization errors', () => {
    const serde = Serdes.windowed(Serdes.int32());
    expect(() => serde.deserialize(bytes('01 00 00 00 00 00 00 00 00'))).toThrow(/Int32 serde/);
  });
});

describe('Serdes.sessionWindowed (Java SessionWindowedSerde)', () => {
  const serde = Serdes.sessionWindowed(Serdes.string());

  it('writes the key bytes, then the session end, then the session start', () => {
    const written = serde.serialize({ key: 'a', window: { start: 1000, end: 2500 } });
    expect(written!.toString('hex')).toBe('61' + '00000000000009c4' + '00000000000003e8');
  });

  it('reads Java bytes back with both bounds', () => {
    expect(serde.deserialize(bytes('62 63 00 00 00 00 00 00 09 c4 00 00 00 00 00 00 03 e8'))).toEqual({
      key: 'bc',
      window: { start: 1000, end: 2500 },
    });
  });

  it('round trips a single-point session (start == end)', () => {
    const key = { key: 'alice', window: { start: 42, end: 42 } };
    expect(serde.deserialize(serde.serialize(key))).toEqual(key);
  });

  it('exposes its inner serde', () => {
    expect(serde.windowType).toBe('session');
    expect(serde.inner).toBe(Serdes.string());
  });

  it('reads empty bytes as null and rejects bytes shorter than 16', () => {
    expect(serde.deserialize(Buffer.alloc(0))).toBeNull();
    expect(() => serde.deserialize(Buffer.alloc(15))).toThrow(DeserializationError);
    expect(() => serde.deserialize(Buffer.alloc(15))).toThrow(/expected at least 16 bytes/);
  });

  it('rejects non-integer bounds', () => {
    expect(() => serde.serialize({ key: 'a', window: { start: 0, end: Infinity } })).toThrow(
      /window.end must be a safe integer/,
    );
  });
});
