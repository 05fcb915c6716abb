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

/** @internal */
export interface StoreEntry {
  readonly builder: StoreBuilder<StateStore>;
  readonly processors: Set<string>;
  readonly global: boolean;
  /** For global stores and source-topic tables: the topic that already holds the data. */
  readonly sourceTopic: string | undefined;
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
