import type { Serde } from '../serde/serde.js';
import type { StateStore, StoreBuilder } from '../state/store.js';
import type { Processor, StreamPartitioner, TimestampExtractor, TopicNameExtractor } from './processor.js';

/** @internal */
export interface SourceNodeDef {
  readonly kind: 'source';
  readonly name: string;
  readonly topics: readonly string[];
  readonly keySerde: Serde<unknown> | undefined;
  readonly valueSerde: Serde<unknown> | undefined;
  readonly timestampExtractor: TimestampExtractor | undefined;
  readonly offsetReset: 'earliest' | 'latest';
  readonly children: string[];
  readonly global: boolean;
}

/** @internal */
export interface ProcessorNodeDef {
  readonly kind: 'processor';
  readonly name: string;
  readonly factory: () => Processor<any, any, any, any>;
  readonly parents: readonly string[];
  readonly children: string[];
  readonly stores: Set<string>;
  readonly global: boolean;
}

/** @internal */
export interface SinkNodeDef {
  readonly kind: 'sink';
  readonly name: string;
  readonly topic: string | TopicNameExtractor<any, any>;
  readonly keySerde: Serde<unknown> | undefined;
  readonly valueSerde: Serde<unknown> | undefined;
  readonly partitioner: StreamPartitioner<any, any> | undefined;
  readonly parents: readonly string[];
}

/** @internal */
export type NodeDef = SourceNodeDef | ProcessorNodeDef | SinkNodeDef;

/** Which inner store a DSL store gets when its operator names none (`defaultDslStore` config). */
export type DslStoreType = 'in-memory' | 'persistent';

/** @internal */
export interface StoreEntry {
  /** The store's builder; for a DSL store, its in-memory form (names, serdes and logging are the same either way). */
  readonly builder: StoreBuilder<StateStore>;
  /** For a DSL store: its builder over the inner store the runner picks. */
  readonly builderFor?: (defaultDslStore: DslStoreType) => StoreBuilder<StateStore>;
  readonly processors: Set<string>;
  readonly global: boolean;
  /** For global stores and source-topic tables: the topic that already holds the data. */
  readonly sourceTopic: string | undefined;
}

/**
 * @internal The builder a runner builds `entry`'s store with: a DSL store over the inner store the
 * runner's `defaultDslStore` picks, any other store as it was added. The topology is not changed.
 *
 * @example
 * ```ts
 * const store = storeBuilderOf(topology.stores.get('counts')!, 'persistent').build();
 * ```
 */
export function storeBuilderOf(entry: StoreEntry, defaultDslStore: DslStoreType): StoreBuilder<StateStore> {
  return entry.builderFor?.(defaultDslStore) ?? entry.builder;
}

/** @internal A set of nodes connected by edges or shared stores, run as one task per partition. */
export interface Subtopology {
  readonly id: number;
  readonly nodes: readonly NodeDef[];
  /** Source topics as written in the topology (internal ones without the application prefix). */
  readonly sourceTopics: readonly string[];
  readonly sinkTopics: readonly string[];
  readonly stores: readonly string[];
}

/** @internal Internal topics: repartition topics created and owned by the application. */
export interface InternalTopicDef {
  readonly name: string;
  readonly numberOfPartitions: number | undefined;
}

/** @internal What describing a topology reads of it (a `Topology` is one). */
export interface DescribableTopology {
  readonly nodes: ReadonlyMap<string, NodeDef>;
  readonly stores: ReadonlyMap<string, StoreEntry>;
  subtopologies(): Subtopology[];
}
