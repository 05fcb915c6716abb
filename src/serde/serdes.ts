import { type AvroSchema, avroSerde } from './avro-serde.js';
import { jsonSerde } from './json-serde.js';
import {
  bufferSerde,
  float64Serde,
  int32Serde,
  int64Serde,
  longSerde,
  stringSerde,
  voidSerde,
} from './primitive-serdes.js';
import {
  type SchemaRegistryAvroOptions,
  type SchemaRegistryAvroSerde,
  schemaRegistryAvroSerde,
} from './schema-registry/schema-registry-avro-serde.js';
import type { Serde } from './serde.js';
import {
  type SessionWindowedSerde,
  type TimeWindowedSerde,
  type WindowedSerdeOptions,
  sessionWindowedSerde,
  timeWindowedSerde,
} from './windowed-serdes.js';

/**
 * The built-in serdes. Each is byte compatible with the Java serde it names, so a Tributary app
 * and a Kafka Streams app can read each other's topics and changelogs. Every serde maps `null`
 * to `null` (a tombstone). Factories without arguments return shared, immutable instances.
 *
 * @example
 * ```ts
 * const orders = builder.stream('orders', { key: Serdes.string(), value: Serdes.json<Order>() });
 * ```
 */
export const Serdes = Object.freeze({
  /**
   * UTF-8 text; Java `Serdes.String()`. Empty bytes read as `''`. `T` narrows the type to a
   * union of string literals (not checked at run time), so a stream keyed by `'eu' | 'us'` needs
   * no annotation downstream.
   *
   * @example
   * ```ts
   * Serdes.string().serialize('héllo'); // <Buffer 68 c3 a9 6c 6c 6f>
   * const regionSerde = Serdes.string<'eu' | 'us'>(); // Serde<'eu' | 'us'>
   * ```
   */
  string<T extends string = string>(): Serde<T> {
    return stringSerde as Serde<T>;
  },

  /**
   * UTF-8 JSON via `JSON.stringify`/`JSON.parse`. `T` is not checked at run time; values without
   * a JSON form (`undefined`, `bigint`, cycles) fail with a `SerializationError`.
   *
   * @example
   * ```ts
   * interface Order { id: string; total: number }
   * const orderSerde = Serdes.json<Order>(); // Serde<Order>
   * ```
   */
  json<T = unknown>(): Serde<T> {
    return jsonSerde as Serde<T>;
  },

  /**
   * 8-byte big-endian IEEE 754 double; Java `Serdes.Double()`. NaN and ±Infinity round trip.
   *
   * @example
   * ```ts
   * Serdes.float64().serialize(1.5); // <Buffer 3f f8 00 00 00 00 00 00>
   * ```
   */
  float64(): Serde<number> {
    return float64Serde;
  },

  /**
   * 4-byte big-endian signed integer; Java `Serdes.Integer()`. Rejects non-integers and values
   * outside [-2^31, 2^31 - 1].
   *
   * @example
   * ```ts
   * Serdes.int32().serialize(-1); // <Buffer ff ff ff ff>
   * ```
   */
  int32(): Serde<number> {
    return int32Serde;
  },

  /**
   * 8-byte big-endian signed integer as a `bigint`; Java `Serdes.Long()`.
   *
   * @example
   * ```ts
   * Serdes.int64().serialize(1n); // <Buffer 00 00 00 00 00 00 00 01>
   * ```
   */
  int64(): Serde<bigint> {
    return int64Serde;
  },

  /**
   * A Java `long` (8-byte big-endian, `Serdes.Long()` bytes) as a JS `number`, for counts and
   * sums within ±2^53; `count()` results use it. Use `int64()` for the full range as `bigint`.
   *
   * @example
   * ```ts
   * counts.toStream().to('word-counts', { key: Serdes.string(), value: Serdes.long() });
   * ```
   */
  long(): Serde<number> {
    return longSerde;
  },

  /**
   * Raw bytes, passed through unchanged; Java `Serdes.ByteArray()` and `Serdes.Bytes()`.
   *
   * @example
   * ```ts
   * const raw = builder.stream('raw', { key: Serdes.buffer(), value: Serdes.buffer() });
   * ```
   */
  buffer(): Serde<Buffer> {
    return bufferSerde;
  },

  /**
   * Only `null`; Java `Serdes.Void()`. Use it as the key serde of a topic without keys: any
   * non-null value or bytes throw.
   *
   * @example
   * ```ts
   * const events = builder.stream('events', { key: Serdes.void(), value: Serdes.json<Event>() }); // KStream<null, Event>
   * ```
   */
  void(): Serde<null> {
    return voidSerde;
  },

  /**
   * Keys of time-windowed aggregations; Java `WindowedSerdes.timeWindowedSerdeFrom(cls, size)`.
   * Bytes: the inner key's bytes, then the window start as an 8-byte big-endian long. The end
   * is not stored: deserialized keys get `end = start + windowSizeMs`, or
   * `Number.MAX_SAFE_INTEGER` when no size is given (Java: `Long.MAX_VALUE`).
   *
   * @example
   * ```ts
   * const keySerde = Serdes.windowed(Serdes.string(), { windowSizeMs: 60_000 });
   * keySerde.deserialize(keySerde.serialize({ key: 'a', window: { start: 0, end: 60_000 } }));
   * // { key: 'a', window: { start: 0, end: 60_000 } }
   * ```
   */
  windowed<K>(inner: Serde<K>, options?: WindowedSerdeOptions): TimeWindowedSerde<K> {
    return timeWindowedSerde(inner, options);
  },

  /**
   * Keys of session-windowed aggregations; Java `WindowedSerdes.sessionWindowedSerdeFrom(cls)`.
   * Bytes: the inner key's bytes, then the session end, then the session start, each an 8-byte
   * big-endian long.
   *
   * @example
   * ```ts
   * const keySerde = Serdes.sessionWindowed(Serdes.string()); // Serde<Windowed<string>>
   * ```
   */
  sessionWindowed<K>(inner: Serde<K>): SessionWindowedSerde<K> {
    return sessionWindowedSerde(inner);
  },

  /**
   * Plain Avro binary encoding with the `avsc` package (one schema for reading and writing, no
   * Confluent Schema Registry framing; see docs/serdes.md to add it). `T` is your TypeScript type
   * for the schema's values and is not checked against it. Avro `long` values are JS numbers
   * unless you pass an `avsc` `Type` built with a custom long type.
   *
   * @example
   * ```ts
   * interface User { name: string; email: string | null }
   * const userSerde = Serdes.avro<User>({
   *   type: 'record', name: 'User',
   *   fields: [{ name: 'name', type: 'string' }, { name: 'email', type: ['null', 'string'], default: null }],
   * });
   * ```
   */
  avro<T = unknown>(schema: AvroSchema): Serde<T> {
    return avroSerde<T>(schema);
  },

  /** Serdes in the Confluent Schema Registry wire format. */
  schemaRegistry: Object.freeze({
    /**
     * Avro in the Confluent wire format (magic byte `0`, 4-byte big-endian schema id, Avro
     * binary), byte compatible with Confluent's `KafkaAvroSerializer`/`KafkaAvroDeserializer`.
     * `KafkaStreams.start()` calls the serde's `prepare(topic)` for each source and sink topic:
     * it registers `schema` under `<topic>-value` (or `<topic>-key` with `isKey`, or `subject`)
     * and loads every version of the subject, so per-record work stays synchronous. Records
     * written with an older or newer schema are resolved into `schema` (Avro schema evolution).
     *
     * @example
     * ```ts
     * interface Account { id: string; balance: number }
     * const accounts = Serdes.schemaRegistry.avro<Account>({
     *   url: 'http://localhost:8081',
     *   schema: { type: 'record', name: 'Account', fields: [
     *     { name: 'id', type: 'string' }, { name: 'balance', type: 'double' }] },
     * });
     * builder.stream('accounts', { key: Serdes.string(), value: accounts });
     * ```
     */
    avro<T = unknown>(options: SchemaRegistryAvroOptions): SchemaRegistryAvroSerde<T> {
      return schemaRegistryAvroSerde<T>(options);
    },
  }),
});
