import { readInt64Number, writeInt64Number } from '../../serde/internal.js';
import type { Serde } from '../../serde/serde.js';
import { SerializationError } from '../../serde/errors.js';

/**
 * The key of the outer-join shared store: time first, so a scan visits unmatched records oldest
 * first and can stop at the first one whose window is still open.
 */
export interface OuterJoinKey<K> {
  readonly timestamp: number;
  readonly leftSide: boolean;
  readonly key: K;
}

/** The unmatched records of one side with the same key and timestamp (duplicates are kept). */
export interface OuterJoinValues {
  readonly leftSide: boolean;
  readonly values: readonly unknown[];
}

/** `[timestamp int64][1 = left, 0 = right][key bytes]`. */
export function outerJoinKeySerde<K>(keySerde: Serde<K>): Serde<OuterJoinKey<K>> {
  return {
    name: `outer-join-key(${keySerde.name})`,
    serialize(k, topic) {
      if (k === null) return null;
      const key = keySerde.serialize(k.key, topic);
      if (key === null) throw new SerializationError('stream–stream join: a join key serializes to null');
      const out = Buffer.allocUnsafe(9 + key.length);
      writeInt64Number(out, k.timestamp, 0);
      out[8] = k.leftSide ? 1 : 0;
      key.copy(out, 9);
      return out;
    },
    deserialize(bytes, topic) {
      if (bytes === null) return null;
      return {
        timestamp: readInt64Number(bytes, 0),
        leftSide: bytes[8] === 1,
        key: keySerde.deserialize(bytes.subarray(9), topic) as K,
      };
    },
  };
}

/** `[1 = left, 0 = right][count int32]` then `[length int32][value bytes]` per value. */
export function outerJoinValuesSerde(leftSerde: Serde<any>, rightSerde: Serde<any>): Serde<OuterJoinValues> {
  return {
    name: `outer-join-values(${leftSerde.name}, ${rightSerde.name})`,
    serialize(v, topic) {
      if (v === null) return null;
      const serde = v.leftSide ? leftSerde : rightSerde;
      const parts = v.values.map((value) => serde.serialize(value, topic) ?? Buffer.alloc(0));
      const out = Buffer.allocUnsafe(5 + parts.reduce((n, p) => n + 4 + p.length, 0));
      out[0] = v.leftSide ? 1 : 0;
      out.writeInt32BE(parts.length, 1);
      let offset = 5;
      for (const part of parts) {
        out.writeInt32BE(part.length, offset);
        part.copy(out, offset + 4);
        offset += 4 + part.length;
      }
      return out;
    },
    deserialize(bytes, topic) {
      if (bytes === null) return null;
      const leftSide = bytes[0] === 1;
      const serde = leftSide ? leftSerde : rightSerde;
      const values: unknown[] = [];
      let offset = 5;
      for (let i = bytes.readInt32BE(1); i > 0; i--) {
        const length = bytes.readInt32BE(offset);
        values.push(serde.deserialize(bytes.subarray(offset + 4, offset + 4 + length), topic));
        offset += 4 + length;
      }
      return { leftSide, values };
    },
  };
}
