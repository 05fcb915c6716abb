import avro from 'avsc';
import { ConfigError, DeserializationError, SerdeNotReadyError } from '../../errors.js';
import type { AvroSchema } from '../avro-serde.js';
import { SerializationError, describeValue, messageOf } from '../errors.js';
import type { Serde } from '../serde.js';
import { RegistryClient, SchemaRegistryError } from './registry-client.js';
import { HEADER_SIZE, MAGIC_BYTE, frame } from './wire-format.js';

/** Options of `Serdes.schemaRegistry.avro()`. */
export interface SchemaRegistryAvroOptions {
  /** The registry's base URL, e.g. `http://localhost:8081`. */
  readonly url: string;
  /**
   * The Avro schema this serde writes with and reads into (the reader schema). Without it the
   * serde writes with the subject's latest registered schema and reads each record with its
   * writer schema.
   */
  readonly schema?: AvroSchema;
  /** A fixed subject for every topic. Default: `<topic>-value`, or `<topic>-key` with `isKey`. */
  readonly subject?: string;
  /** The serde is for keys, so the default subject is `<topic>-key`. Default `false`. */
  readonly isKey?: boolean;
  /** Register `schema` under the subject at start (default `true`); `false` only looks it up. */
  readonly autoRegister?: boolean;
  /** Extra HTTP headers on every request, e.g. `{ authorization: 'Basic …' }`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Timeout of one registry request in ms. Default 10 000. */
  readonly requestTimeoutMs?: number;
}

/** A Confluent-wire-format Avro serde; `prepare(topic)` does the registry I/O ahead of the records. */
export interface SchemaRegistryAvroSerde<T> extends Serde<T> {
  /**
   * Registers (or looks up) the writer schema under the topic's subject and loads every schema
   * version of that subject, so `serialize` and `deserialize` never wait on the network.
   * `KafkaStreams.start()` calls it for every source and sink topic; call it yourself for a
   * `TopologyTestDriver` or a plain producer.
   */
  prepare(topic: string): Promise<void>;
  /** The subject the serde uses for `topic`. */
  subjectFor(topic: string): string;
}

interface Reader {
  readonly writer: avro.Type;
  readonly resolver: avro.Resolver | undefined;
}

export function schemaRegistryAvroSerde<T>(options: SchemaRegistryAvroOptions): SchemaRegistryAvroSerde<T> {
  if (typeof options?.url !== 'string' || !/^https?:\/\//.test(options.url)) {
    throw new ConfigError(
      `Serdes.schemaRegistry.avro: "url" must be an http(s) URL of the registry, got ${describeValue(options?.url)}.`,
    );
  }
  const client = new RegistryClient(options.url, options.headers ?? {}, options.requestTimeoutMs ?? 10_000);
  const readerType = options.schema === undefined ? undefined : avro.Type.forSchema(options.schema);
  const writerText =
    readerType === undefined ? undefined : JSON.stringify(readerType.schema({ exportAttrs: true }));
  const autoRegister = options.autoRegister ?? true;
  const suffix = options.isKey === true ? '-key' : '-value';
  const name = `SchemaRegistryAvro<${readerType?.name ?? readerType?.typeName ?? 'writer schema'}>`;
  const subjectFor = (topic: string | undefined): string =>
    options.subject ?? (topic === undefined ? `<no topic>${suffix}` : `${topic}${suffix}`);

  const readers = new Map<number, Reader>();
  const fetching = new Map<number, Promise<void>>();
  const fetchFailures = new Map<number, string>();
  /** The id of `schema` (the same under every subject), or per topic the latest version without it. */
  let writerId: number | undefined;
  const latestByTopic = new Map<string, { id: number; type: avro.Type }>();
  const prepared = new Set<string>();
  const preparingInBackground = new Set<string>();

  function addSchema(id: number, schemaText: string, subject: string): void {
    if (readers.has(id)) return;
    const writer = avro.Type.forSchema(JSON.parse(schemaText) as avro.Schema);
    let resolver: avro.Resolver | undefined;
    if (readerType !== undefined) {
      try {
        resolver = readerType.createResolver(writer);
      } catch (error) {
        throw new SchemaRegistryError(
          `${name}: schema id ${id} of subject "${subject}" cannot be read with this serde's schema: ${messageOf(error)}`,
          { cause: error },
        );
      }
    }
    readers.set(id, { writer, resolver });
  }

  function fetchInBackground(id: number, subject: string): Promise<void> {
    const running = fetching.get(id);
    if (running !== undefined) return running;
    const done = client
      .schemaById(id)
      .then((found) => addSchema(found.id, found.schema, subject))
      .catch((error: unknown) => {
        fetchFailures.set(id, messageOf(error));
      });
    const settled = done.finally(() => fetching.delete(id));
    fetching.set(id, settled);
    return settled;
  }

  async function prepare(topic: string): Promise<void> {
    const subject = subjectFor(topic);
    if (prepared.has(subject)) return;
    if (writerText !== undefined) {
      try {
        writerId = autoRegister
          ? await client.register(subject, writerText)
          : await client.lookup(subject, writerText);
      } catch (error) {
        if (!(error instanceof SchemaRegistryError) || error.status === undefined) throw error;
        const what = autoRegister ? 'register' : 'find';
        throw new SchemaRegistryError(
          `${name}: cannot ${what} the schema under subject "${subject}"` +
            (error.status === 409 ? ' (incompatible with the versions registered there)' : '') +
            `: ${error.message}`,
          { status: error.status, errorCode: error.errorCode, cause: error },
        );
      }
      addSchema(writerId, writerText, subject);
    }
    for (const version of await client.versions(subject)) {
      const found = await client.version(subject, version);
      addSchema(found.id, found.schema, subject);
      if (writerText === undefined)
        latestByTopic.set(topic, { id: found.id, type: readers.get(found.id)!.writer });
    }
    prepared.add(subject);
  }

  return Object.freeze({
    name,
    prepare,
    subjectFor: (topic: string) => subjectFor(topic),
    serialize(value: T | null, topic?: string): Buffer | null {
      if (value === null) return null;
      const latest = readerType === undefined && topic !== undefined ? latestByTopic.get(topic) : undefined;
      const id = readerType === undefined ? latest?.id : writerId;
      const type = readerType ?? latest?.type;
      if (id === undefined || type === undefined) {
        throw new SerializationError(
          `${name} serde has no schema id for subject "${subjectFor(topic)}": call \`await serde.prepare(${JSON.stringify(topic ?? '<topic>')})\` before producing (KafkaStreams.start() does it for source and sink topics).`,
          { topic },
        );
      }
      if (topic !== undefined && readerType !== undefined && !prepared.has(subjectFor(topic))) {
        const subject = subjectFor(topic);
        if (!preparingInBackground.has(subject)) {
          // Same schema, same id under every subject: write now, register the new subject meanwhile
          // (once: a rejected registration is not retried per record).
          preparingInBackground.add(subject);
          prepare(topic).catch(() => undefined);
        }
      }
      try {
        return frame(id, type.toBuffer(value));
      } catch (error) {
        throw new SerializationError(
          `${name} serde cannot serialize ${describeValue(value)} for subject "${subjectFor(topic)}" (schema id ${id}): ${messageOf(error)}`,
          { topic, cause: error },
        );
      }
    },
    deserialize(bytes: Buffer | null, topic?: string): T | null {
      if (bytes === null) return null;
      if (bytes.length < HEADER_SIZE || bytes[0] !== MAGIC_BYTE) {
        throw new DeserializationError(
          `${name} serde cannot deserialize ${bytes.length} bytes for subject "${subjectFor(topic)}": ` +
            (bytes.length === 0
              ? 'empty payload'
              : `magic byte is ${bytes[0]}, expected ${MAGIC_BYTE} (not Confluent wire format)`),
          { topic },
        );
      }
      const id = bytes.readInt32BE(1);
      const reader = readers.get(id);
      if (reader === undefined) {
        const failure = fetchFailures.get(id);
        fetchFailures.delete(id);
        const where = `schema id ${id} (subject "${subjectFor(topic)}", registry ${client.url})`;
        if (failure !== undefined)
          throw new DeserializationError(`${name} serde could not fetch ${where}: ${failure}`, { topic });
        // A stream thread waits for the fetch and deserializes the record again.
        throw new SerdeNotReadyError(
          `${name} serde does not know ${where} yet: it is being fetched now.`,
          fetchInBackground(id, subjectFor(topic)),
          { topic },
        );
      }
      try {
        const payload = bytes.subarray(HEADER_SIZE);
        return (
          reader.resolver === undefined
            ? reader.writer.fromBuffer(payload)
            : readerType!.fromBuffer(payload, reader.resolver)
        ) as T;
      } catch (error) {
        throw new DeserializationError(
          `${name} serde cannot decode ${bytes.length} bytes with schema id ${id} (subject "${subjectFor(topic)}"): ${messageOf(error)}`,
          { topic, cause: error },
        );
      }
    },
  });
}
