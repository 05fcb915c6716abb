import { ConfigError } from '../errors.js';
import type { Windowed } from '../windowing/windowed.js';
import { deserializationError, serializationError } from './errors.js';
import { INT64_SIZE, readInt64Number, writeInt64Number } from './int64-codec.js';
import type { Serde } from './serde.js';

/** Options of `Serdes.windowed`. */
export interface WindowedSerdeOptions {
  /**
   * The size of the windows, so that deserialized keys carry `end = start + windowSizeMs`. The
   * bytes hold only the start; without a size the end is `Number.MAX_SAFE_INTEGER` (Java uses
   * `Long.MAX_VALUE`).
   */
  readonly windowSizeMs?: number;
}

/**
 * A serde for keys of time-windowed aggregations (tumbling, hopping, sliding windows), byte
 * compatible with Java's `TimeWindowedSerializer`/`TimeWindowedDeserializer`: the inner key's
 * bytes followed by the window start as an 8-byte big-endian long.
 */
export interface TimeWindowedSerde<K> extends Serde<Windowed<K>> {
  readonly windowType: 'time';
  /** The serde of the key inside the window. */
  readonly inner: Serde<K>;
  /** The window size used to compute `window.end` on deserialization; `undefined` when unknown. */
  readonly windowSizeMs: number | undefined;
}

/**
 * A serde for keys of session-windowed aggregations, byte compatible with Java's
 * `SessionWindowedSerializer`/`SessionWindowedDeserializer`: the inner key's bytes, then the
 * session end, then the session start, each an 8-byte big-endian long.
 */
export interface SessionWindowedSerde<K> extends Serde<Windowed<K>> {
  readonly windowType: 'session';
  /** The serde of the key inside the session. */
  readonly inner: Serde<K>;
}

/** Either kind of windowed serde; `windowType` tells them apart. */
export type WindowedSerde<K> = TimeWindowedSerde<K> | SessionWindowedSerde<K>;

export function timeWindowedSerde<K>(
  inner: Serde<K>,
  options: WindowedSerdeOptions = {},
): TimeWindowedSerde<K> {
  const { windowSizeMs } = options;
  if (windowSizeMs !== undefined && !(Number.isSafeInteger(windowSizeMs) && windowSizeMs > 0)) {
    throw new ConfigError(
      `Serdes.windowed: windowSizeMs must be a positive integer number of milliseconds, got ${String(windowSizeMs)}`,
    );
  }
  const name = `Windowed<${inner.name}>`;
  return Object.freeze({
    name,
    windowType: 'time' as const,
    inner,
    windowSizeMs,
    serialize(value: Windowed<K> | null, topic?: string): Buffer | null {
      if (value === null) return null;
      const start = value.window.start;
      checkTimestamp(name, value, 'window.start', start, topic);
      const keyBytes = innerKeyBytes(name, inner, value, topic);
      const bytes = Buffer.allocUnsafe(keyBytes.length + INT64_SIZE);
      keyBytes.copy(bytes, 0);
      writeInt64Number(bytes, start, keyBytes.length);
      return bytes;
    },
    deserialize(bytes: Buffer | null, topic?: string): Windowed<K> | null {
      // Java's deserializer also reads empty bytes as null.
      if (bytes === null || bytes.length === 0) return null;
      const keyLength = bytes.length - INT64_SIZE;
      if (keyLength < 0) {
        throw deserializationError(
          name,
          bytes,
          `expected at least ${INT64_SIZE} bytes (key + window start)`,
          topic,
        );
      }
      const start = readTimestamp(name, bytes, keyLength, 'window start', topic);
      const end =
        windowSizeMs === undefined
          ? Number.MAX_SAFE_INTEGER
          : Math.min(start + windowSizeMs, Number.MAX_SAFE_INTEGER);
      return { key: innerKey(name, inner, bytes, keyLength, topic), window: { start, end } };
    },
  });
}

export function sessionWindowedSerde<K>(inner: Serde<K>): SessionWindowedSerde<K> {
  const name = `SessionWindowed<${inner.name}>`;
  return Object.freeze({
    name,
    windowType: 'session' as const,
    inner,
    serialize(value: Windowed<K> | null, topic?: string): Buffer | null {
      if (value === null) return null;
      const { start, end } = value.window;
      checkTimestamp(name, value, 'window.start', start, topic);
      checkTimestamp(name, value, 'window.end', end, topic);
      const keyBytes = innerKeyBytes(name, inner, value, topic);
      const bytes = Buffer.allocUnsafe(keyBytes.length + 2 * INT64_SIZE);
      keyBytes.copy(bytes, 0);
      writeInt64Number(bytes, end, keyBytes.length);
      writeInt64Number(bytes, start, keyBytes.length + INT64_SIZE);
      return bytes;
    },
    deserialize(bytes: Buffer | null, topic?: string): Windowed<K> | null {
      if (bytes === null || bytes.length === 0) return null;
      const keyLength = bytes.length - 2 * INT64_SIZE;
      if (keyLength < 0) {
        throw deserializationError(
          name,
          bytes,
          `expected at least ${2 * INT64_SIZE} bytes (key + end + start)`,
          topic,
        );
      }
      const end = readTimestamp(name, bytes, keyLength, 'session end', topic);
      const start = readTimestamp(name, bytes, keyLength + INT64_SIZE, 'session start', topic);
      return { key: innerKey(name, inner, bytes, keyLength, topic), window: { start, end } };
    },
  });
}

function checkTimestamp(
  name: string,
  value: unknown,
  field: string,
  ms: number,
  topic: string | undefined,
): void {
  if (!Number.isSafeInteger(ms)) {
    throw serializationError(
      name,
      value,
      `${field} must be a safe integer of milliseconds, got ${String(ms)}`,
      topic,
    );
  }
}

function innerKeyBytes<K>(
  name: string,
  inner: Serde<K>,
  value: Windowed<K>,
  topic: string | undefined,
): Buffer {
  const keyBytes = inner.serialize(value.key, topic);
  if (keyBytes === null) {
    throw serializationError(name, value, `the inner ${inner.name} serde returned null for the key`, topic);
  }
  return keyBytes;
}

function readTimestamp(
  name: string,
  bytes: Buffer,
  offset: number,
  field: string,
  topic: string | undefined,
): number {
  const ms = readInt64Number(bytes, offset);
  if (!Number.isSafeInteger(ms)) {
    throw deserializationError(name, bytes, `${field} is beyond Number.MAX_SAFE_INTEGER milliseconds`, topic);
  }
  return ms;
}

function innerKey<K>(
  name: string,
  inner: Serde<K>,
  bytes: Buffer,
  keyLength: number,
  topic: string | undefined,
): K {
  const key = inner.deserialize(bytes.subarray(0, keyLength), topic);
  if (key === null)
    throw deserializationError(name, bytes, `the inner ${inner.name} serde returned a null key`, topic);
  return key;
}
