import { ConfigError, StateStoreError, StreamsError } from '../errors.js';
import type { Serde } from '../serde/serde.js';
import type { KeyValueStore, StateStore } from '../state/store.js';
import { plainValueView } from './plain-value-view.js';
import { resolveHandlers, type ExceptionHandler, type FailedRecord } from '../runtime/exception-handlers.js';
import { consoleLogger, guardedLogger, type Logger } from '../logger.js';
import { checkDeadLetterQueueTopic } from '../runtime/config.js';
import type { OutgoingRecord, RecordCollector } from '../runtime/record-collector.js';
import { StreamTask, type TaskHost } from '../runtime/stream-task.js';
import { sumDroppedRecords, type DroppedRecordCounts } from '../runtime/dropped-records.js';
import { requireTopologySerdes } from '../runtime/node-context.js';
import { globalStoreNames, TaskStores } from '../runtime/task-stores.js';
import type { Headers } from '../topology/processor.js';
import type { Topology } from '../topology/topology.js';
import { TestInputTopic, TestOutputTopic, type TestTopicPort } from './test-topics.js';
import { MeteredSessionStore } from '../state/session/metered-session-store.js';
import { MeteredWindowStore } from '../state/window/metered-window-store.js';
import {
  plainWindowStoreView,
  type InspectableWindowStore,
} from '../state/window/plain-window-store-view.js';

/** Settings of a `TopologyTestDriver`. Every field is optional. */
export interface TestDriverConfig {
  /** Prefix of internal topics and changelogs. Default `'test-driver-application'`. */
  applicationId?: string;
  defaultKeySerde?: Serde<any>;
  defaultValueSerde?: Serde<any>;
  /** What to do with records that fail to deserialize. Default `'logAndFail'`. */
  deserializationExceptionHandler?: ExceptionHandler;
  /** What to do when a processor throws. Default `'logAndFail'`. */
  processingExceptionHandler?: ExceptionHandler;
  /** What to do when a sink cannot serialize a record. Default `'logAndFail'`. */
  productionExceptionHandler?: ExceptionHandler;
  /**
   * Where records a handler skipped or failed on also go, as in the app (`__streams.errors.*`
   * headers); read them with `createOutputTopic(topic, Serdes.bytes(), Serdes.bytes())`.
   */
  deadLetterQueueTopic?: string;
  /** Default: warnings and errors as JSON lines on stderr. */
  logger?: Logger;
}

interface QueuedRecord {
  topic: string;
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: number;
  headers: Headers | undefined;
}

/**
 * Runs a topology in-process without Kafka, record by record, like Kafka Streams'
 * `TopologyTestDriver` with caching disabled: each piped record is processed to completion
 * (through repartition topics too) before `pipeInput` returns, every update is forwarded, stream
 * time advances with record timestamps and wall-clock time only with `advanceWallClockTime`.
 * Everything runs as partition 0 of each topic.
 *
 * @example
 * ```ts
 * const driver = new TopologyTestDriver(builder.build(), { applicationId: 'shop' });
 * const input = driver.createInputTopic('orders', Serdes.string(), Serdes.json<Order>());
 * const output = driver.createOutputTopic('revenue', Serdes.string(), Serdes.float64());
 * input.pipeInput('alice', { total: 5 }, 1_000);
 * console.log(output.readKeyValuesToList());
 * driver.close();
 * ```
 */
export class TopologyTestDriver {
  private readonly applicationId: string;
  private readonly tasks: StreamTask[] = [];
  private readonly taskByTopic = new Map<string, StreamTask>();
  private readonly globalTask: StreamTask | undefined;
  private readonly globalTopics = new Set<string>();
  private readonly globalStores: TaskStores;
  private readonly outputs = new Map<string, OutgoingRecord[]>();
  private readonly offsets = new Map<string, number>();
  private readonly pending: QueuedRecord[] = [];
  private readonly logger: Logger;
  private wallClock: number;
  private processing = false;
  private closed = false;
  private readonly port: TestTopicPort;

  constructor(
    private readonly topology: Topology,
    config: TestDriverConfig = {},
    initialWallClockMs: number = Date.now(),
  ) {
    if (topology === null || typeof topology !== 'object' || typeof topology.subtopologies !== 'function') {
      throw new ConfigError('TopologyTestDriver needs a Topology: pass builder.build().');
    }
    this.applicationId = config.applicationId ?? 'test-driver-application';
    if (typeof this.applicationId !== 'string' || this.applicationId.length === 0) {
      throw new ConfigError('applicationId must be a non-empty string.');
    }
    this.wallClock = initialWallClockMs;
    this.logger =
      config.logger === undefined
        ? consoleLogger('warn', { component: 'TopologyTestDriver' })
        : guardedLogger(config.logger);
    topology.validate();
    requireTopologySerdes(topology, config);
    checkDeadLetterQueueTopic(config.deadLetterQueueTopic);
    const log = (message: string, error: unknown) => this.logger.warn({ err: error }, message);
    const handlers = resolveHandlers(config, log);

    const collector: RecordCollector = {
      send: (record) => this.collect(record),
      partitionsFor: () => 1,
    };
    const host: TaskHost = {
      applicationId: this.applicationId,
      defaultKeySerde: config.defaultKeySerde,
      defaultValueSerde: config.defaultValueSerde,
      logger: this.logger,
      wallClockMs: () => this.wallClock,
      ...handlers,
      globalStore: (name) => this.globalStores.get(name),
      requestCommit: () => {},
    };
    const storesOf = (taskId: string, partition: number, logged: boolean) =>
      new TaskStores(topology, {
        applicationId: this.applicationId,
        taskId,
        partition,
        taskDir: undefined,
        cacheMaxBytes: 0,
        collector: logged ? collector : undefined,
      });

    this.globalStores = storesOf('global', -1, false);
    this.globalStores.initSynchronously(globalStoreNames(topology));
    const globalNodes = topology.globalNodes();
    if (globalNodes.length > 0) {
      this.globalTask = new StreamTask(
        -1,
        0,
        topology,
        globalNodes,
        { ...host, deadLetterQueueTopic: undefined }, // as the app's global thread
        storesOf('-1_0', 0, true),
        collector,
      );
      this.globalTask.initSynchronously();
      for (const node of globalNodes)
        if (node.kind === 'source') for (const t of node.topics) this.globalTopics.add(t);
    }
    for (const sub of topology.subtopologies()) {
      const task = new StreamTask(
        sub.id,
        0,
        topology,
        sub.nodes,
        host,
        storesOf(`${sub.id}_0`, 0, true),
        collector,
      );
      task.initSynchronously();
      this.tasks.push(task);
      for (const topic of task.inputTopics) this.taskByTopic.set(topic, task);
    }
    const dlq = config.deadLetterQueueTopic;
    if (dlq !== undefined && (this.taskByTopic.has(dlq) || this.globalTopics.has(dlq)))
      throw new ConfigError(
        `deadLetterQueueTopic "${dlq}" is an input topic of the topology: failed records would be processed again.`,
      );
    this.port = {
      pipe: (topic, key, value, timestamp, headers) => this.pipe(topic, key, value, timestamp, headers),
      readOutput: (topic) => this.outputs.get(topic)?.shift(),
      outputSize: (topic) => this.outputs.get(topic)?.length ?? 0,
    };
  }

  /**
   * An input topic to pipe records into. Record timestamps default to `startTimestampMs` (the
   * driver's initial wall-clock time) and advance by `autoAdvanceMs` per record.
   * @example `driver.createInputTopic('words', Serdes.string(), Serdes.string())`
   */
  createInputTopic<K, V>(
    topic: string,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    options: { startTimestampMs?: number; autoAdvanceMs?: number } = {},
  ): TestInputTopic<K, V> {
    this.requireOpen();
    return new TestInputTopic(
      this.port,
      topic,
      keySerde,
      valueSerde,
      options.startTimestampMs ?? this.wallClock,
      options.autoAdvanceMs ?? 0,
    );
  }

  /**
   * An output topic to read what the topology wrote. Where the topology writes tombstones (a
   * table's `toStream()`), pass `{ tombstones: true }`: reads are then typed `V | null`. The option
   * only types the reads; a tombstone reads as `null` either way, as in Kafka Streams.
   * @example `driver.createOutputTopic('counts', Serdes.string(), Serdes.long(), { tombstones: true })`
   */
  createOutputTopic<K, V>(
    topic: string,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    options: { tombstones: true },
  ): TestOutputTopic<K, V | null>;
  /** An output topic of a topology that writes no `null` values to it. */
  createOutputTopic<K, V>(
    topic: string,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    options?: { tombstones?: false },
  ): TestOutputTopic<K, V>;
  createOutputTopic<K, V>(
    topic: string,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    _options: { tombstones?: boolean } = {},
  ): TestOutputTopic<K, V> {
    this.requireOpen();
    return new TestOutputTopic(this.port, topic, keySerde, valueSerde);
  }

  /**
   * Moves wall-clock time forward and fires due wall-clock punctuators.
   * @example `driver.advanceWallClockTime(60_000)`
   */
  advanceWallClockTime(ms: number): void {
    this.requireOpen();
    if (!(ms >= 0))
      throw new StreamsError(`advanceWallClockTime: ms must be a non-negative number, got ${ms}.`);
    this.wallClock += ms;
    this.globalTask?.punctuateWallClock();
    for (const task of this.tasks) task.punctuateWallClock();
    this.drain();
  }

  /**
   * A key-value store by name. DSL stores (tables, aggregations) show their plain values.
   * @example `driver.getKeyValueStore<string, number>('word-counts').get('hello')`
   */
  getKeyValueStore<K = unknown, V = unknown>(name: string): KeyValueStore<K, V> {
    const store = this.getStateStore(name) as KeyValueStore<K, any>;
    if (typeof (store as Partial<KeyValueStore<K, V>>).range !== 'function') {
      throw new StateStoreError(`State store "${name}" is not a key-value store.`, { node: name });
    }
    return this.topology.timestampedStores.has(name) ? plainValueView(store) : store;
  }

  /**
   * A DSL key-value store with each value's timestamp.
   * @example `driver.getTimestampedKeyValueStore<string, number>('counts').get('a') // { value: 2, timestamp: 10 }`
   */
  getTimestampedKeyValueStore<K = unknown, V = unknown>(
    name: string,
  ): KeyValueStore<K, { value: V; timestamp: number }> {
    if (!this.topology.timestampedStores.has(name)) {
      throw new StateStoreError(
        `State store "${name}" is not a timestamped (DSL) store; use getKeyValueStore.`,
        { node: name },
      );
    }
    return this.getStateStore(name) as KeyValueStore<K, { value: V; timestamp: number }>;
  }

  /**
   * A window store by name. Windowed aggregation stores show their plain values; `metrics()`
   * includes `droppedRecords`, the late records the aggregation dropped.
   * @example `driver.getWindowStore<string, number>('clicks-per-minute').fetch('alice', 60_000)`
   */
  getWindowStore<K = unknown, V = unknown>(name: string): InspectableWindowStore<K, V> {
    const store = this.getStateStore(name);
    if (!(store instanceof MeteredWindowStore)) {
      throw new StateStoreError(`State store "${name}" is not a window store.`, { node: name });
    }
    return store.timestampedValues
      ? plainWindowStoreView(store as MeteredWindowStore<K, any>)
      : (store as MeteredWindowStore<K, V>);
  }

  /**
   * A session store by name; `metrics()` includes `droppedRecords`.
   * @example `driver.getSessionStore<string, number>('sessions').fetchSession('alice', 0, 5_000)`
   */
  getSessionStore<K = unknown, V = unknown>(name: string): MeteredSessionStore<K, V> {
    const store = this.getStateStore(name);
    if (!(store instanceof MeteredSessionStore)) {
      throw new StateStoreError(`State store "${name}" is not a session store.`, { node: name });
    }
    return store as MeteredSessionStore<K, V>;
  }

  /**
   * Any store by name (of any task, or global). Throws if there is none.
   * @example `driver.getStateStore('my-store')`
   */
  getStateStore(name: string): StateStore {
    const global = this.globalStores.get(name);
    if (global !== undefined) return global;
    for (const task of this.tasks) {
      const store = task.stores.get(name);
      if (store !== undefined) return store;
    }
    const known = [...this.topology.stores.keys()];
    throw new StateStoreError(
      `No state store named "${name}". Stores of this topology: ${known.join(', ') || 'none'}.`,
      { node: name },
    );
  }

  /** Every store by name. */
  getAllStateStores(): Map<string, StateStore> {
    const all = new Map<string, StateStore>(this.globalStores.all());
    for (const task of this.tasks) for (const [name, store] of task.stores.all()) all.set(name, store);
    return all;
  }

  /**
   * Records dropped so far, in total and by reason (`dropped-records-total{reason}` of a running
   * app): null keys or values where Kafka Streams skips them, negative timestamps, closed windows,
   * and records a handler skipped.
   *
   * @example
   * ```ts
   * input.pipeInput(null, 'no key');          // into a groupByKey().count()
   * driver.droppedRecords(); // { total: 1, byReason: { 'null-key': 1 } }
   * ```
   */
  droppedRecords(): DroppedRecordCounts {
    const tasks = this.globalTask === undefined ? this.tasks : [...this.tasks, this.globalTask];
    return sumDroppedRecords(tasks.map((t) => t.droppedRecords));
  }

  /** Every topic the topology wrote to so far (including internal and changelog topics). */
  producedTopicNames(): Set<string> {
    return new Set(this.outputs.keys());
  }

  /** Closes processors and stores. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const task of this.tasks) task.closeSynchronously();
    this.globalTask?.closeSynchronously();
    this.globalStores.closeSynchronously();
  }

  private pipe(
    topic: string,
    key: Buffer | null,
    value: Buffer | null,
    timestamp: number,
    headers: Headers | undefined,
  ): void {
    this.requireOpen();
    if (this.processing) {
      throw new StreamsError(
        'pipeInput was called from inside a processor: pipe records from the test only.',
      );
    }
    if (!this.taskByTopic.has(topic) && !this.globalTopics.has(topic)) {
      throw new StreamsError(
        `Unknown topic: "${topic}". The topology reads: ${[...this.taskByTopic.keys(), ...this.globalTopics].join(', ') || 'nothing'}.`,
        { topic },
      );
    }
    // Fast path: the piped record goes straight to its task; only records the topology writes to
    // its own input topics (repartitions) are queued.
    this.processing = true;
    try {
      this.processRecord(topic, this.nextOffset(topic), key, value, timestamp, headers);
      this.processPending();
    } finally {
      this.processing = false;
      this.pending.length = 0;
    }
  }

  /** Processes queued records (re-enqueued from internal topics, or forwarded by punctuators) to completion. */
  private drain(): void {
    if (this.processing) return;
    this.processing = true;
    try {
      this.processPending();
    } finally {
      this.processing = false;
      this.pending.length = 0;
    }
  }

  private processPending(): void {
    // Records processed here may queue more; the loop picks them up in order.
    for (let i = 0; i < this.pending.length; i++) {
      const r = this.pending[i]!;
      this.processRecord(r.topic, r.offset, r.key, r.value, r.timestamp, r.headers);
    }
  }

  private processRecord(
    topic: string,
    offset: number,
    key: Buffer | null,
    value: Buffer | null,
    timestamp: number,
    headers: Headers | undefined,
  ): void {
    const task = this.taskByTopic.get(topic);
    if (task === undefined) {
      this.globalTask!.process(topic, offset, key, value, timestamp, headers);
      return;
    }
    task.process(topic, offset, key, value, timestamp, headers);
    task.punctuateStreamTime();
  }

  private collect(record: OutgoingRecord): void {
    let queue = this.outputs.get(record.topic);
    if (queue === undefined) this.outputs.set(record.topic, (queue = []));
    queue.push(record);
    if (this.taskByTopic.has(record.topic) || this.globalTopics.has(record.topic)) {
      this.pending.push({
        topic: record.topic,
        offset: this.nextOffset(record.topic),
        key: record.key,
        value: record.value,
        timestamp: record.timestamp,
        headers: record.headers,
      });
    }
  }

  private nextOffset(topic: string): number {
    const offset = this.offsets.get(topic) ?? 0;
    this.offsets.set(topic, offset + 1);
    return offset;
  }

  private requireOpen(): void {
    if (this.closed) throw new StreamsError('The TopologyTestDriver is closed.');
  }
}

export type { FailedRecord };
