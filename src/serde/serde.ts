/**
 * A serializer/deserializer pair for one type. Serdes turn keys and values into the bytes that
 * Kafka stores, and back. `null` always maps to `null` (a Kafka tombstone), as in Kafka Streams.
 *
 * @example
 * ```ts
 * const upper: Serde<string> = {
 *   name: 'upper',
 *   serialize: (s) => (s === null ? null : Buffer.from(s.toUpperCase())),
 *   deserialize: (b) => (b === null ? null : b.toString()),
 * };
 * ```
 */
export interface Serde<T> {
  /**
   * A short name used in `describe()` output and error messages. It is also the serde's identity
   * for co-partitioning: the inputs of one join must use key serdes of the same name, so give a
   * serde whose bytes differ from another's a different name.
   */
  readonly name: string;
  /** Turns a value into bytes. `topic` is the topic the bytes are for (Avro subject naming etc.). */
  serialize(value: T | null, topic?: string): Buffer | null;
  /** Turns bytes into a value. Throws on malformed input; the runtime routes the error to the handler. */
  deserialize(bytes: Buffer | null, topic?: string): T | null;
  /**
   * Optional async set-up for one topic, awaited by `KafkaStreams.start()` for every source and
   * sink topic before any record flows, so `serialize`/`deserialize` stay synchronous (a Schema
   * Registry serde registers and loads its schemas here).
   */
  prepare?(topic: string): Promise<void>;
}

/** The value type a serde produces: `SerdeType<Serde<number>>` is `number`. */
export type SerdeType<S> = S extends Serde<infer T> ? T : never;
