import type { Serde } from '../serde/serde.js';

/**
 * A value with the timestamp of the record that last wrote it, as kept by timestamped stores
 * (the stores behind `KTable`s).
 *
 * @example
 * ```ts
 * const store = context.getStateStore<KeyValueStore<string, ValueAndTimestamp<number>>>('totals');
 * store.put('alice', { value: 42, timestamp: 1_000 });
 * ```
 */
export interface ValueAndTimestamp<V> {
  value: V;
  timestamp: number;
}

const TIMESTAMP_BYTES = 8;
const TWO_POW_32 = 2 ** 32;

/**
 * The serde of a timestamped store's values, in Kafka Streams' format: the timestamp as an 8-byte
 * big-endian signed integer, then the inner value's bytes. A value that serializes to `null`
 * makes the whole entry `null` (a delete).
 *
 * @example
 * ```ts
 * const serde = valueAndTimestampSerde(Serdes.string());
 * serde.serialize({ value: 'a', timestamp: 5 }); // <Buffer 00 00 00 00 00 00 00 05 61>
 * ```
 */
export function valueAndTimestampSerde<V>(inner: Serde<V>): Serde<ValueAndTimestamp<V>> {
  return {
    name: `valueAndTimestamp(${inner.name})`,
    serialize(entry, topic) {
      if (entry === null) return null;
      const valueBytes = inner.serialize(entry.value, topic);
      if (valueBytes === null) return null;
      const bytes = Buffer.allocUnsafe(TIMESTAMP_BYTES + valueBytes.length);
      writeInt64(bytes, entry.timestamp);
      valueBytes.copy(bytes, TIMESTAMP_BYTES);
      return bytes;
    },
    deserialize(bytes, topic) {
      if (bytes === null) return null;
      if (bytes.length < TIMESTAMP_BYTES) {
        throw new RangeError(
          `A timestamped value needs at least ${TIMESTAMP_BYTES} bytes, got ${bytes.length}`,
        );
      }
      const value = inner.deserialize(bytes.subarray(TIMESTAMP_BYTES), topic) as V;
      return { value, timestamp: readInt64(bytes) };
    },
  };
}

/** Writes a safe integer as int64 without a BigInt: high 32 bits signed, low 32 bits unsigned. */
function writeInt64(bytes: Buffer, n: number): void {
  const high = Math.floor(n / TWO_POW_32);
  bytes.writeInt32BE(high, 0);
  bytes.writeUInt32BE(n - high * TWO_POW_32, 4);
}

function readInt64(bytes: Buffer): number {
  return bytes.readInt32BE(0) * TWO_POW_32 + bytes.readUInt32BE(4);
}
