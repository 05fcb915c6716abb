import { DeserializationError } from '../errors.js';
import type { Serde } from '../serde/serde.js';
import type { Change } from './change.js';

/**
 * @internal Serializes a table `Change` for the repartition topic of `KTable.groupBy`:
 * one flags byte (bit 0: new value present, bit 1: old value present), the new value's length as
 * a 4-byte big-endian int, the new value's bytes, then the old value's bytes.
 */
export function changeSerde<V>(inner: Serde<V>): Serde<Change<V>> {
  return {
    name: `Change<${inner.name}>`,
    serialize(change: Change<V> | null, topic?: string): Buffer | null {
      if (change === null) return null;
      const newBytes = change.newValue === null ? null : inner.serialize(change.newValue, topic);
      const oldBytes = change.oldValue === null ? null : inner.serialize(change.oldValue, topic);
      const newLength = newBytes?.length ?? 0;
      const out = Buffer.allocUnsafe(5 + newLength + (oldBytes?.length ?? 0));
      out.writeUInt8((newBytes === null ? 0 : 1) | (oldBytes === null ? 0 : 2), 0);
      out.writeInt32BE(newLength, 1);
      if (newBytes !== null) newBytes.copy(out, 5);
      if (oldBytes !== null) oldBytes.copy(out, 5 + newLength);
      return out;
    },
    deserialize(bytes: Buffer | null, topic?: string): Change<V> | null {
      if (bytes === null) return null;
      if (bytes.length < 5)
        throw new DeserializationError(`Change record too short (${bytes.length} bytes).`, { topic });
      const flags = bytes.readUInt8(0);
      const newLength = bytes.readInt32BE(1);
      const newValue = flags & 1 ? inner.deserialize(bytes.subarray(5, 5 + newLength), topic) : null;
      const oldValue = flags & 2 ? inner.deserialize(bytes.subarray(5 + newLength), topic) : null;
      return { newValue, oldValue };
    },
  };
}
