import type { Serde } from '../../../../src/serde/serde.js';

/** Tiny local serdes, so state tests do not depend on `src/serde`'s built-ins. */
export const stringSerde: Serde<string> = {
  name: 'test-string',
  serialize: (value) => (value === null ? null : Buffer.from(value, 'utf8')),
  deserialize: (bytes) => (bytes === null ? null : bytes.toString('utf8')),
};

export const numberSerde: Serde<number> = {
  name: 'test-float64',
  serialize(value) {
    if (value === null) return null;
    const bytes = Buffer.alloc(8);
    bytes.writeDoubleBE(value);
    return bytes;
  },
  deserialize: (bytes) => (bytes === null ? null : bytes.readDoubleBE(0)),
};

export const bufferSerde: Serde<Buffer> = {
  name: 'test-buffer',
  serialize: (value) => value,
  deserialize: (bytes) => bytes,
};
