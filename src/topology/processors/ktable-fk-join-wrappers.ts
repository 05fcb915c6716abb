import { createHash } from 'node:crypto';
import { DeserializationError } from '../../errors.js';
import { SerializationError } from '../../serde/errors.js';
import type { Serde } from '../../serde/serde.js';

/**
 * What the right side does with a subscription (names as in Kafka Streams):
 * - `delete-no-propagate`: forget the subscription (the left row moved to another foreign key; the
 *   registration under the new key produces the result);
 * - `delete-and-propagate`: forget it and answer with `null` (the left row is gone);
 * - `propagate-null-if-absent`: remember it and answer even when there is no right row, so an
 *   earlier result is retracted (foreign-key change, left join);
 * - `propagate-only-if-present`: remember it and answer only when a right row exists (a new inner-join row).
 */
export type SubscriptionInstruction =
  'delete-no-propagate' | 'delete-and-propagate' | 'propagate-null-if-absent' | 'propagate-only-if-present';

const INSTRUCTIONS: readonly SubscriptionInstruction[] = [
  'delete-no-propagate',
  'delete-and-propagate',
  'propagate-null-if-absent',
  'propagate-only-if-present',
];

/** A left row registering with (or leaving) the foreign key it points at. */
export interface SubscriptionWrapper<K> {
  /** Hash of the serialized left value that sent it; `null` for a deleted row. */
  readonly hash: Buffer | null;
  readonly instruction: SubscriptionInstruction;
  readonly primaryKey: K;
  /** The left row's partition: responses go back there. */
  readonly primaryPartition: number;
}

/** The right side's answer to a subscription, keyed by the left row's primary key. */
export interface SubscriptionResponse<VO> {
  /** The hash of the subscription it answers: a response for an outdated left value is dropped. */
  readonly hash: Buffer | null;
  readonly foreignValue: VO | null;
  readonly primaryPartition: number;
}

/** A subscription store key: the foreign key first, so a right row finds its subscribers by prefix scan. */
export interface CombinedKey<KO, K> {
  readonly foreignKey: KO;
  readonly primaryKey: K;
}

const VERSION = 0;
const HASH_SIZE = 16;

/** Hash of a left value's bytes (MD5: a fingerprint for staleness checks, not security). */
export function valueHash<V>(value: V | null, valueSerde: Serde<V>): Buffer | null {
  if (value === null) return null;
  const bytes = valueSerde.serialize(value);
  return bytes === null ? null : createHash('md5').update(bytes).digest();
}

/** Equality of two hashes, either of which may be `null`. */
export function sameHash(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

function requireBytes(bytes: Buffer | null, what: string): Buffer {
  if (bytes === null) throw new SerializationError(`foreign-key join: the ${what} serializes to null`);
  return bytes;
}

/** `[version][instruction][hash flag][hash?][partition int32][primary key bytes]`. */
export function subscriptionWrapperSerde<K>(primaryKeySerde: Serde<K>): Serde<SubscriptionWrapper<K>> {
  return {
    name: `subscription-wrapper(${primaryKeySerde.name})`,
    serialize(wrapper, topic) {
      if (wrapper === null) return null;
      const key = requireBytes(primaryKeySerde.serialize(wrapper.primaryKey, topic), 'primary key');
      const hashSize = wrapper.hash === null ? 0 : HASH_SIZE;
      const out = Buffer.allocUnsafe(3 + hashSize + 4 + key.length);
      out[0] = VERSION;
      out[1] = INSTRUCTIONS.indexOf(wrapper.instruction);
      out[2] = wrapper.hash === null ? 0 : 1;
      if (wrapper.hash !== null) wrapper.hash.copy(out, 3);
      out.writeInt32BE(wrapper.primaryPartition, 3 + hashSize);
      key.copy(out, 7 + hashSize);
      return out;
    },
    deserialize(bytes, topic) {
      if (bytes === null) return null;
      const hashSize = bytes[2] === 1 ? HASH_SIZE : 0;
      const instruction = INSTRUCTIONS[bytes[1]!];
      if (bytes[0] !== VERSION || instruction === undefined)
        throw new DeserializationError('foreign-key join: unknown subscription format');
      return {
        hash: hashSize === 0 ? null : Buffer.from(bytes.subarray(3, 3 + HASH_SIZE)),
        instruction,
        primaryPartition: bytes.readInt32BE(3 + hashSize),
        primaryKey: primaryKeySerde.deserialize(bytes.subarray(7 + hashSize), topic) as K,
      };
    },
  };
}

/** `[version][hash flag][hash?][partition int32][value flag][foreign value bytes?]`. */
export function subscriptionResponseSerde<VO>(foreignValueSerde: Serde<VO>): Serde<SubscriptionResponse<VO>> {
  return {
    name: `subscription-response(${foreignValueSerde.name})`,
    serialize(response, topic) {
      if (response === null) return null;
      const value =
        response.foreignValue === null ? null : foreignValueSerde.serialize(response.foreignValue, topic);
      const hashSize = response.hash === null ? 0 : HASH_SIZE;
      const out = Buffer.allocUnsafe(2 + hashSize + 5 + (value === null ? 0 : value.length));
      out[0] = VERSION;
      out[1] = response.hash === null ? 0 : 1;
      if (response.hash !== null) response.hash.copy(out, 2);
      out.writeInt32BE(response.primaryPartition, 2 + hashSize);
      out[6 + hashSize] = value === null ? 0 : 1;
      if (value !== null) value.copy(out, 7 + hashSize);
      return out;
    },
    deserialize(bytes, topic) {
      if (bytes === null) return null;
      if (bytes[0] !== VERSION)
        throw new DeserializationError('foreign-key join: unknown subscription response format');
      const hashSize = bytes[1] === 1 ? HASH_SIZE : 0;
      return {
        hash: hashSize === 0 ? null : Buffer.from(bytes.subarray(2, 2 + HASH_SIZE)),
        primaryPartition: bytes.readInt32BE(2 + hashSize),
        foreignValue:
          bytes[6 + hashSize] === 1
            ? foreignValueSerde.deserialize(bytes.subarray(7 + hashSize), topic)
            : null,
      };
    },
  };
}

/**
 * The prefix of a combined key: `[foreign key length int32][foreign key bytes]`. Serializing a
 * foreign key with it gives exactly the leading bytes of every combined key under that foreign key.
 */
export function foreignKeyPrefixSerde<KO>(foreignKeySerde: Serde<KO>): Serde<KO> {
  return {
    name: `fk-prefix(${foreignKeySerde.name})`,
    serialize(foreignKey, topic) {
      if (foreignKey === null) return null;
      const fk = requireBytes(foreignKeySerde.serialize(foreignKey, topic), 'foreign key');
      const out = Buffer.allocUnsafe(4 + fk.length);
      out.writeInt32BE(fk.length, 0);
      fk.copy(out, 4);
      return out;
    },
    deserialize(bytes, topic) {
      return bytes === null
        ? null
        : foreignKeySerde.deserialize(bytes.subarray(4, 4 + bytes.readInt32BE(0)), topic);
    },
  };
}

/** `[foreign key length int32][foreign key bytes][primary key bytes]`. */
export function combinedKeySerde<KO, K>(
  foreignKeySerde: Serde<KO>,
  primaryKeySerde: Serde<K>,
): Serde<CombinedKey<KO, K>> {
  const prefix = foreignKeyPrefixSerde(foreignKeySerde);
  return {
    name: `combined-key(${foreignKeySerde.name}, ${primaryKeySerde.name})`,
    serialize(key, topic) {
      if (key === null) return null;
      const head = prefix.serialize(key.foreignKey, topic)!;
      const tail = requireBytes(primaryKeySerde.serialize(key.primaryKey, topic), 'primary key');
      return Buffer.concat([head, tail]);
    },
    deserialize(bytes, topic) {
      if (bytes === null) return null;
      const fkEnd = 4 + bytes.readInt32BE(0);
      return {
        foreignKey: foreignKeySerde.deserialize(bytes.subarray(4, fkEnd), topic) as KO,
        primaryKey: primaryKeySerde.deserialize(bytes.subarray(fkEnd), topic) as K,
      };
    },
  };
}
