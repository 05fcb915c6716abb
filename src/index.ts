/**
 * Tributary: Kafka Streams for TypeScript. Every public name is exported here; anything not
 * listed is internal. Test utilities live in `tributary/testing`.
 */

// DSL
export { StreamsBuilder, type GlobalKTable, type TableConsumed, type TopologyConfig } from './dsl/streams-builder.js';
export type { KStream, BranchedKStream, Branched } from './dsl/kstream.js';
export type { KTable } from './dsl/ktable.js';
export type { KGroupedStream } from './dsl/kgrouped-stream.js';
export type { KGroupedTable } from './dsl/kgrouped-table.js';
export type {
  AggregateOptions,
  Consumed,
  Grouped,
  Materialized,
  Named,
  ProcessOptions,
  Produced,
  Repartitioned,
  TableOptions,
} from './dsl/options.js';

// Topology and Processor API
export { Topology, type SinkOptions, type SourceOptions } from './topology/topology.js';
export type {
  NodeDescription,
  SubtopologyDescription,
  GlobalStoreDescription,
  TopologyDescription,
} from './topology/describe.js';
export type {
  Cancellable,
  ForwardedRecord,
  Headers,
  Processor,
  ProcessorContext,
  ProcessorSupplier,
  PunctuationType,
  RecordMetadata,
  StreamPartitioner,
  StreamRecord,
  TimestampExtractor,
  TopicNameExtractor,
} from './topology/processor.js';

// Serdes
export { Serdes, SerializationError } from './serde/index.js';
export type {
  AvroSchema,
  Serde,
  SerdeType,
  SessionWindowedSerde,
  TimeWindowedSerde,
  WindowedSerde,
  WindowedSerdeOptions,
} from './serde/index.js';

// State
export { Stores } from './state/stores.js';
export type {
  KeyValue,
  KeyValueBytesStore,
  KeyValueBytesStoreSupplier,
  KeyValueIterator,
  KeyValueStore,
  StateStore,
  StateStoreContext,
  StoreBuilder,
} from './state/store.js';
export type { ValueAndTimestamp } from './state/value-and-timestamp.js';

// Windowing
export type { Window, Windowed } from './windowing/windowed.js';

// Runtime
export { KafkaStreams, embeddedKafka } from './runtime/kafka-streams.js';
export type { StreamsConfig, ProcessingGuarantee } from './runtime/config.js';
export type { StreamsEvent, StreamsState, RestoreListener, TaskMetadata } from './runtime/events.js';

// Errors and handlers
export {
  ConfigError,
  DeserializationError,
  ProcessingError,
  ProductionError,
  StateStoreError,
  StreamsError,
  TaskMigratedError,
  TopologyError,
  type StreamsErrorContext,
} from './errors.js';
export type { ExceptionHandler, FailedRecord, HandlerResponse } from './runtime/exception-handlers.js';
export type { Logger } from './runtime/logger.js';
