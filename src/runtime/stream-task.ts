import { DeserializationError, ProcessingError, SerdeNotReadyError, StreamsError } from '../errors.js';
import type { StateStore } from '../state/store.js';
import type {
  Cancellable,
  ForwardedRecord,
  Headers,
  PunctuationType,
  RecordMetadata,
  StreamRecord,
} from '../topology/processor.js';
import type { NodeDef, SourceNodeDef } from '../topology/node-defs.js';
import type { Topology } from '../topology/topology.js';
import type { DropReason } from '../topology/dropped-records.js';
import { DeadLetterWriter } from './dead-letter-queue.js';
import { DroppedRecords } from './dropped-records.js';
import type { FailedRecord } from './exception-handlers.js';
import { messageOf, NodeContext, requireSerde, type NodeInstance } from './node-context.js';
import { PunctuationQueue } from './punctuation-queue.js';
import { SinkWriter, type SinkInput } from './sink-writer.js';
import type { RecordCollector } from './record-collector.js';
import type { TaskHost } from './task-host.js';
import type { TaskStores } from './task-stores.js';

export type { TaskHost };

/**
 * One task: a sub-topology's processors for one partition, over the stores of its `TaskStores`.
 * Processes one raw record at a time, synchronously, from its source to its sinks: no promise,
 * no closure per record.
 */
export class StreamTask implements SinkInput {
  readonly id: string;
  readonly partition: number;
  private readonly nodes = new Map<string, NodeInstance>();
  private readonly sourcesByTopic = new Map<string, NodeInstance>();
  private readonly streamTimeQueue = new PunctuationQueue('stream-time');
  private readonly wallClockQueue = new PunctuationQueue('wall-clock');
  private readonly sinks: SinkWriter;

  /** Records this task dropped, by reason (`dropped-records-total`). */
  readonly droppedRecords: DroppedRecords;
  /** Where records a handler skipped or failed on also go (`deadLetterQueueTopic`). */
  readonly deadLetters: DeadLetterWriter;
  /** Largest timestamp processed so far; -1 before the first record. */
  streamTime = -1;
  /** The record being processed: its metadata, timestamp and headers. */
  private currentTopic: string | undefined = undefined;
  private currentOffset = -1;
  private currentTimestamp = -1;
  private currentHeaders: Headers | undefined = undefined;
  private currentKeyBytes: Buffer | null = null;
  private currentValueBytes: Buffer | null = null;
  /** The node whose processor is running, for error messages. */
  currentNode = '';
  private closed = false;
  /** A serde that is not ready yet is waited for (stream threads), not sent to the handler. */
  waitsForSerdes = false;
  /** Told how long each punctuator call took (the `punctuate-*` metrics); punctuators are rare, so timing them is cheap. */
  onPunctuated: ((ms: number) => void) | undefined = undefined;

  constructor(
    readonly subtopologyId: number,
    partition: number,
    private readonly topology: Topology,
    private readonly nodeDefs: readonly NodeDef[],
    private readonly host: TaskHost,
    /** The task's state manager: its stores, opened before `initProcessors`. */
    readonly stores: TaskStores,
    /** Where sinks send (outputs and repartition records). */
    private readonly collector: RecordCollector,
  ) {
    this.partition = partition;
    this.id = `${subtopologyId}_${partition}`;
    this.droppedRecords = new DroppedRecords(this.id, host.logger);
    this.deadLetters = new DeadLetterWriter(host.deadLetterQueueTopic, collector);
    this.sinks = new SinkWriter(this.id, partition, host, collector, this.droppedRecords, this.deadLetters);
    stores.useClock(this);
    this.buildGraph();
  }

  /** Input topics of this task, with the application prefix on internal ones. */
  get inputTopics(): string[] {
    return [...this.sourcesByTopic.keys()];
  }

  /** Names of the (non-global) stores this task's processors use, for its `TaskStores` to open. */
  storeNames(): string[] {
    const names = new Set<string>();
    for (const def of this.nodeDefs)
      if (def.kind === 'processor')
        for (const s of def.stores) if (this.topology.stores.get(s)?.global === false) names.add(s);
    return [...names];
  }

  /**
   * Opens stores and then processors synchronously; throws if a store needs asynchronous
   * initialisation (persistent stores in the test driver).
   */
  initSynchronously(): void {
    this.stores.initSynchronously(this.storeNames());
    this.initProcessors();
  }

  private buildGraph(): void {
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
  }

  /** Creates and initialises the processors, parents first; the stores are open by now. */
  initProcessors(): void {
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

  /** @internal A store of this task itself. */
  ownStore(name: string): StateStore | undefined {
    return this.stores.get(name);
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
    // What handlers see of this record; the timestamp becomes the extracted one once known.
    this.currentTopic = topic;
    this.currentOffset = offset;
    this.currentTimestamp = timestamp;
    this.currentHeaders = headers;
    this.currentKeyBytes = keyBytes;
    this.currentValueBytes = valueBytes;
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
      if (cause instanceof SerdeNotReadyError && this.waitsForSerdes) throw cause;
      const error = new DeserializationError(
        `Could not deserialize a record of topic "${topic}" partition ${this.partition} offset ${offset} at source "${def.name}": ${messageOf(cause)}`,
        { taskId: this.id, topic, partition: this.partition, offset, node: def.name, cause },
      );
      return this.skipOrThrow('deserialization', error, def.name);
    }
    let eventTime = timestamp;
    if (def.timestampExtractor !== undefined) {
      try {
        eventTime = def.timestampExtractor(
          { key, value, timestamp, topic, partition: this.partition },
          this.streamTime,
        );
      } catch (cause) {
        this.currentNode = def.name;
        const error = this.wrap(
          cause,
          `extracting the timestamp of a record of topic "${topic}" offset ${offset}`,
        );
        return this.skipOrThrow('processing', error, def.name);
      }
    }
    if (!(eventTime >= 0)) {
      // Kafka Streams drops records with a negative (invalid) timestamp with a warning.
      this.droppedRecords.record('negative-timestamp', {
        node: def.name,
        topic,
        partition: this.partition,
        offset,
        timestamp: eventTime,
      });
      return false;
    }
    if (eventTime > this.streamTime) this.streamTime = eventTime;
    this.currentTimestamp = eventTime;
    const record: StreamRecord<unknown, unknown> = { key, value, timestamp: eventTime, headers };
    try {
      this.forwardToAll(source, record);
    } catch (cause) {
      if (
        // A ProductionError here is one the production handler already decided to fail on.
        cause instanceof StreamsError &&
        !(cause instanceof ProcessingError)
      ) {
        throw cause;
      }
      const error =
        cause instanceof ProcessingError
          ? cause
          : this.wrap(cause, `processing a record of topic "${topic}" offset ${offset}`);
      return this.skipOrThrow('processing', error, error.node);
    }
    return true;
  }

  /** Asks the handler about a failed input record: skipped and counted (`false`), or it throws. */
  private skipOrThrow(
    reason: 'deserialization' | 'processing',
    error: StreamsError,
    node: string | undefined,
  ): false {
    const failed = this.currentFailedRecord();
    const response =
      reason === 'deserialization'
        ? this.host.onDeserializationError(error, failed)
        : this.host.onProcessingError(error, failed);
    this.deadLetters.write(error, failed, response);
    if (response !== 'continue') throw error;
    const { topic, offset } = failed;
    this.droppedRecords.record(reason, { node, topic, partition: this.partition, offset });
    return false;
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
    await this.stores.close();
  }

  /** Synchronous close for in-memory stores (test driver). */
  closeSynchronously(): void {
    if (this.closed) return;
    this.closed = true;
    for (const node of this.nodes.values()) node.processor?.close?.();
    this.stores.closeSynchronously();
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
    if (record.value === undefined) {
      // Usually a mapper without a return: forwarding it would silently become a tombstone.
      throw new TypeError(
        `Processor "${from.def.name}" forwarded a record whose value is undefined: its function must return a value, or null for a tombstone (a missing return statement?).`,
      );
    }
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

  /** @internal Counts a record `node` dropped, with where it came from. */
  recordDropped(
    node: string,
    reason: DropReason,
    details: Readonly<Record<string, unknown>> | undefined,
  ): void {
    this.droppedRecords.record(reason, {
      node,
      topic: this.currentTopic,
      partition: this.partition,
      offset: this.currentOffset,
      ...details,
    });
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
      this.sinks.write(node, node.def, record, this);
    }
    this.currentNode = previous;
  }

  private runPunctuator(nodeName: string, fire: () => void): void {
    const savedTopic = this.currentTopic;
    const savedOffset = this.currentOffset;
    const savedTimestamp = this.currentTimestamp;
    const savedHeaders = this.currentHeaders;
    this.currentTopic = undefined;
    this.currentOffset = -1;
    this.currentNode = nodeName;
    const began = performance.now();
    try {
      // The punctuation time becomes the timestamp of records forwarded without one.
      fire();
    } catch (error) {
      throw this.wrap(error, `punctuating "${nodeName}"`);
    } finally {
      this.onPunctuated?.(performance.now() - began);
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

  /** @internal The input record being processed, as handlers see it (empty inside a punctuator). */
  currentFailedRecord(): FailedRecord {
    return {
      topic: this.currentTopic ?? '',
      partition: this.partition,
      offset: this.currentOffset,
      // Inside a punctuator there is no input record: the bytes are the last record's.
      key: this.currentTopic === undefined ? null : this.currentKeyBytes,
      value: this.currentTopic === undefined ? null : this.currentValueBytes,
      timestamp: this.currentTimestamp,
      headers: this.currentTopic === undefined ? undefined : this.currentHeaders,
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
