import avro from 'avsc';
import { deserializationError, messageOf, serializationError } from './errors.js';
import type { Serde } from './serde.js';

/** An Avro schema: its JSON form (object or string), or an `avsc` `Type` built with custom options. */
export type AvroSchema = Parameters<typeof avro.Type.forSchema>[0];

export function avroSerde<T>(schema: AvroSchema): Serde<T> {
  const type = avro.Type.forSchema(schema);
  const name = `Avro<${type.name ?? type.typeName}>`;
  return Object.freeze({
    name,
    serialize(value: T | null, topic?: string): Buffer | null {
      if (value === null) return null;
      try {
        return type.toBuffer(value);
      } catch (error) {
        throw serializationError(name, value, invalidPaths(type, value) ?? messageOf(error), topic, error);
      }
    },
    deserialize(bytes: Buffer | null, topic?: string): T | null {
      if (bytes === null) return null;
      try {
        return type.fromBuffer(bytes) as T;
      } catch (error) {
        throw deserializationError(name, bytes, messageOf(error), topic, error);
      }
    },
  });
}

/** Lists where a value departs from the schema (`items.0.price: expected double`), or `undefined`. */
function invalidPaths(type: avro.Type, value: unknown): string | undefined {
  const problems: string[] = [];
  type.isValid(value, {
    errorHook: (path: string[], _value: unknown, expected: avro.Type) => {
      problems.push(`${path.length === 0 ? '<root>' : path.join('.')}: expected ${describeType(expected)}`);
    },
  });
  return problems.length === 0 ? undefined : `does not match the schema (${problems.join('; ')})`;
}

/** `int`, `com.example.User`, `null | string`: short enough for an error message. */
function describeType(type: avro.Type): string {
  const branches = (type as { types?: avro.Type[] }).types;
  if (branches !== undefined) return branches.map(describeType).join(' | ');
  return type.name ?? type.typeName;
}
