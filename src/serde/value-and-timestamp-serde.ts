import { deserializationError, serializationError } from './errors.js';
import { INT64_SIZE, readInt64Number, writeInt64Number } from './int64-codec.js';
import type { Serde } from './serde.js';

/** A stored value with the timestamp of the record that last wrote it (Kafka's `ValueAndTimestamp`). */
export interface ValueAndTimestamp<V> {
  readonly value: V;
  readonly timestamp: number;
}

/**
 * Kafka Streams' timestamped-store format: the timestamp as an 8-byte big-endian long, then the
 * inner value's bytes. A `null` value (or one the inner serde turns into `null`) is `null`, a delete.
 */
export function valueAndTimestampSerde<V>(inner: Serde<V>): Serde<ValueAndTimestamp<V>> {
  const name = `ValueAndTimestamp<${inner.name}>`;
  return Object.freeze({
    name,
    serialize(entry: ValueAndTimestamp<V> | null, topic?: string): Buffer | null {
      if (entry === null) return null;
      const valueBytes = inner.serialize(entry.value, topic);
      if (valueBytes === null) return null;
      if (!Number.isSafeInteger(entry.timestamp)) {
        throw serializationError(
          name,
          entry,
          `timestamp must be a safe integer, got ${String(entry.timestamp)}`,
          topic,
        );
      }
      const bytes = Buffer.allocUnsafe(INT64_SIZE + valueBytes.length);
      writeInt64Number(bytes, entry.timestamp, 0);
      valueBytes.copy(bytes, INT64_SIZE);
      return bytes;
    },
    deserialize(bytes: Buffer | null, topic?: string): ValueAndTimestamp<V> | null {
      if (bytes === null) return null;
      if (bytes.length < INT64_SIZE) {
        throw deserializationError(
          name,
          bytes,
          `expected at least ${INT64_SIZE} bytes (timestamp + value)`,
          topic,
        );
      }
      const timestamp = readInt64Number(bytes, 0);
      if (!Number.isSafeInteger(timestamp)) {
        throw deserializationError(name, bytes, 'timestamp is beyond Number.MAX_SAFE_INTEGER', topic);
      }
      const value = inner.deserialize(bytes.subarray(INT64_SIZE), topic);
      return value === null ? null : { value, timestamp };
    },
  });
}
