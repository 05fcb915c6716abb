/**
 * Tributary: Kafka Streams for TypeScript. Every public name is exported here; anything not
 * listed is internal. Test utilities live in `tributary/testing`.
 */

// Fails fast on a Node.js older than the package supports; imported first so it runs first.
import './node-version.js';

// DSL
export {
  StreamsBuilder,
  type GlobalKTable,
  type TableConsumed,
  type TopologyConfig,
} from './dsl/streams-builder.js';
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
export type { Joined, StreamJoined } from './dsl/join-options.js';

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
export { Serdes, SerializationError, SchemaRegistryError } from './serde/index.js';
export type {
  AvroSchema,
  SchemaRegistryAvroOptions,
  SchemaRegistryAvroSerde,
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
export { TimeWindows } from './windowing/time-windows.js';
export { SlidingWindows } from './windowing/sliding-windows.js';
export { SessionWindows } from './windowing/session-windows.js';
export { JoinWindows } from './windowing/join-windows.js';
export { EmitStrategy } from './windowing/emit-strategy.js';
export { BufferConfig, Suppressed } from './windowing/suppressed.js';
export type {
  TimeWindowedKStream,
  WindowedAggregateOptions,
  WindowedMaterialized,
} from './dsl/time-windowed-kstream.js';
export type { SessionWindowedKStream } from './dsl/session-windowed-kstream.js';
export type {
  WindowBytesStore,
  WindowBytesStoreSupplier,
  WindowedBytes,
  WindowStore,
  WindowStoreIterator,
} from './state/window/window-store.js';
export type { MeteredWindowStore, WindowedStoreMetrics } from './state/window/metered-window-store.js';
export type { MeteredSessionStore } from './state/session/metered-session-store.js';
export type { InspectableWindowStore } from './state/window/plain-window-store-view.js';
export type { KeyValueStoreMetrics } from './state/metered-key-value-store.js';
export type {
  SessionBytes,
  SessionBytesStore,
  SessionBytesStoreSupplier,
  SessionStore,
} from './state/session/session-store.js';

// Runtime
export { KafkaStreams, embeddedKafka } from './runtime/kafka-streams.js';
export { TopologyPlanError } from './runtime/topic-plan.js';
export { createEmbeddedKafka } from './kafka/embedded/client.js';
export type { EmbeddedKafka, EmbeddedKafkaOptions } from './kafka/embedded/client.js';
export type { KafkaClient } from './kafka/port.js';
export type { StreamsConfig, ProcessingGuarantee } from './runtime/config.js';
export { runApp, type RunAppOptions, type RunningApp } from './runtime/run-app.js';
export type {
  StreamThreadExceptionResponse,
  UncaughtExceptionHandler,
} from './runtime/uncaught-exception.js';
export type {
  StreamsEvent,
  StreamsState,
  RestoreListener,
  TaskMetadata,
  ThreadMetadata,
} from './runtime/events.js';
export type {
  QueryableStore,
  QueryableStoreType,
  ReadOnlyKeyValueStore,
  ReadOnlySessionStore,
  ReadOnlyWindowStore,
  StoreAccessor,
  StoreQueryOptions,
} from './runtime/queryable-stores.js';
export type {
  HostInfo,
  KeyQueryMetadata,
  KeyQueryOptions,
  StreamsMetadata,
} from './runtime/streams-metadata.js';
export type { StreamsMetric, MetricGroup, MetricName } from './runtime/metrics/metric.js';

// Errors and handlers
export {
  ConfigError,
  DeserializationError,
  SerdeNotReadyError,
  InvalidStateStoreError,
  ProcessingError,
  ProductionError,
  StateStoreError,
  StreamsError,
  TaskMigratedError,
  TopologyError,
  type StreamsErrorContext,
} from './errors.js';
export type { ExceptionHandler, FailedRecord, HandlerResponse } from './runtime/exception-handlers.js';
export type { DroppedRecordCounts } from './runtime/dropped-records.js';
export type { DropReason } from './topology/dropped-records.js';
export { consoleLogger, type Logger, type LogLevel } from './logger.js';
