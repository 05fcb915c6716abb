import type { Serde } from '../serde/serde.js';
import type { StateStore, StoreBuilder } from '../state/store.js';
import type {
  Processor,
  StreamPartitioner,
  TimestampExtractor,
  TopicNameExtractor,
} from '../topology/processor.js';
import type { Materialized } from './options.js';

/**
 * @internal The logical graph the DSL builds. Each DSL method validates, names and appends one
 * or more frozen nodes; `compileGraph` turns them into a physical `Topology`, in creation order
 * (so parents always come first).
 */
export type GraphNode = SourceNode | ProcessorNode | SinkNode | StoreNode | RepartitionNode | GlobalStoreNode;

export interface SourceNode {
  readonly kind: 'source';
  readonly name: string;
  readonly topics: readonly string[];
  readonly keySerde: Serde<any> | undefined;
  readonly valueSerde: Serde<any> | undefined;
  readonly timestampExtractor: TimestampExtractor | undefined;
  readonly offsetReset: 'earliest' | 'latest' | undefined;
}

export interface ProcessorNode {
  readonly kind: 'processor';
  readonly name: string;
  readonly parents: readonly string[];
  readonly supplier: () => Processor<any, any, any, any>;
  readonly stores: readonly string[];
}

export interface SinkNode {
  readonly kind: 'sink';
  readonly name: string;
  readonly parent: string;
  readonly topic: string | TopicNameExtractor<any, any>;
  readonly keySerde: Serde<any> | undefined;
  readonly valueSerde: Serde<any> | undefined;
  readonly partitioner: StreamPartitioner<any, any> | undefined;
}

/** A key-value store the DSL creates for a table or aggregation; its type is decided at compile time. */
export interface StoreNode {
  readonly kind: 'store';
  readonly name: string;
  readonly keySerde: Serde<any> | undefined;
  readonly valueSerde: Serde<any> | undefined;
  readonly materialized: Materialized<any, any> | undefined;
  /** A ready-made builder (user stores from `addStateStore`). */
  readonly builder: StoreBuilder<StateStore> | undefined;
  /**
   * Makes the builder at compile time given the topology's `defaultDslStore` (read when a task
   * builds the store): DSL window and session stores.
   */
  readonly builderFor?: (defaultDslStore: () => 'in-memory' | 'persistent') => StoreBuilder<StateStore>;
}

/** A repartition: null-key filter (unless `keepNullKeys`) → sink → internal topic → source. */
export interface RepartitionNode {
  readonly kind: 'repartition';
  /** Base name: the topic is `<applicationId>-<baseName>-repartition`. */
  readonly baseName: string;
  /** Overrides the topic name (without the application prefix), e.g. foreign-key join topics. */
  readonly topicName?: string;
  readonly parent: string;
  readonly filterName: string;
  readonly sinkName: string;
  readonly sourceName: string;
  readonly keySerde: Serde<any> | undefined;
  readonly valueSerde: Serde<any> | undefined;
  readonly numberOfPartitions: number | undefined;
  readonly partitioner: StreamPartitioner<any, any> | undefined;
  /** Table re-grouping: values are `Change`s, serialized with the value serde inside. */
  readonly changeValues: boolean;
  /** Writes `null`-key records too (the producer picks their partition) instead of dropping them. */
  readonly keepNullKeys?: boolean;
  /** The operator that needed it, for error messages. */
  readonly requestedBy: string;
}

export interface GlobalStoreNode {
  readonly kind: 'global-store';
  readonly storeName: string;
  readonly sourceName: string;
  readonly processorName: string;
  readonly topic: string;
  readonly keySerde: Serde<any> | undefined;
  readonly valueSerde: Serde<any> | undefined;
  readonly timestampExtractor: TimestampExtractor | undefined;
  readonly materialized: Materialized<any, any> | undefined;
  readonly builder: StoreBuilder<StateStore> | undefined;
  readonly supplier: () => Processor<any, any, never, never>;
}
