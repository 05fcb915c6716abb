import { DeserializationError, StreamsError } from '../errors.js';

/**
 * A value could not be turned into bytes: wrong type, out of range, or rejected by the serde's
 * schema. Thrown by `serialize`; the runtime adds the task, topic and node it happened at.
 *
 * @example
 * ```ts
 * try { Serdes.int32().serialize(1.5); } catch (e) { if (e instanceof SerializationError) console.error(e.message); }
 * ```
 */
export class SerializationError extends StreamsError {}

/** Names a value for an error message without printing what may be a large or private payload. */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'number':
    case 'bigint':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'string':
      return `a string of length ${value.length}`;
    case 'undefined':
      return 'undefined';
    case 'object':
      if (Buffer.isBuffer(value)) return `a Buffer of ${value.length} bytes`;
      return Array.isArray(value)
        ? 'an array'
        : `an object (${value?.constructor?.name ?? 'null prototype'})`;
    default:
      return `a ${typeof value}`;
  }
}

export function serializationError(
  serdeName: string,
  value: unknown,
  reason: string,
  topic: string | undefined,
  cause?: unknown,
): SerializationError {
  return new SerializationError(`${serdeName} serde cannot serialize ${describeValue(value)}: ${reason}`, {
    topic,
    cause,
  });
}

export function deserializationError(
  serdeName: string,
  bytes: Buffer,
  reason: string,
  topic: string | undefined,
  cause?: unknown,
): DeserializationError {
  return new DeserializationError(`${serdeName} serde cannot deserialize ${bytes.length} bytes: ${reason}`, {
    topic,
    cause,
  });
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
