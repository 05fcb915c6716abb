import { TopologyError } from '../errors.js';
import type { Serde } from '../serde/serde.js';
import { changelogTopicName } from '../state/internal/metered-store-core.js';
import type { StateStore, StoreBuilder } from '../state/store.js';
import { describeTopology, type TopologyDescription } from './describe.js';
import type {
  InternalTopicDef,
  NodeDef,
  ProcessorNodeDef,
  SourceNodeDef,
  DslStoreType,
  StoreEntry,
  Subtopology,
} from './node-defs.js';
import {
  supplierToFactory,
  type ProcessorSupplier,
  type StreamPartitioner,
  type TimestampExtractor,
  type TopicNameExtractor,
} from './processor.js';

/** Options of a source node. Serdes left out fall back to the configured defaults. */
export interface SourceOptions<K = unknown, V = unknown> {
  key?: Serde<K>;
  value?: Serde<V>;
  timestampExtractor?: TimestampExtractor;
  /** Where to start without a committed offset. Default `'earliest'`. */
  offsetReset?: 'earliest' | 'latest';
}

/** Options of a sink node. */
export interface SinkOptions<K = unknown, V = unknown> {
  key?: Serde<K>;
  value?: Serde<V>;
  partitioner?: StreamPartitioner<K, V>;
}

/**
 * A physical processing graph: sources, processors, sinks and state stores. Build one with
 * `StreamsBuilder.build()` or by hand with the Processor API methods below, then run it with
 * `KafkaStreams` or test it with `TopologyTestDriver`.
 *
 * @example
 * ```ts
 * const topology = new Topology()
 *   .addSource('in', 'words', { key: Serdes.string(), value: Serdes.string() })
 *   .addProcessor('upper', () => new UpperCase(), 'in')
 *   .addSink('out', 'upper-words', { key: Serdes.string(), value: Serdes.string() }, 'upper');
 * console.log(topology.describe().toString());
 * ```
 */
export class Topology {
  /** @internal */ readonly nodes = new Map<string, NodeDef>();
  /** @internal */ readonly stores = new Map<string, StoreEntry>();
  /** @internal */ readonly internalTopics = new Map<string, InternalTopicDef>();
  /** @internal Source topics already read by a source, to reject double subscriptions. */
  private readonly sourceTopicOwners = new Map<string, string>();
  /** @internal DSL stores whose values are `{ value, timestamp }`; the test driver unwraps them. */
  readonly timestampedStores = new Set<string>();
  /** @internal Stores whose changelog is the source topic itself (source tables). */
  readonly sourceChangelogs = new Map<string, string>();

  /**
   * Adds a source reading `topics`.
   * @example `topology.addSource('in', ['a', 'b'], { key: Serdes.string(), value: Serdes.json() })`
   */
  addSource(name: string, topics: string | readonly string[], options: SourceOptions = {}): this {
    return this.addSourceNode(name, topics, options, false);
  }

  /**
   * Adds a processor fed by `parentNames`.
   * @example `topology.addProcessor('upper', () => new Upper(), 'in')`
   */
  addProcessor<KIn, VIn, KOut, VOut>(
    name: string,
    supplier: ProcessorSupplier<KIn, VIn, KOut, VOut>,
    ...parentNames: string[]
  ): this {
    this.requireNewName(name);
    if (parentNames.length === 0) {
      throw new TopologyError(
        `Processor "${name}" must have at least one parent: pass the name of a source or processor.`,
        { node: name },
      );
    }
    const parents = parentNames.map((parent) => this.requireParent(name, parent));
    const global = parents.some((p) => p.kind !== 'sink' && p.global);
    this.nodes.set(name, {
      kind: 'processor',
      name,
      factory: supplierToFactory(supplier),
      parents: parentNames,
      children: [],
      stores: new Set(),
      global,
    });
    for (const parent of parents) (parent as SourceNodeDef | ProcessorNodeDef).children.push(name);
    return this;
  }

  /**
   * Adds a sink writing to `topic` (or to the topic `topic(key, value, ctx)` picks).
   * @example `topology.addSink('out', 'upper-words', { value: Serdes.string() }, 'upper')`
   */
  addSink<K, V>(
    name: string,
    topic: string | TopicNameExtractor<K, V>,
    options: SinkOptions<K, V> = {},
    ...parentNames: string[]
  ): this {
    this.requireNewName(name);
    if (parentNames.length === 0) {
      throw new TopologyError(`Sink "${name}" must have at least one parent.`, { node: name });
    }
    if (typeof topic === 'string') requireTopicName(name, topic);
    const parents = parentNames.map((parent) => this.requireParent(name, parent));
    this.nodes.set(name, {
      kind: 'sink',
      name,
      topic,
      keySerde: options.key as Serde<unknown> | undefined,
      valueSerde: options.value as Serde<unknown> | undefined,
      partitioner: options.partitioner,
      parents: parentNames,
    });
    for (const parent of parents) (parent as SourceNodeDef | ProcessorNodeDef).children.push(name);
    return this;
  }

  /**
   * Adds a state store and connects it to the named processors.
   * @example `topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('counts'), k, v), 'counter')`
   */
  addStateStore(builder: StoreBuilder<StateStore>, ...processorNames: string[]): this {
    if (this.stores.has(builder.name)) {
      throw new TopologyError(`State store "${builder.name}" is already added: store names must be unique.`, {
        node: builder.name,
      });
    }
    this.stores.set(builder.name, { builder, processors: new Set(), global: false, sourceTopic: undefined });
    for (const processorName of processorNames) this.connectStore(processorName, builder.name);
    return this;
  }

  /**
   * @internal Adds a DSL store whose inner store the runner picks when it builds it
   * (`defaultDslStore`): `builderFor` makes the builder for either choice.
   */
  addDslStateStore(builderFor: (defaultDslStore: DslStoreType) => StoreBuilder<StateStore>): this {
    const builder = builderFor('in-memory');
    this.addStateStore(builder);
    this.stores.set(builder.name, { ...this.stores.get(builder.name)!, builderFor });
    return this;
  }

  /**
   * Connects stores to a processor so it can `getStateStore` them.
   * @example `topology.connectProcessorAndStateStores('joiner', 'left-store', 'right-store')`
   */
  connectProcessorAndStateStores(processorName: string, ...storeNames: string[]): this {
    for (const storeName of storeNames) this.connectStore(processorName, storeName);
    return this;
  }

  /**
   * Adds a global store: every instance reads all partitions of `topic` into it through
   * `stateUpdateSupplier`'s processor. Processors read it with `getStateStore`.
   * @example `topology.addGlobalStore(builder.withLoggingDisabled(), 'products-src', 'products', { key, value }, 'products-updater', () => new Updater())`
   */
  addGlobalStore<K, V>(
    builder: StoreBuilder<StateStore>,
    sourceName: string,
    topic: string,
    options: SourceOptions<K, V>,
    processorName: string,
    stateUpdateSupplier: ProcessorSupplier<K, V, never, never>,
  ): this {
    if (builder.loggingEnabled) builder.withLoggingDisabled();
    if (this.stores.has(builder.name)) {
      throw new TopologyError(`State store "${builder.name}" is already added: store names must be unique.`, {
        node: builder.name,
      });
    }
    this.addSourceNode(sourceName, topic, options, true);
    this.addProcessor(processorName, stateUpdateSupplier, sourceName);
    this.stores.set(builder.name, { builder, processors: new Set(), global: true, sourceTopic: topic });
    const processor = this.nodes.get(processorName) as ProcessorNodeDef;
    processor.stores.add(builder.name);
    this.stores.get(builder.name)!.processors.add(processorName);
    return this;
  }

  /** A description of sub-topologies, nodes, edges, stores and topics; `toString()` prints it like Kafka Streams. */
  describe(): TopologyDescription {
    return describeTopology(this);
  }

  /** @internal Declares a repartition topic owned by the application (name without the application prefix). */
  addInternalTopic(name: string, numberOfPartitions?: number): void {
    this.internalTopics.set(name, { name, numberOfPartitions });
  }

  /** @internal The full topic name: internal topics get the `<applicationId>-` prefix. */
  resolveTopic(applicationId: string, topic: string): string {
    return this.internalTopics.has(topic) ? `${applicationId}-${topic}` : topic;
  }

  /** @internal The changelog topic of a store, or undefined when it is not logged. */
  changelogTopic(applicationId: string, storeName: string): string | undefined {
    const source = this.sourceChangelogs.get(storeName);
    if (source !== undefined) return source;
    const entry = this.stores.get(storeName);
    if (entry === undefined || entry.global || !entry.builder.loggingEnabled) return undefined;
    return changelogTopicName(applicationId, storeName);
  }

  /** @internal Sub-topologies: nodes connected by edges or shared stores, numbered in insertion order. */
  subtopologies(): Subtopology[] {
    const parent = new Map<string, string>();
    const find = (x: string): string => {
      let root = x;
      while (parent.get(root) !== root) root = parent.get(root)!;
      parent.set(x, root);
      return root;
    };
    const union = (a: string, b: string) => {
      const ra = find(a);
      const rb = find(b);
      if (ra !== rb) parent.set(rb, ra);
    };
    const local = [...this.nodes.values()].filter((n) => !(n.kind !== 'sink' && n.global));
    for (const node of local) parent.set(node.name, node.name);
    for (const node of local) {
      if (node.kind !== 'source') for (const p of node.parents) union(p, node.name);
    }
    for (const store of this.stores.values()) {
      if (store.global) continue;
      const [first, ...rest] = [...store.processors];
      if (first !== undefined) for (const other of rest) union(first, other);
    }
    const groups = new Map<string, NodeDef[]>();
    for (const node of local) {
      const root = find(node.name);
      let group = groups.get(root);
      if (group === undefined) groups.set(root, (group = []));
      group.push(node);
    }
    return [...groups.values()].map((nodes, id) => ({
      id,
      nodes,
      sourceTopics: nodes.flatMap((n) => (n.kind === 'source' ? n.topics : [])),
      sinkTopics: nodes.flatMap((n) => (n.kind === 'sink' && typeof n.topic === 'string' ? [n.topic] : [])),
      stores: [...new Set(nodes.flatMap((n) => (n.kind === 'processor' ? [...n.stores] : [])))],
    }));
  }

  /** @internal The global part: global sources, their processors and global stores. */
  globalNodes(): NodeDef[] {
    return [...this.nodes.values()].filter((n) => n.kind !== 'sink' && n.global);
  }

  /** @internal Checks the whole graph; called by `StreamsBuilder.build()` and by the runners. */
  validate(): void {
    for (const node of this.nodes.values()) {
      if (node.kind === 'source' && node.children.length === 0) {
        throw new TopologyError(
          `Source "${node.name}" (topics: ${node.topics.join(', ')}) is connected to nothing: add a processor or sink with it as parent, or remove it.`,
          { node: node.name },
        );
      }
    }
    for (const [name, store] of this.stores) {
      if (/[/\\]/.test(name) || name === '.' || name === '..') {
        // The name becomes a directory under stateDir and part of the changelog topic's name.
        throw new TopologyError(
          `State store name "${name}" must not contain '/' or '\\' or be '.' or '..': it names a directory under stateDir and the store's changelog topic.`,
          { node: name },
        );
      }
      if (store.processors.size === 0 && !store.global) {
        throw new TopologyError(
          `State store "${name}" is not connected to any processor: pass it in { stores: ['${name}'] } of the processor that uses it.`,
          { node: name },
        );
      }
    }
  }

  private addSourceNode(
    name: string,
    topics: string | readonly string[],
    options: SourceOptions,
    global: boolean,
  ): this {
    this.requireNewName(name);
    const list = typeof topics === 'string' ? [topics] : [...topics];
    if (list.length === 0) {
      throw new TopologyError(`Source "${name}" must read at least one topic.`, { node: name });
    }
    for (const topic of list) {
      requireTopicName(name, topic);
      const owner = this.sourceTopicOwners.get(topic);
      if (owner !== undefined) {
        throw new TopologyError(
          `Topic "${topic}" is already read by source "${owner}": read each topic once and share the stream (e.g. with merge or by reusing the KStream).`,
          { node: name, topic },
        );
      }
      this.sourceTopicOwners.set(topic, name);
    }
    this.nodes.set(name, {
      kind: 'source',
      name,
      topics: list,
      keySerde: options.key as Serde<unknown> | undefined,
      valueSerde: options.value as Serde<unknown> | undefined,
      timestampExtractor: options.timestampExtractor,
      offsetReset: options.offsetReset ?? 'earliest',
      children: [],
      global,
    });
    return this;
  }

  private connectStore(processorName: string, storeName: string): void {
    const node = this.nodes.get(processorName);
    if (node === undefined || node.kind !== 'processor') {
      throw new TopologyError(
        `Cannot connect store "${storeName}": "${processorName}" is not a processor of this topology.`,
        {
          node: processorName,
        },
      );
    }
    const store = this.stores.get(storeName);
    if (store === undefined) {
      throw new TopologyError(
        `Processor "${processorName}" uses state store "${storeName}", which is not added: add it with addStateStore (or StreamsBuilder.addStateStore) first.`,
        { node: processorName },
      );
    }
    node.stores.add(storeName);
    store.processors.add(processorName);
  }

  private requireNewName(name: string): void {
    if (typeof name !== 'string' || name.length === 0) {
      throw new TopologyError('Node names must be non-empty strings.');
    }
    if (this.nodes.has(name)) {
      throw new TopologyError(
        `A node named "${name}" already exists: give each operator a unique { name }.`,
        {
          node: name,
        },
      );
    }
  }

  private requireParent(child: string, parentName: string): NodeDef {
    const parent = this.nodes.get(parentName);
    if (parent === undefined) {
      throw new TopologyError(
        `Parent "${parentName}" of "${child}" does not exist: add it before its children.`,
        {
          node: child,
        },
      );
    }
    if (parent.kind === 'sink') {
      throw new TopologyError(
        `Sink "${parentName}" cannot be a parent of "${child}": sinks have no children.`,
        {
          node: child,
        },
      );
    }
    return parent;
  }
}

function requireTopicName(node: string, topic: string): void {
  if (typeof topic !== 'string' || !/^[a-zA-Z0-9._-]{1,249}$/.test(topic)) {
    throw new TopologyError(
      `"${String(topic)}" (node "${node}") is not a valid Kafka topic name: use 1–249 characters from [a-zA-Z0-9._-].`,
      { node, topic: String(topic) },
    );
  }
}
