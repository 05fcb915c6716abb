export type { Serde, SerdeType } from './serde.js';
export { Serdes } from './serdes.js';
export { SerializationError } from './errors.js';
export type { AvroSchema } from './avro-serde.js';
export type {
  SessionWindowedSerde,
  TimeWindowedSerde,
  WindowedSerde,
  WindowedSerdeOptions,
} from './windowed-serdes.js';
export { SchemaRegistryError } from './schema-registry/registry-client.js';
export type {
  SchemaRegistryAvroOptions,
  SchemaRegistryAvroSerde,
} from './schema-registry/schema-registry-avro-serde.js';
