import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BehaviorSubject, Subject, type Observable } from 'rxjs';
import { ConfigError, ProductionError, StreamsError, TaskMigratedError } from '../errors.js';
import { createKafkaClient, type ClosableKafkaClient } from '../kafka/client.js';
import { createEmbeddedKafka, type EmbeddedKafka } from '../kafka/embedded/client.js';
import type {
  ConsumedBatch,
  GroupConsumer,
  KafkaAdmin,
  KafkaClient,
  KafkaProducer,
  PartitionReader,
  TopicPartitions,
} from '../kafka/port.js';
import type { StateStore } from '../state/store.js';
import type { Topology } from '../topology/topology.js';
import { ActiveTask } from './active-task.js';
import { deleteCheckpoint, readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { resolveConfig, type ResolvedConfig, type StreamsConfig } from './config.js';
import type { StreamsEvent, StreamsState, TaskMetadata } from './events.js';
import { resolveHandler } from './exception-handlers.js';
import { KafkaRecordCollector } from './kafka-record-collector.js';
import { consoleLogger, type Logger } from './logger.js';
import { SerialExecutor } from './serial-executor.js';
import { StreamTask, type TaskHost } from './stream-task.js';
import { decodeAssignmentInfo, TaskAssignor, taskIdOf } from './task-assignor.js';
import { planTopics, type TopicPlan } from './topic-plan.js';

const TRANSITIONS: Record<StreamsState, readonly StreamsState[]> = {
  CREATED: ['REBALANCING', 'PENDING_SHUTDOWN', 'ERROR'],
  REBALANCING: ['RUNNING', 'PENDING_SHUTDOWN', 'ERROR'],
  RUNNING: ['REBALANCING', 'PENDING_SHUTDOWN', 'ERROR'],
  PENDING_SHUTDOWN: ['NOT_RUNNING'],
  NOT_RUNNING: [],
  ERROR: ['PENDING_SHUTDOWN'],
};

let sharedEmbedded: EmbeddedKafka | undefined;

/**
 * The process-wide embedded broker used when a `KafkaStreams` has neither `brokers` nor `kafka`:
 * several instances in one process share it, like a local cluster.
 *
 * @example
 * ```ts
 * const admin = await embeddedKafka().admin();
 * await admin.createTopics([{ topic: 'words', partitions: 4 }]);
 * ```
 */
export function embeddedKafka(): EmbeddedKafka {
  sharedEmbedded ??= createEmbeddedKafka({ clientId: 'tributary-embedded' });
  return sharedEmbedded;
}

/**
 * Runs a topology against Kafka as one instance of an application. Start the same program N
 * times (same `applicationId`) to scale out: tasks are spread over the instances and move when
 * instances come and go.
 *
 * @example
 * ```ts
 * const app = new KafkaStreams(builder.build(), { applicationId: 'shop', brokers: ['127.0.0.1:9092'] });
 * app.state$.subscribe((s) => console.log('state', s));
 * await app.start();
 * process.on('SIGTERM', () => void app.close());
 * ```
 */
export class KafkaStreams {
  private readonly config: ResolvedConfig;
  private readonly logger: Logger;
  private readonly stateSubject = new BehaviorSubject<StreamsState>('CREATED');
  private readonly eventSubject = new Subject<StreamsEvent>();
  private readonly executor = new SerialExecutor();
  private readonly processId = randomUUID();
  private readonly tasks = new Map<string, ActiveTask>();
  private readonly taskByPartition = new Map<string, ActiveTask>();
  private readonly globalStores = new Map<string, StateStore>();
  private globalTask: StreamTask | undefined;
  private globalReader: PartitionReader | undefined;
  private standbyIds: string[] = [];
  private client: KafkaClient | undefined;
  private ownedClient: ClosableKafkaClient | undefined;
  private admin: KafkaAdmin | undefined;
  private producer: KafkaProducer | undefined;
  private consumer: GroupConsumer | undefined;
  private plan: TopicPlan | undefined;
  private host: TaskHost | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastCommit = Date.now();
  private commitRequested = false;
  private failed = false;
  private closing: Promise<void> | undefined;
  private readonly stateDir: string;

  /** Lifecycle states as they change, starting with the current one. */
  readonly state$: Observable<StreamsState> = this.stateSubject.asObservable();
  /** Rebalances, commits, restore progress and errors. */
  readonly events$: Observable<StreamsEvent> = this.eventSubject.asObservable();

  constructor(
    private readonly topology: Topology,
    config: StreamsConfig,
  ) {
    if (topology === null || typeof topology !== 'object' || typeof topology.subtopologies !== 'function') {
      throw new ConfigError('KafkaStreams needs a Topology: pass builder.build().');
    }
    this.config = resolveConfig(config);
    topology.validate();
    this.logger =
      this.config.logger ??
      consoleLogger('info', { app: this.config.applicationId, client: this.config.clientId });
    this.stateDir = this.config.stateDir ?? join(tmpdir(), 'tributary');
  }

  /** The current lifecycle state. */
  get state(): StreamsState {
    return this.stateSubject.value;
  }

  /**
   * Connects, creates internal topics, joins the group and resolves once this instance has its
   * first assignment and has restored its state. Rejects (and moves to `ERROR`) if it cannot start.
   */
  async start(): Promise<void> {
    if (this.state !== 'CREATED') {
      throw new StreamsError(
        `start() can only be called once, on a CREATED instance (state is ${this.state}).`,
      );
    }
    this.transition('REBALANCING');
    try {
      await this.connect();
      await this.runConsumer();
      await this.executor.run(() => undefined);
      if (this.failed) throw new StreamsError('The application failed while starting; see the error event.');
      if ((this.state as StreamsState) === 'REBALANCING') this.transition('RUNNING');
      this.timer = setInterval(
        () => void this.tick(),
        Math.max(10, Math.min(this.config.commitIntervalMs, 100)),
      );
      this.timer.unref();
    } catch (error) {
      await this.fail(error);
      throw error instanceof StreamsError
        ? error
        : new StreamsError(`Could not start: ${(error as Error).message}`, { cause: error });
    }
  }

  /**
   * Stops fetching, finishes in-flight work, commits, closes tasks (writing checkpoints) and
   * leaves the group, so the remaining instances take over with nothing lost or repeated.
   */
  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    this.closing ??= this.doClose();
    if (options.timeoutMs === undefined) return this.closing;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, options.timeoutMs);
    });
    await Promise.race([this.closing, timeout]);
    clearTimeout(timer);
  }

  /** Deletes this application's local state directory. Only while not running. */
  async cleanUp(): Promise<void> {
    if (this.state !== 'CREATED' && this.state !== 'NOT_RUNNING') {
      throw new StreamsError(`cleanUp() needs a stopped instance (state is ${this.state}).`);
    }
    await rm(join(this.stateDir, this.config.applicationId), { recursive: true, force: true });
  }

  /** Active and standby tasks of this instance with their partitions and committed offsets. */
  metadataForLocalTasks(): TaskMetadata[] {
    const out: TaskMetadata[] = [];
    for (const t of this.tasks.values()) {
      out.push({
        taskId: t.id,
        kind: 'active',
        topicPartitions: t.inputPartitions,
        committedOffsets: Object.fromEntries([...t.committedOffsets].map(([k, v]) => [k, String(v)])),
      });
    }
    for (const id of this.standbyIds)
      out.push({ taskId: id, kind: 'standby', topicPartitions: [], committedOffsets: {} });
    return out;
  }

  /** Kafka Streams' per-thread view; this runtime has one processing loop per instance. */
  localThreadsMetadata(): {
    threadName: string;
    state: StreamsState;
    activeTasks: TaskMetadata[];
    standbyTasks: TaskMetadata[];
  }[] {
    const tasks = this.metadataForLocalTasks();
    return [
      {
        threadName: `${this.config.clientId}-StreamThread-1`,
        state: this.state,
        activeTasks: tasks.filter((t) => t.kind === 'active'),
        standbyTasks: tasks.filter((t) => t.kind === 'standby'),
      },
    ];
  }

  // ─── start-up ─────────────────────────────────────────────────────────────────────

  private async connect(): Promise<void> {
    const c = this.config;
    if (c.kafka !== undefined) this.client = c.kafka;
    else if (c.brokers !== undefined && c.brokers.length > 0) {
      this.ownedClient = createKafkaClient({
        brokers: c.brokers,
        clientId: c.clientId,
        ssl: c.ssl as never,
        sasl: c.sasl as never,
      });
      this.client = this.ownedClient;
    } else this.client = embeddedKafka();
    this.topology.defaultDslStore = c.defaultDslStore;
    this.admin = await this.client.admin();
    this.plan = await planTopics(this.topology, c.applicationId, this.admin, c.replicationFactor);
    this.producer = await this.client.producer();
    const log = (message: string, error: unknown) => this.logger.warn({ err: error }, message);
    const onDeserialization = resolveHandler(c.deserializationExceptionHandler, log);
    const onProcessing = resolveHandler(c.processingExceptionHandler, log);
    const registrations = new Map<string, ActiveTask>();
    this.hostFor = (collector) => ({
      applicationId: c.applicationId,
      collector,
      defaultKeySerde: c.defaultKeySerde,
      defaultValueSerde: c.defaultValueSerde,
      cacheMaxBytes: c.cacheMaxBytes,
      wallClockMs: () => Date.now(),
      taskDir: (taskId) => join(this.stateDir, c.applicationId, taskId),
      onDeserializationError: onDeserialization,
      onProcessingError: onProcessing,
      registerStore: (taskId, store, restore) => {
        const task = registrations.get(taskId) ?? this.tasks.get(taskId);
        task?.stores.push({ store, restore, changelogTopic: this.plan!.changelogs.get(store.name) });
      },
      globalStore: (name) => this.globalStores.get(name),
      requestCommit: () => {
        this.commitRequested = true;
      },
    });
    this.host = this.hostFor(this.newCollector());
    this.registrations = registrations;
    await this.startGlobalStores();
  }

  private registrations = new Map<string, ActiveTask>();
  private hostFor: (collector: KafkaRecordCollector) => TaskHost = () => {
    throw new StreamsError('not connected');
  };

  private newCollector(): KafkaRecordCollector {
    return new KafkaRecordCollector(this.plan!.topicPartitions, new Set(this.plan!.changelogs.values()));
  }

  private get exactlyOnce(): boolean {
    return this.config.processingGuarantee === 'exactly_once';
  }

  private async runConsumer(): Promise<void> {
    const plan = this.plan!;
    const topicsBySub = new Map<number, string[]>();
    for (const [topic, sub] of plan.subtopologyByTopic) {
      const list = topicsBySub.get(sub) ?? [];
      list.push(topic);
      topicsBySub.set(sub, list);
    }
    const assignor = new TaskAssignor(
      () => ({
        processId: this.processId,
        previousActive: [...this.tasks.keys()],
        stateTasks: [...this.tasks.keys()],
      }),
      topicsBySub,
      this.config.numStandbyReplicas,
    );
    this.consumer = this.client!.consumer({
      groupId: this.config.applicationId,
      topics: [...plan.sourceTopics],
      assignor,
      listener: {
        onRebalancing: () =>
          this.executor.run(async () => {
            if (this.failed) return;
            if (this.state === 'RUNNING') this.transition('REBALANCING');
            await this.commitAll();
          }),
        onAssigned: (assignment, userData) =>
          this.executor.run(async () => {
            if (this.failed) return;
            await this.onAssigned(assignment, userData);
          }),
      },
      isolation: this.exactlyOnce ? 'read_committed' : 'read_uncommitted',
      autoOffsetReset: 'earliest',
      sessionTimeoutMs: this.config.sessionTimeoutMs,
      heartbeatIntervalMs: this.config.heartbeatIntervalMs,
    });
    await this.consumer.run({
      eachBatch: (batch) => this.executor.run(() => this.processBatch(batch)),
      onCrash: (error) => void this.fail(error),
    });
  }

  // ─── assignment ───────────────────────────────────────────────────────────────────

  private async onAssigned(assignment: TopicPartitions, userData: Buffer): Promise<void> {
    const plan = this.plan!;
    const wanted = new Map<string, { topic: string; partition: number }[]>();
    for (const [topic, partitions] of Object.entries(assignment)) {
      const sub = plan.subtopologyByTopic.get(topic);
      if (sub === undefined) continue;
      for (const partition of partitions) {
        const id = taskIdOf(sub, partition);
        const list = wanted.get(id) ?? [];
        list.push({ topic, partition });
        wanted.set(id, list);
      }
    }
    const revoked = [...this.tasks.keys()].filter((id) => !wanted.has(id));
    if ([...this.tasks.values()].some((t) => t.collector.size > 0 || t.uncommittedOffsets().length > 0)) {
      await this.commitAll();
    }
    for (const id of revoked) await this.closeTask(this.tasks.get(id)!);
    const assigned: string[] = [];
    for (const [id, partitions] of wanted) {
      if (this.tasks.has(id)) continue;
      await this.openTask(id, partitions);
      assigned.push(id);
    }
    this.standbyIds = decodeAssignmentInfo(userData)?.standby ?? [];
    this.eventSubject.next({
      type: 'rebalance',
      assigned,
      revoked,
      active: [...this.tasks.keys()],
      standby: this.standbyIds,
    });
    this.logger.info({ assigned, revoked, active: [...this.tasks.keys()] }, 'tasks assigned');
    if (this.state === 'REBALANCING') this.transition('RUNNING');
  }

  private async openTask(id: string, partitions: { topic: string; partition: number }[]): Promise<void> {
    const [subId, partition] = id.split('_').map(Number) as [number, number];
    const sub = this.topology.subtopologies().find((s) => s.id === subId)!;
    const collector = this.newCollector();
    const streamTask = new StreamTask(subId, partition, this.topology, sub.nodes, this.hostFor(collector));
    const taskDir = join(this.stateDir, this.config.applicationId, id);
    const task = new ActiveTask(streamTask, taskDir, partitions, collector);
    if (this.exactlyOnce) {
      // Creating the producer initialises transactions for this id, fencing a zombie owner.
      task.producer = await this.client!.transactionalProducer({
        transactionalId: `${this.config.applicationId}-${id}`,
      });
      // Without a checkpoint the last stop was unclean: local state may hold uncommitted writes.
      const checkpoint = await readCheckpoint(taskDir);
      if (checkpoint === undefined || checkpoint === 'corrupt')
        await rm(taskDir, { recursive: true, force: true });
    }
    await mkdir(taskDir, { recursive: true });
    this.registrations.set(id, task);
    try {
      await streamTask.init();
    } finally {
      this.registrations.delete(id);
    }
    await this.restore(task);
    // From here on local state runs ahead of the last commit; only a clean close checkpoints again.
    if (this.exactlyOnce) await deleteCheckpoint(taskDir);
    this.tasks.set(id, task);
    for (const tp of partitions) this.taskByPartition.set(`${tp.topic}:${tp.partition}`, task);
  }

  private async closeTask(task: ActiveTask): Promise<void> {
    await task.task.close();
    await task.producer?.close();
    if (task.persistent) await writeCheckpoint(task.taskDir, Object.fromEntries(task.changelogOffsets));
    this.tasks.delete(task.id);
    for (const tp of task.inputPartitions) this.taskByPartition.delete(`${tp.topic}:${tp.partition}`);
  }

  /**
   * Brings a task's stores up to the end of their changelogs before it processes: persistent
   * stores from their checkpoint, in-memory ones from the beginning.
   */
  private async restore(task: ActiveTask): Promise<void> {
    const logged = task.stores.filter((s) => s.changelogTopic !== undefined);
    if (logged.length === 0) return;
    const checkpoint = task.persistent ? await readCheckpoint(task.taskDir) : undefined;
    const checkpointOffsets = checkpoint === 'corrupt' || checkpoint === undefined ? {} : checkpoint;
    if (checkpoint === 'corrupt')
      this.logger.warn({ taskId: task.id }, 'corrupt checkpoint ignored: restoring from the beginning');
    const partition = task.task.partition;
    const ends = await this.admin!.listOffsets(logged.map((s) => ({ topic: s.changelogTopic!, partition })));
    for (const s of logged) {
      const topic = s.changelogTopic!;
      const key = `${topic}:${partition}`;
      const end = ends.find((e) => e.topic === topic && e.partition === partition)!;
      const fromCheckpoint = s.store.persistent ? checkpointOffsets[key] : undefined;
      const start =
        fromCheckpoint !== undefined && BigInt(fromCheckpoint) >= BigInt(end.begin)
          ? fromCheckpoint
          : end.begin;
      task.changelogOffsets.set(key, end.end);
      if (BigInt(start) >= BigInt(end.end)) continue;
      await this.restoreStore(task, s, topic, partition, start, end.end);
    }
  }

  private async restoreStore(
    task: ActiveTask,
    s: ActiveTask['stores'][number],
    topic: string,
    partition: number,
    start: string,
    end: string,
  ): Promise<void> {
    const store = s.store.name;
    const tp = { topic, partition };
    const total = Number(BigInt(end) - BigInt(start));
    this.eventSubject.next({
      type: 'restore-start',
      store,
      topic,
      partition,
      startOffset: start,
      endOffset: end,
    });
    this.config.restoreListener?.onRestoreStart?.(tp, store, start, end);
    this.logger.info({ taskId: task.id, store, topic, partition, from: start, to: end }, 'restoring store');
    const began = Date.now();
    let restored = 0;
    const reader = this.client!.partitionReader({
      groupIdPrefix: `${this.config.applicationId}-restore`,
      partitions: [{ topic, partition, fromOffset: start, untilOffset: end }],
      isolation: 'read_committed',
    });
    try {
      await reader.run({
        eachBatch: async (batch) => {
          s.restore(
            batch.messages.map((m) => ({
              key: m.key ?? Buffer.alloc(0),
              value: m.value,
              timestamp: m.timestamp,
              offset: m.offset,
            })),
          );
          await s.store.flush();
          restored += batch.messages.length;
          const last = batch.messages.at(-1)?.offset ?? start;
          this.config.restoreListener?.onBatchRestored?.(tp, store, last, batch.messages.length);
          const seconds = Math.max(0.001, (Date.now() - began) / 1000);
          this.eventSubject.next({
            type: 'restore-progress',
            store,
            topic,
            partition,
            restored,
            remaining: Math.max(0, total - restored),
            recordsPerSecond: Math.round(restored / seconds),
          });
        },
      });
    } finally {
      await reader.close();
    }
    this.eventSubject.next({ type: 'restore-end', store, topic, partition, totalRestored: restored });
    this.config.restoreListener?.onRestoreEnd?.(tp, store, restored);
    const seconds = Math.max(0.001, (Date.now() - began) / 1000);
    this.logger.info(
      { taskId: task.id, store, restored, recordsPerSecond: Math.round(restored / seconds) },
      `restored ${store} (100%)`,
    );
  }

  // ─── processing ───────────────────────────────────────────────────────────────────

  /** The hot path: every record of the batch is processed synchronously, then maybe a commit. */
  private async processBatch(batch: ConsumedBatch): Promise<void> {
    if (this.failed || this.closing !== undefined) return;
    const key = `${batch.topic}:${batch.partition}`;
    const task = this.taskByPartition.get(key);
    if (task === undefined) return;
    const streamTask = task.task;
    const messages = batch.messages;
    let next = -1;
    try {
      for (let i = 0; i < messages.length; i++) {
        const m = messages[i]!;
        const offset = Number(m.offset);
        streamTask.process(batch.topic, offset, m.key, m.value, m.timestamp, m.headers);
        streamTask.punctuateStreamTime();
        next = offset + 1;
      }
    } catch (error) {
      await this.fail(error);
      return;
    }
    if (next >= 0) task.nextOffsets.set(key, next);
    if (task.collector.size >= this.config.maxBufferedRecords) await this.sendEarly(task);
    await this.maybeCommit();
  }

  private async tick(): Promise<void> {
    if (this.failed || this.closing !== undefined || this.state !== 'RUNNING') return;
    await this.executor.run(async () => {
      if (this.failed || this.closing !== undefined) return;
      try {
        this.globalTask?.punctuateWallClock();
        for (const task of this.tasks.values()) task.task.punctuateWallClock();
        await this.maybeCommit();
      } catch (error) {
        await this.fail(error);
      }
    });
  }

  private async maybeCommit(): Promise<void> {
    if (this.commitRequested || Date.now() - this.lastCommit >= this.config.commitIntervalMs)
      await this.commitAll();
  }

  /**
   * Commit. At-least-once: flush stores (caches write down and log their changes) → send every
   * collected record and await acks → commit input offsets → write checkpoints. Exactly-once:
   * flush stores → per task one transaction holding its records and its input offsets.
   */
  private async commitAll(): Promise<void> {
    const began = Date.now();
    this.lastCommit = began;
    this.commitRequested = false;
    const tasks = [...this.tasks.values()];
    for (const task of tasks) for (const s of task.stores) await s.store.flush();
    let records = 0;
    let committedOffsets = 0;
    if (this.exactlyOnce) {
      const counts = await Promise.all(tasks.map((task) => this.commitTransactionOrDrop(task)));
      for (const [r, o] of counts) {
        records += r;
        committedOffsets += o;
      }
    } else {
      const batch = tasks.flatMap((t) => t.collector.drain());
      if (batch.length > 0) {
        let sent;
        try {
          sent = await this.producer!.send(batch);
        } catch (cause) {
          throw new ProductionError(`Producing ${batch.length} records failed: ${(cause as Error).message}`, {
            cause,
          });
        }
        for (const t of tasks) t.collector.noteChangelogOffsets(batch, sent);
        records = batch.length;
      }
      const offsets = tasks.flatMap((t) => t.uncommittedOffsets());
      if (offsets.length > 0) {
        try {
          await this.consumer!.commitOffsets(offsets);
        } catch (error) {
          // The group moved on (a rebalance raced the commit): the next owner reprocesses from the
          // last committed offsets, which at-least-once allows. Not a reason to stop.
          if (!(error instanceof TaskMigratedError)) throw error;
          this.logger.warn({ err: error }, 'offset commit lost to a rebalance; records will be reprocessed');
          return;
        }
      }
      committedOffsets = offsets.length;
    }
    for (const task of tasks) {
      task.markCommitted();
      for (const [tp, offset] of task.collector.changelogEndOffsets) {
        if (task.changelogOffsets.has(tp)) task.changelogOffsets.set(tp, offset);
      }
      if (task.persistent && !this.exactlyOnce) {
        await writeCheckpoint(task.taskDir, Object.fromEntries(task.changelogOffsets));
      }
    }
    if (records > 0 || committedOffsets > 0) {
      this.eventSubject.next({
        type: 'commit',
        tasks: [...this.tasks.keys()],
        records,
        durationMs: Date.now() - began,
      });
    }
  }

  /**
   * A fenced producer means another instance owns the task now: its transaction is void, so the
   * task is dropped without committing and without a checkpoint (its state gets restored afresh).
   */
  private async commitTransactionOrDrop(task: ActiveTask): Promise<[number, number]> {
    try {
      return await this.commitTransaction(task);
    } catch (error) {
      if (!(error instanceof TaskMigratedError)) throw error;
      this.logger.warn({ err: error, taskId: task.id }, 'task migrated to another instance; dropping it');
      task.transaction = undefined;
      task.collector.clear();
      await task.task.close();
      await task.producer?.close().catch(() => undefined);
      this.tasks.delete(task.id);
      for (const tp of task.inputPartitions) this.taskByPartition.delete(`${tp.topic}:${tp.partition}`);
      return [0, 0];
    }
  }

  /** Exactly-once: the task's records and input offsets in one transaction. */
  private async commitTransaction(task: ActiveTask): Promise<[number, number]> {
    const offsets = task.uncommittedOffsets();
    if (task.collector.size === 0 && offsets.length === 0 && task.transaction === undefined) return [0, 0];
    const tx = task.transaction ?? (await task.producer!.beginTransaction());
    task.transaction = tx;
    const batch = task.collector.drain();
    if (batch.length > 0) task.collector.noteChangelogOffsets(batch, await tx.send(batch));
    if (offsets.length > 0) await tx.sendOffsets({ consumerGroupId: this.config.applicationId, offsets });
    await tx.commit();
    task.transaction = undefined;
    return [batch.length, offsets.length];
  }

  /** Sends a task's records before the commit when too many are buffered (inside its transaction under exactly-once). */
  private async sendEarly(task: ActiveTask): Promise<void> {
    const batch = task.collector.drain();
    if (batch.length === 0) return;
    if (this.exactlyOnce) {
      task.transaction ??= await task.producer!.beginTransaction();
      task.collector.noteChangelogOffsets(batch, await task.transaction.send(batch));
    } else {
      task.collector.noteChangelogOffsets(batch, await this.producer!.send(batch));
    }
  }

  // ─── global stores ────────────────────────────────────────────────────────────────

  /** Global stores read every partition of their topic: bootstrapped to the end, then followed. */
  private async startGlobalStores(): Promise<void> {
    const globalNodes = this.topology.globalNodes();
    if (globalNodes.length === 0) return;
    for (const [name, entry] of this.topology.stores) {
      if (!entry.global) continue;
      const store = entry.builder.build();
      await store.init(
        {
          applicationId: this.config.applicationId,
          taskId: 'global',
          partition: -1,
          taskDir: join(this.stateDir, this.config.applicationId, 'global'),
          cacheMaxBytes: 0,
          currentTimestamp: () => -1,
          logChange: () => {},
          register: () => {},
        },
        store,
      );
      this.globalStores.set(name, store);
    }
    this.globalTask = new StreamTask(-1, 0, this.topology, globalNodes, this.host!);
    await this.globalTask.init();
    const topics = globalNodes.flatMap((n) => (n.kind === 'source' ? [...n.topics] : []));
    const counts = await this.admin!.describeTopics(topics);
    const ranges = topics.flatMap((topic) =>
      Array.from({ length: counts[topic] ?? 0 }, (_, partition) => ({ topic, partition })),
    );
    const ends = await this.admin!.listOffsets(ranges);
    const process = (batch: ConsumedBatch) => {
      for (const m of batch.messages)
        this.globalTask!.process(batch.topic, Number(m.offset), m.key, m.value, m.timestamp, m.headers);
    };
    const bootstrap = this.client!.partitionReader({
      groupIdPrefix: `${this.config.applicationId}-global`,
      partitions: ends.map((e) => ({
        topic: e.topic,
        partition: e.partition,
        fromOffset: e.begin,
        untilOffset: e.end,
      })),
    });
    await bootstrap.run({ eachBatch: async (b) => process(b) });
    await bootstrap.close();
    this.globalReader = this.client!.partitionReader({
      groupIdPrefix: `${this.config.applicationId}-global`,
      partitions: ends.map((e) => ({ topic: e.topic, partition: e.partition, fromOffset: e.end })),
    });
    void this.globalReader
      .run({ eachBatch: (b) => this.executor.run(async () => process(b)) })
      .catch((error) => void this.fail(error));
  }

  // ─── shutdown and failure ─────────────────────────────────────────────────────────

  private async doClose(): Promise<void> {
    if (this.state === 'NOT_RUNNING') return;
    const wasRunning = this.state !== 'CREATED' && !this.failed;
    this.transition('PENDING_SHUTDOWN');
    if (this.timer !== undefined) clearInterval(this.timer);
    try {
      if (wasRunning) {
        await this.executor.run(async () => {
          await this.commitAll();
          for (const task of [...this.tasks.values()]) await this.closeTask(task);
        });
      }
    } catch (error) {
      this.logger.error({ err: error }, 'error while closing');
    } finally {
      await this.releaseClients();
      this.transition('NOT_RUNNING');
    }
  }

  private async releaseClients(): Promise<void> {
    const quietly = async (f: (() => Promise<void>) | undefined) => {
      try {
        await f?.();
      } catch (error) {
        this.logger.debug({ err: error }, 'error while releasing a client');
      }
    };
    await quietly(this.globalReader && (() => this.globalReader!.close()));
    await quietly(this.consumer && (() => this.consumer!.close()));
    await quietly(this.producer && (() => this.producer!.close()));
    await quietly(this.admin && (() => this.admin!.close()));
    for (const task of this.tasks.values()) {
      await quietly(() => task.task.close());
      await quietly(task.producer && (() => task.producer!.close()));
    }
    this.tasks.clear();
    this.taskByPartition.clear();
    for (const store of this.globalStores.values()) await quietly(async () => store.close());
    await quietly(this.ownedClient && (() => this.ownedClient!.close()));
  }

  private async fail(error: unknown): Promise<void> {
    if (this.failed) return;
    this.failed = true;
    const streamsError =
      error instanceof StreamsError
        ? error
        : new StreamsError((error as Error).message ?? String(error), { cause: error });
    this.logger.error(
      { err: streamsError, taskId: streamsError.taskId, node: streamsError.node },
      'application failed',
    );
    this.eventSubject.next({ type: 'error', error: streamsError });
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.state !== 'PENDING_SHUTDOWN' && this.state !== 'NOT_RUNNING') this.transition('ERROR');
    // Without committing: what was processed since the last commit is processed again by the next owner.
    for (const task of this.tasks.values()) {
      task.collector.clear();
      void task.transaction?.abort().catch(() => undefined);
    }
    void this.releaseClients();
  }

  private transition(to: StreamsState): void {
    const from = this.state;
    if (from === to) return;
    if (!TRANSITIONS[from].includes(to)) {
      this.logger.debug({ from, to }, 'ignored state transition');
      return;
    }
    this.stateSubject.next(to);
    this.eventSubject.next({ type: 'state', from, to });
  }
}
