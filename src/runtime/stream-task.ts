import {
  DeserializationError,
  ProcessingError,
  ProductionError,
  StateStoreError,
  StreamsError,
} from '../errors.js';
import type { Serde } from '../serde/serde.js';
import type { CacheBudget, ChangelogRecord, StateStore, StateStoreContext } from '../state/store.js';
import type {
  Cancellable,
  ForwardedRecord,
  Headers,
  Processor,
  ProcessorContext,
  PunctuationType,
  RecordMetadata,
  StreamRecord,
} from '../topology/processor.js';
import type { NodeDef, SinkNodeDef, SourceNodeDef, Topology } from '../topology/topology.js';
import type { FailedRecord, HandlerResponse } from './exception-handlers.js';
import { PunctuationQueue } from './punctuation-queue.js';
import type { RecordCollector } from './record-collector.js';

/** What a task needs from whoever runs it: the KafkaStreams runtime or the TopologyTestDriver. */
export interface TaskHost {
  readonly applicationId: string;
  readonly collector: RecordCollector;
  readonly defaultKeySerde: Serde<unknown> | undefined;
  readonly defaultValueSerde: Serde<unknown> | undefined;
  readonly cacheMaxBytes: number;
  /** Shared by every cache of the instance, so `cacheMaxBytes` bounds them together. */
  readonly cacheBudget?: CacheBudget;
  wallClockMs(): number;
  taskDir(taskId: string): string | undefined;
  onDeserializationError(error: StreamsError, record: FailedRecord): HandlerResponse;
  onProcessingError(error: StreamsError, record: FailedRecord): HandlerResponse;
  /** Registers a store for restoration; the runtime restores before processing. */
  registerStore(
    taskId: string,
    store: StateStore,
    restore: (batch: readonly ChangelogRecord[]) => void,
  ): void;
  /** Global stores, shared by every task of the instance. */
  globalStore(name: string): StateStore | undefined;
  /** Called after a processor asks for a commit with `context.commit()`. */
  requestCommit(taskId: string): void;
}

/** @internal A node instantiated inside one task. */
interface NodeInstance {
  readonly def: NodeDef;
  readonly children: NodeInstance[];
  readonly childByName: Map<string, NodeInstance>;
  processor: Processor<any, any, any, any> | undefined;
  context: NodeContext | undefined;
  /** For sources: the node's serdes after defaults. */
  keySerde: Serde<unknown> | undefined;
  valueSerde: Serde<unknown> | undefined;
  /** For sinks with a fixed topic: its full name, resolved once rather than per record. */
  sinkTopic: string | undefined;
}

/**
 * One task: a sub-topology's processors and stores for one partition. Processes one raw record
 * at a time, synchronously, from its source to its sinks (DESIGN.md section 3).
 */
export class StreamTask {
  readonly id: string;
  readonly partition: number;
  private readonly nodes = new Map<string, NodeInstance>();
  private readonly sourcesByTopic = new Map<string, NodeInstance>();
  private readonly stores = new Map<string, StateStore>();
  private readonly streamTimeQueue = new PunctuationQueue('stream-time');
  private readonly wallClockQueue = new PunctuationQueue('wall-clock');

  /** Largest timestamp processed so far; -1 before the first record. */
  streamTime = -1;
  /** The record being processed: its metadata, timestamp and headers. */
  private currentTopic: string | undefined = undefined;
  private currentOffset = -1;
  private currentTimestamp = -1;
  private currentHeaders: Headers | undefined = undefined;
  /** The node whose processor is running, for error messages. */
  currentNode = '';
  private closed = false;

  constructor(
    readonly subtopologyId: number,
    partition: number,
    private readonly topology: Topology,
    private readonly nodeDefs: readonly NodeDef[],
    private readonly host: TaskHost,
  ) {
    this.partition = partition;
    this.id = `${subtopologyId}_${partition}`;
  }

  /** Input topics of this task, with the application prefix on internal ones. */
  get inputTopics(): string[] {
    return [...this.sourcesByTopic.keys()];
  }

  /** Builds stores and processors; opening persistent stores may be asynchronous. */
  async init(): Promise<void> {
    const pending = this.initSync();
    if (pending !== undefined) await pending;
    this.initProcessors();
  }

  /**
   * Initialises stores and then processors synchronously; throws if a store needs asynchronous
   * initialisation (persistent stores in the test driver).
   */
  initSynchronously(): void {
    const pending = this.initSync();
    if (pending !== undefined) {
      throw new StateStoreError(
        `Task ${this.id} has a store that opens asynchronously (a persistent store); use in-memory stores here.`,
        { taskId: this.id },
      );
    }
    this.initProcessors();
  }

  private initSync(): Promise<void> | undefined {
    for (const def of this.nodeDefs) {
      this.nodes.set(def.name, {
        def,
        children: [],
        childByName: new Map(),
        processor: undefined,
        context: undefined,
        keySerde: undefined,
        valueSerde: undefined,
        sinkTopic:
          def.kind === 'sink' && typeof def.topic === 'string'
            ? this.topology.resolveTopic(this.host.applicationId, def.topic)
            : undefined,
      });
    }
    for (const node of this.nodes.values()) {
      if (node.def.kind === 'sink') continue;
      for (const childName of node.def.children) {
        const child = this.nodes.get(childName);
        if (child !== undefined) {
          node.children.push(child);
          node.childByName.set(childName, child);
        }
      }
      if (node.def.kind === 'source') {
        node.keySerde = node.def.keySerde ?? this.host.defaultKeySerde;
        node.valueSerde = node.def.valueSerde ?? this.host.defaultValueSerde;
        for (const topic of node.def.topics) {
          this.sourcesByTopic.set(this.topology.resolveTopic(this.host.applicationId, topic), node);
        }
      }
    }
    const storeNames = new Set<string>();
    for (const def of this.nodeDefs)
      if (def.kind === 'processor') for (const s of def.stores) storeNames.add(s);
    const pending: Promise<void>[] = [];
    const storeContext = this.storeContext();
    for (const name of storeNames) {
      const entry = this.topology.stores.get(name);
      if (entry === undefined || entry.global) continue;
      const store = entry.builder.build();
      this.stores.set(name, store);
      const result = store.init(storeContext, store);
      if (result !== undefined) pending.push(result);
    }
    if (pending.length === 0) return undefined;
    // Every open settles before a failure is reported, so the caller can close what did open.
    return Promise.allSettled(pending).then((results) => {
      for (const r of results) if (r.status === 'rejected') throw r.reason;
    });
  }

  private initProcessors(): void {
    for (const node of this.nodes.values()) {
      if (node.def.kind !== 'processor') continue;
      node.processor = node.def.factory();
      node.context = new NodeContext(this, node);
    }
    // Init parents before children, in definition order, as Kafka Streams does.
    for (const def of this.nodeDefs) {
      const node = this.nodes.get(def.name)!;
      if (node.processor?.init !== undefined) {
        this.currentNode = def.name;
        try {
          node.processor.init(node.context!);
        } catch (error) {
          throw this.wrap(error, `initialising processor "${def.name}"`);
        }
      }
    }
  }

  /** A store of this task or a global store, as a connected processor sees it. */
  store(name: string): StateStore | undefined {
    return this.stores.get(name) ?? this.host.globalStore(name);
  }

  /** Every store of this task, for the runtime to flush, checkpoint and close. */
  allStores(): ReadonlyMap<string, StateStore> {
    return this.stores;
  }

  /** Whether `topic` (full name) is an input of this task. */
  readsFrom(topic: string): boolean {
    return this.sourcesByTopic.has(topic);
  }

  /**
   * Deserializes and processes one record to completion. Returns false if it was skipped by the
   * deserialization or processing handler; throws if a handler said `'fail'`.
   */
  process(
    topic: string,
    offset: number,
    keyBytes: Buffer | null,
    valueBytes: Buffer | null,
    timestamp: number,
    headers: Headers | undefined,
  ): boolean {
    const source = this.sourcesByTopic.get(topic);
    if (source === undefined) {
      throw new StreamsError(`Task ${this.id} does not read topic "${topic}".`, { taskId: this.id, topic });
    }
    const def = source.def as SourceNodeDef;
    let key: unknown;
    let value: unknown;
    try {
      key =
        keyBytes === null
          ? null
          : requireSerde(source.keySerde, def.name, 'key').deserialize(keyBytes, topic);
      value =
        valueBytes === null
          ? null
          : requireSerde(source.valueSerde, def.name, 'value').deserialize(valueBytes, topic);
    } catch (cause) {
      const error = new DeserializationError(
        `Could not deserialize a record of topic "${topic}" partition ${this.partition} offset ${offset} at source "${def.name}": ${messageOf(cause)}`,
        { taskId: this.id, topic, partition: this.partition, offset, node: def.name, cause },
      );
      const failed = {
        topic,
        partition: this.partition,
        offset,
        key: keyBytes,
        value: valueBytes,
        timestamp,
      };
      if (this.host.onDeserializationError(error, failed) === 'continue') return false;
      throw error;
    }
    let eventTime = timestamp;
    if (def.timestampExtractor !== undefined) {
      eventTime = def.timestampExtractor(
        { key, value, timestamp, topic, partition: this.partition },
        this.streamTime,
      );
    }
    if (!(eventTime >= 0)) {
      // Kafka Streams drops records with a negative (invalid) timestamp with a warning.
      return false;
    }
    if (eventTime > this.streamTime) this.streamTime = eventTime;
    this.currentTopic = topic;
    this.currentOffset = offset;
    this.currentTimestamp = eventTime;
    this.currentHeaders = headers;
    const record: StreamRecord<unknown, unknown> = { key, value, timestamp: eventTime, headers };
    try {
      this.forwardToAll(source, record);
    } catch (cause) {
      if (
        cause instanceof StreamsError &&
        !(cause instanceof ProcessingError) &&
        !(cause instanceof ProductionError)
      ) {
        throw cause;
      }
      const error =
        cause instanceof ProcessingError || cause instanceof ProductionError
          ? cause
          : this.wrap(cause, `processing a record of topic "${topic}" offset ${offset}`);
      const failed = {
        topic,
        partition: this.partition,
        offset,
        key: keyBytes,
        value: valueBytes,
        timestamp,
      };
      if (this.host.onProcessingError(error, failed) === 'continue') return false;
      throw error;
    }
    return true;
  }

  /** Fires due stream-time punctuators. */
  punctuateStreamTime(): boolean {
    if (this.streamTimeQueue.isEmpty || this.streamTime < 0) return false;
    return this.streamTimeQueue.mayPunctuate(this.streamTime, (node, fire) => this.runPunctuator(node, fire));
  }

  /** Fires due wall-clock punctuators. */
  punctuateWallClock(): boolean {
    if (this.wallClockQueue.isEmpty) return false;
    return this.wallClockQueue.mayPunctuate(this.host.wallClockMs(), (node, fire) =>
      this.runPunctuator(node, fire),
    );
  }

  /** Closes processors (children last) and stores. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const node of this.nodes.values()) node.processor?.close?.();
    for (const store of this.stores.values()) await store.close();
  }

  /** Synchronous close for in-memory stores (test driver). */
  closeSynchronously(): void {
    if (this.closed) return;
    this.closed = true;
    for (const node of this.nodes.values()) node.processor?.close?.();
    for (const store of this.stores.values()) void store.close();
  }

  /** @internal */
  schedule(
    node: NodeInstance,
    intervalMs: number,
    type: PunctuationType,
    callback: (ts: number) => void,
  ): Cancellable {
    if (!(intervalMs >= 1)) {
      throw new ProcessingError(`Punctuation interval must be at least 1 ms, got ${intervalMs}.`, {
        taskId: this.id,
        node: node.def.name,
      });
    }
    if (type === 'stream-time') {
      // Aligned to 0: the first record with a timestamp fires it, as in Kafka Streams.
      return this.streamTimeQueue.schedule(0, intervalMs, node.def.name, callback);
    }
    return this.wallClockQueue.schedule(
      this.host.wallClockMs() + intervalMs,
      intervalMs,
      node.def.name,
      callback,
    );
  }

  /** @internal */
  forward(
    from: NodeInstance,
    record: ForwardedRecord<unknown, unknown>,
    childName: string | undefined,
  ): void {
    const full: StreamRecord<unknown, unknown> =
      record.timestamp === undefined
        ? { key: record.key, value: record.value, timestamp: this.currentTimestamp, headers: record.headers }
        : (record as StreamRecord<unknown, unknown>);
    if (childName === undefined) {
      this.forwardToAll(from, full);
      return;
    }
    const child = from.childByName.get(childName);
    if (child === undefined) {
      throw new ProcessingError(
        `Processor "${from.def.name}" forwarded to "${childName}", which is not one of its children (${[...from.childByName.keys()].join(', ') || 'none'}).`,
        { taskId: this.id, node: from.def.name },
      );
    }
    this.deliver(child, full);
  }

  /** @internal */
  recordMetadata(): RecordMetadata | undefined {
    return this.currentTopic === undefined
      ? undefined
      : { topic: this.currentTopic, partition: this.partition, offset: this.currentOffset };
  }

  /** @internal */
  get topic(): string | undefined {
    return this.currentTopic;
  }

  /** @internal */
  get offset(): number {
    return this.currentOffset;
  }

  /** @internal */
  get timestamp(): number {
    return this.currentTimestamp;
  }

  /** @internal */
  get applicationId(): string {
    return this.host.applicationId;
  }

  /** @internal */
  wallClockMs(): number {
    return this.host.wallClockMs();
  }

  /** @internal */
  requestCommit(): void {
    this.host.requestCommit(this.id);
  }

  private forwardToAll(from: NodeInstance, record: StreamRecord<unknown, unknown>): void {
    const children = from.children;
    for (let i = 0; i < children.length; i++) this.deliver(children[i]!, record);
  }

  private deliver(node: NodeInstance, record: StreamRecord<unknown, unknown>): void {
    const previous = this.currentNode;
    this.currentNode = node.def.name;
    if (node.processor !== undefined) {
      node.processor.process(record);
    } else if (node.def.kind === 'sink') {
      this.sink(node, node.def, record);
    }
    this.currentNode = previous;
  }

  private sink(node: NodeInstance, def: SinkNodeDef, record: StreamRecord<unknown, unknown>): void {
    const topicName =
      node.sinkTopic ??
      (def.topic as Exclude<SinkNodeDef['topic'], string>)(record.key, record.value, {
        topic: this.currentTopic,
        timestamp: record.timestamp,
      });
    let key: Buffer | null;
    let value: Buffer | null;
    try {
      key =
        record.key === null || record.key === undefined
          ? null
          : requireSerde(def.keySerde ?? this.host.defaultKeySerde, def.name, 'key').serialize(
              record.key,
              topicName,
            );
      value =
        record.value === null || record.value === undefined
          ? null
          : requireSerde(def.valueSerde ?? this.host.defaultValueSerde, def.name, 'value').serialize(
              record.value,
              topicName,
            );
    } catch (cause) {
      throw new ProductionError(
        `Could not serialize a record for topic "${topicName}" at sink "${def.name}": ${messageOf(cause)}`,
        { taskId: this.id, topic: topicName, node: def.name, cause },
      );
    }
    const partition =
      def.partitioner === undefined
        ? undefined
        : def.partitioner(topicName, record.key, record.value, this.host.collector.partitionsFor(topicName));
    this.host.collector.send({
      topic: topicName,
      partition,
      key,
      value,
      timestamp: record.timestamp,
      headers: record.headers,
    });
  }

  private runPunctuator(nodeName: string, fire: () => void): void {
    const savedTopic = this.currentTopic;
    const savedOffset = this.currentOffset;
    const savedTimestamp = this.currentTimestamp;
    const savedHeaders = this.currentHeaders;
    this.currentTopic = undefined;
    this.currentOffset = -1;
    this.currentNode = nodeName;
    try {
      // The punctuation time becomes the timestamp of records forwarded without one.
      fire();
    } catch (error) {
      throw this.wrap(error, `punctuating "${nodeName}"`);
    } finally {
      this.currentTopic = savedTopic;
      this.currentOffset = savedOffset;
      this.currentTimestamp = savedTimestamp;
      this.currentHeaders = savedHeaders;
    }
  }

  /** @internal Sets the timestamp records forwarded from a punctuator get by default. */
  setPunctuationTimestamp(ts: number): void {
    this.currentTimestamp = ts;
  }

  private storeContext(): StateStoreContext {
    // Resolved once per store: building the topic name per write costs a string and a hash.
    const changelogTopics = new Map<string, string | undefined>();
    const changelogTopicOf = (storeName: string): string | undefined => {
      if (changelogTopics.has(storeName)) return changelogTopics.get(storeName);
      const topic = this.topology.changelogTopic(this.host.applicationId, storeName);
      changelogTopics.set(storeName, topic);
      return topic;
    };
    return {
      applicationId: this.host.applicationId,
      taskId: this.id,
      partition: this.partition,
      taskDir: this.host.taskDir(this.id),
      cacheMaxBytes: this.host.cacheMaxBytes,
      cacheBudget: this.host.cacheBudget,
      currentTimestamp: () => this.currentTimestamp,
      logChange: (storeName, key, value, timestamp) => {
        const topic = changelogTopicOf(storeName);
        if (topic === undefined) return;
        this.host.collector.send({
          topic,
          partition: this.partition,
          key,
          value,
          timestamp,
          headers: undefined,
        });
      },
      register: (store, restore) => this.host.registerStore(this.id, store, restore),
    };
  }

  private wrap(error: unknown, doing: string): StreamsError {
    if (error instanceof StreamsError) return error;
    return new ProcessingError(
      `Task ${this.id}: error in processor "${this.currentNode}" while ${doing}: ${messageOf(error)}`,
      {
        taskId: this.id,
        topic: this.currentTopic,
        partition: this.partition,
        offset: this.currentOffset,
        node: this.currentNode,
        cause: error,
      },
    );
  }
}

/** The context one processor node sees. */
class NodeContext implements ProcessorContext<unknown, unknown> {
  constructor(
    private readonly task: StreamTask,
    private readonly node: NodeInstance,
  ) {}

  get applicationId(): string {
    return this.task.applicationId;
  }
  get taskId(): string {
    return this.task.id;
  }
  get topic(): string | undefined {
    return this.task.topic;
  }
  get partition(): number {
    return this.task.partition;
  }
  get offset(): number {
    return this.task.offset;
  }
  recordMetadata(): RecordMetadata | undefined {
    return this.task.recordMetadata();
  }
  forward(record: ForwardedRecord<unknown, unknown>, childName?: string): void {
    this.task.forward(this.node, record, childName);
  }
  schedule(intervalMs: number, type: PunctuationType, callback: (timestamp: number) => void): Cancellable {
    return this.task.schedule(this.node, intervalMs, type, (ts) => {
      this.task.setPunctuationTimestamp(ts);
      callback(ts);
    });
  }
  getStateStore<S extends StateStore = StateStore>(name: string): S {
    const def = this.node.def;
    const store = this.task.store(name);
    const connected = def.kind === 'processor' && def.stores.has(name);
    if (store === undefined || (!connected && !isGlobal(this.task, name))) {
      throw new StateStoreError(
        `Processor "${def.name}" has no access to state store "${name}": connect it (e.g. process(supplier, { stores: ['${name}'] })).`,
        { taskId: this.task.id, node: def.name },
      );
    }
    return store as S;
  }
  currentStreamTimeMs(): number {
    return this.task.streamTime;
  }
  currentSystemTimeMs(): number {
    return this.task.wallClockMs();
  }
  commit(): void {
    this.task.requestCommit();
  }
}

function isGlobal(task: StreamTask, name: string): boolean {
  return !task.allStores().has(name);
}

function requireSerde(
  serde: Serde<unknown> | undefined,
  node: string,
  what: 'key' | 'value',
): Serde<unknown> {
  if (serde === undefined) {
    throw new StreamsError(
      `Node "${node}" has no ${what} serde: pass { ${what}: Serdes.… } to the operator or set default${what === 'key' ? 'Key' : 'Value'}Serde in the config.`,
      { node },
    );
  }
  return serde;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
