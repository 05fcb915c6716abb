import { TopologyError } from '../errors.js';
import { jsonSerde } from '../serde/json-serde.js';
import type { Serde } from '../serde/serde.js';
import { Stores } from '../state/stores.js';
import type { KeyValueBytesStoreSupplier, StateStore, StoreBuilder } from '../state/store.js';
import { changeSerde } from '../topology/change-serde.js';
import { kstreamRepartitionFilter } from '../topology/processors/kstream-repartition-filter.js';
import { checkCoPartitionedKeySerdes } from '../topology/co-partitioned-key-serdes.js';
import type { DslStoreType } from '../topology/node-defs.js';
import { Topology } from '../topology/topology.js';
import type { GraphNode, GlobalStoreNode, StoreNode } from './graph.js';
import type { Materialized } from './options.js';

/** Settings `StreamsBuilder.build(config)` uses. */
export interface TopologyConfig {
  /** Used where an operator has no key serde of its own. */
  defaultKeySerde?: Serde<any>;
  /** Used where an operator has no value serde of its own. */
  defaultValueSerde?: Serde<any>;
}

type Compiler<N extends GraphNode> = (node: N, topology: Topology, config: TopologyConfig) => void;

const compilers: { [K in GraphNode['kind']]: Compiler<Extract<GraphNode, { kind: K }>> } = {
  source: (node, topology) =>
    topology.addSource(node.name, node.topics, {
      key: node.keySerde,
      value: node.valueSerde,
      timestampExtractor: node.timestampExtractor,
      offsetReset: node.offsetReset,
    }),
  processor: (node, topology) => {
    topology.addProcessor(node.name, node.supplier, ...node.parents);
    if (node.stores.length > 0) topology.connectProcessorAndStateStores(node.name, ...node.stores);
  },
  sink: (node, topology) =>
    topology.addSink(
      node.name,
      node.topic,
      { key: node.keySerde, value: node.valueSerde, partitioner: node.partitioner },
      node.parent,
    ),
  store: (node, topology) => {
    if (node.builder !== undefined) topology.addStateStore(node.builder);
    else topology.addDslStateStore((defaultDslStore) => dslStoreBuilder(node, topology, defaultDslStore));
  },
  repartition: (node, topology, config) => {
    const key = node.keySerde ?? config.defaultKeySerde;
    const value = node.valueSerde ?? config.defaultValueSerde;
    for (const [what, serde] of [
      ['key', key],
      ['value', value],
    ] as const) {
      if (serde === undefined) {
        throw new TopologyError(
          `"${node.requestedBy}" writes to repartition topic ${node.baseName}-repartition, but the ${what} serde is unknown (an upstream operator changed the type or key): pass { ${what}: Serdes.… } to the grouping or join (or set default${what === 'key' ? 'Key' : 'Value'}Serde in build()).`,
          { node: node.requestedBy },
        );
      }
    }
    const topic = node.topicName ?? `${node.baseName}-repartition`;
    const wireValue = node.changeValues ? changeSerde(value!) : value;
    topology.addInternalTopic(topic, node.numberOfPartitions);
    topology.addProcessor(node.filterName, kstreamRepartitionFilter(node.keepNullKeys === true), node.parent);
    topology.addSink(
      node.sinkName,
      topic,
      { key, value: wireValue, partitioner: node.partitioner },
      node.filterName,
    );
    topology.addSource(node.sourceName, topic, { key, value: wireValue });
  },
  'global-store': (node, topology) => {
    if (node.builder === undefined) topology.timestampedStores.add(node.storeName);
    const builder = node.builder ?? globalStoreBuilder(node);
    topology.addGlobalStore(
      builder,
      node.sourceName,
      node.topic,
      { key: node.keySerde, value: node.valueSerde, timestampExtractor: node.timestampExtractor },
      node.processorName,
      node.supplier,
    );
  },
};

/** @internal Turns the DSL's logical graph into a physical topology. */
export function compileGraph(nodes: readonly GraphNode[], config: TopologyConfig): Topology {
  const topology = new Topology();
  for (const node of nodes) (compilers[node.kind] as Compiler<GraphNode>)(node, topology, config);
  topology.validate();
  checkCoPartitionedKeySerdes(topology, config.defaultKeySerde);
  return topology;
}

function dslStoreBuilder(
  node: StoreNode,
  topology: Topology,
  defaultDslStore: DslStoreType,
): StoreBuilder<StateStore> {
  if (node.builderFor !== undefined) return node.builderFor(() => defaultDslStore);
  topology.timestampedStores.add(node.name);
  const m = node.materialized;
  const supplier = m?.storeSupplier ?? innerStoreSupplier(node.name, m?.storeType ?? defaultDslStore);
  const builder = Stores.timestampedKeyValueStoreBuilder(
    supplier,
    m?.key ?? node.keySerde ?? (jsonSerde as Serde<any>),
    m?.value ?? node.valueSerde ?? (jsonSerde as Serde<any>),
  ) as unknown as StoreBuilder<StateStore>;
  applyMaterialized(builder, m);
  return builder;
}

function globalStoreBuilder(node: GlobalStoreNode): StoreBuilder<StateStore> {
  const m = node.materialized;
  const supplier = m?.storeSupplier ?? Stores.inMemoryKeyValueStore(node.storeName);
  const builder = Stores.timestampedKeyValueStoreBuilder(
    supplier,
    m?.key ?? node.keySerde ?? (jsonSerde as Serde<any>),
    m?.value ?? node.valueSerde ?? (jsonSerde as Serde<any>),
  ) as unknown as StoreBuilder<StateStore>;
  builder.withLoggingDisabled();
  if (m?.caching === false) builder.withCachingDisabled();
  return builder;
}

function applyMaterialized(builder: StoreBuilder<StateStore>, m: Materialized<any, any> | undefined): void {
  if (m?.caching === false) builder.withCachingDisabled();
  if (m?.logging === false) builder.withLoggingDisabled();
  else if (typeof m?.logging === 'object') builder.withLoggingEnabled(m.logging);
}

/** The inner key-value store of a DSL store: the operator's `storeType`, else the runner's `defaultDslStore`. */
function innerStoreSupplier(name: string, storeType: DslStoreType): KeyValueBytesStoreSupplier {
  return storeType === 'persistent'
    ? Stores.persistentKeyValueStore(name)
    : Stores.inMemoryKeyValueStore(name);
}
