import { randomUUID } from 'node:crypto';
import { access, mkdir, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BehaviorSubject, Subject, filter, firstValueFrom, type Observable } from 'rxjs';
import { ConfigError, ProductionError, StateStoreError, StreamsError, TaskMigratedError } from '../errors.js';
import { createKafkaClient, type ClosableKafkaClient, type KafkaLogEntry } from '../kafka/client.js';
import { createEmbeddedKafka, type EmbeddedKafka } from '../kafka/embedded/client.js';
import type {
  ConsumedBatch,
  ConsumedMessage,
  GroupConsumer,
  KafkaAdmin,
  KafkaClient,
  KafkaProducer,
  PartitionReader,
  ProducerRecord,
  TopicPartition,
  TopicPartitions,
} from '../kafka/port.js';
import type { StateStore } from '../state/store.js';
import type { Topology } from '../topology/topology.js';
import { ActiveTask } from './active-task.js';
import { restoreTask, type RestoreEnvironment } from './changelog-restore.js';
import { deleteCheckpoint, readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { resolveConfig, type ResolvedConfig, type StreamsConfig } from './config.js';
import type { StreamsEvent, StreamsState, TaskMetadata } from './events.js';
import { resolveHandler } from './exception-handlers.js';
import { KafkaRecordCollector } from './kafka-record-collector.js';
import { PartitionGroup } from './partition-group.js';
import { RepartitionPurger } from './repartition-purger.js';
import { consoleLogger, type Logger } from './logger.js';
import { SerialExecutor } from './serial-executor.js';
import { StandbyTask } from './standby-task.js';
import { lockApplicationDir, lockTaskDir, TASK_LOCK, type StateLock } from './state-directory.js';
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

/** Records a task buffers per input partition before pausing it (Kafka Streams' `buffered.records.per.partition`). */
const BUFFERED_RECORDS_PER_PARTITION = 1_000;

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
  private readonly standbys = new Map<string, StandbyTask>();
  /** Tasks with a checkpoint in this instance's state directory: the assignor prefers us for them. */
  private readonly tasksWithState = new Set<string>();
  private instanceLock: StateLock | undefined;
  /** Between `onAssigned` and the next `onRebalancing`: tasks may process, punctuate and commit. */
  private assignmentActive = false;
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
  /** Every cache of this instance shares one budget: `cacheMaxBytes` in total, as in Kafka Streams. */
  private readonly cacheBudget = { maxBytes: 0, usedBytes: 0 };
  /** The early (pre-commit) send still being acknowledged, see `sendEarly`. */
  private inFlightSend: Promise<void> | undefined;
  private purger: RepartitionPurger | undefined;
  /** A drain of the partition groups is scheduled (see `bufferBatch`). */
  private groupDrainScheduled = false;

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
    this.cacheBudget.maxBytes = this.config.cacheMaxBytes;
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
      this.instanceLock = await lockApplicationDir(this.appDir, this.processId);
      await this.findTasksWithState();
      await this.connect();
      const settled = firstValueFrom(this.state$.pipe(filter((s) => s !== 'REBALANCING')));
      await this.runConsumer();
      // Restoration runs in the background: RUNNING comes once every active task caught up.
      const reached = await settled;
      if (this.failed) throw new StreamsError('The application failed while starting; see the error event.');
      if (reached !== 'RUNNING')
        throw new StreamsError(`The application stopped while starting (${reached}).`);
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
    await rm(this.appDir, { recursive: true, force: true });
  }

  private get appDir(): string {
    return join(this.stateDir, this.config.applicationId);
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
    for (const standby of this.standbys.values()) {
      out.push({
        taskId: standby.id,
        kind: 'standby',
        topicPartitions: this.inputPartitionsOf(standby.id),
        committedOffsets: {},
      });
    }
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

  /**
   * The Kafka client's own warnings go to the debug log: it reports every rebalance as an error.
   * A reset of an input's position is the exception: the records between the committed offset and
   * the log start were deleted (retention, deleteRecords) before they were processed.
   */
  private logClientEntry(entry: KafkaLogEntry): void {
    const fields = { client: entry.namespace, ...entry.extra };
    if (/offset out of range/i.test(entry.message))
      this.logger.warn(
        fields,
        'committed offset no longer in the log (records deleted before they were processed): resetting to the earliest offset',
      );
    else this.logger.debug(fields, entry.message);
  }

  private async connect(): Promise<void> {
    const c = this.config;
    if (c.kafka !== undefined) this.client = c.kafka;
    else if (c.brokers !== undefined && c.brokers.length > 0) {
      this.ownedClient = createKafkaClient({
        brokers: c.brokers,
        clientId: c.clientId,
        ssl: c.ssl as never,
        sasl: c.sasl as never,
        logLevel: 'warn',
        logger: (entry) => this.logClientEntry(entry),
      });
      this.client = this.ownedClient;
    } else this.client = embeddedKafka();
    this.topology.defaultDslStore = c.defaultDslStore;
    this.admin = await this.client.admin();
    this.plan = await planTopics(this.topology, c.applicationId, this.admin, c.replicationFactor);
    const admin = this.admin;
    this.purger = new RepartitionPurger(
      this.plan.repartitionTopics,
      c.repartitionPurgeIntervalMs,
      (offsets) => admin.deleteRecords(offsets),
      (error) => this.logger.warn({ err: error }, 'purging consumed repartition records failed; will retry'),
    );
    this.producer = await this.client.producer();
    const log = (message: string, error: unknown) => this.logger.warn({ err: error }, message);
    const onDeserialization = resolveHandler(c.deserializationExceptionHandler, log);
    const onProcessing = resolveHandler(c.processingExceptionHandler, log);
    this.hostFor = (collector) => ({
      applicationId: c.applicationId,
      collector,
      defaultKeySerde: c.defaultKeySerde,
      defaultValueSerde: c.defaultValueSerde,
      cacheMaxBytes: c.cacheMaxBytes,
      cacheBudget: this.cacheBudget,
      wallClockMs: () => Date.now(),
      taskDir: (taskId) => join(this.stateDir, c.applicationId, taskId),
      onDeserializationError: onDeserialization,
      onProcessingError: onProcessing,
      registerStore: (taskId, store, restore) => {
        const task = this.tasks.get(taskId);
        task?.stores.push({ store, restore, changelogTopic: this.plan!.changelogs.get(store.name) });
      },
      globalStore: (name) => this.globalStores.get(name),
      requestCommit: () => {
        this.commitRequested = true;
      },
    });
    this.host = this.hostFor(this.newCollector());
    await this.startGlobalStores();
  }

  /** Tasks with a checkpoint left by an earlier run (or a standby) of this instance. */
  private async findTasksWithState(): Promise<void> {
    let entries: string[];
    try {
      entries = await readdir(this.appDir);
    } catch {
      return;
    }
    for (const id of entries) {
      if (!/^\d+_\d+$/.test(id)) continue;
      const has = await access(join(this.appDir, id, '.checkpoint')).then(
        () => true,
        () => false,
      );
      if (has) this.tasksWithState.add(id);
    }
  }

  private get restoreEnvironment(): RestoreEnvironment {
    return {
      client: this.client!,
      admin: this.admin!,
      applicationId: this.config.applicationId,
      events: this.eventSubject,
      listener: this.config.restoreListener,
      logger: this.logger,
    };
  }

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
    const stateful = new Set(
      this.topology
        .subtopologies()
        .filter((sub) => sub.stores.some((store) => plan.changelogs.has(store)))
        .map((sub) => sub.id),
    );
    const assignor = new TaskAssignor(
      () => ({
        processId: this.processId,
        previousActive: [...this.tasks.keys()],
        stateTasks: [...new Set([...this.tasks.keys(), ...this.standbys.keys(), ...this.tasksWithState])],
      }),
      topicsBySub,
      this.config.numStandbyReplicas,
      stateful,
    );
    this.consumer = this.client!.consumer({
      groupId: this.config.applicationId,
      topics: [...plan.sourceTopics],
      assignor,
      listener: {
        onRebalancing: () =>
          this.executor.run(async () => {
            if (this.failed) return;
            this.assignmentActive = false;
            // Uncommitted, so fetched again from the committed offsets after the rebalance.
            for (const task of this.tasks.values()) {
              task.pendingBatches.length = 0;
              task.group?.clear();
            }
            if (this.state === 'RUNNING') this.transition('REBALANCING');
            await this.commitAll();
          }),
        onLost: () =>
          this.executor.run(async () => {
            if (this.failed) return;
            this.assignmentActive = false;
            if (this.state === 'RUNNING') this.transition('REBALANCING');
            // A send of the dropped tasks' records may fail (fenced): it no longer matters.
            await this.awaitInFlightSend().catch(() => undefined);
            this.logger.warn(
              { tasks: [...this.tasks.keys()] },
              'evicted from the group: dropping tasks without committing',
            );
            for (const task of [...this.tasks.values()]) await this.closeTaskDirty(task);
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

  /**
   * Applies a new assignment without restoring inside the rebalance callback (kafkajs does not
   * heartbeat while it runs): revoked tasks and standbys close, new tasks start RESTORING with
   * their input paused and restore in the background, new standbys start following.
   */
  private async onAssigned(assignment: TopicPartitions, userData: Buffer): Promise<void> {
    const plan = this.plan!;
    const wanted = new Map<string, TopicPartition[]>();
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
    const wantedStandbys = new Set(
      (decodeAssignmentInfo(userData)?.standby ?? []).filter((id) => !wanted.has(id)),
    );
    const revoked = [...this.tasks.keys()].filter((id) => !wanted.has(id));
    if ([...this.tasks.values()].some((t) => t.collector.size > 0 || t.uncommittedOffsets().length > 0)) {
      await this.commitAll();
    }
    for (const id of revoked) await this.closeTask(this.tasks.get(id)!);
    // A standby becoming active here closes first: the active task opens over its directory.
    for (const standby of [...this.standbys.values()])
      if (!wantedStandbys.has(standby.id)) await this.closeStandby(standby);
    const assigned: string[] = [];
    for (const [id, partitions] of wanted) {
      const existing = this.tasks.get(id);
      if (existing === undefined) {
        this.createTask(id, partitions);
        assigned.push(id);
      } else if (existing.phase === 'RESTORING') {
        existing.bufferPaused.clear();
        this.consumer!.pause([...existing.inputPartitions]);
      } else {
        // It may have finished restoring during the rebalance, while its input stayed paused (or
        // paused on a full buffer, since emptied).
        existing.bufferPaused.clear();
        this.consumer!.resume([...existing.inputPartitions]);
      }
    }
    for (const id of wantedStandbys) if (!this.standbys.has(id)) this.createStandby(id);
    this.assignmentActive = true;
    this.eventSubject.next({
      type: 'rebalance',
      assigned,
      revoked,
      active: [...this.tasks.keys()],
      standby: [...wantedStandbys],
    });
    this.logger.info(
      { assigned, revoked, active: [...this.tasks.keys()], standby: [...wantedStandbys] },
      'tasks assigned',
    );
    this.runningIfRestored();
  }

  /** REBALANCING → RUNNING once the assignment is applied and every active task has restored. */
  private runningIfRestored(): void {
    if (this.state !== 'REBALANCING' || !this.assignmentActive || this.failed) return;
    for (const task of this.tasks.values()) if (task.phase !== 'RUNNING') return;
    this.transition('RUNNING');
  }

  private inputPartitionsOf(id: string): TopicPartition[] {
    const [sub, partition] = id.split('_').map(Number) as [number, number];
    const out: TopicPartition[] = [];
    for (const [topic, s] of this.plan?.subtopologyByTopic ?? [])
      if (s === sub) out.push({ topic, partition });
    return out;
  }

  /** Registers a RESTORING task, pauses its input and opens and restores it in the background. */
  private createTask(id: string, partitions: TopicPartition[]): void {
    const [subId, partition] = id.split('_').map(Number) as [number, number];
    const sub = this.topology.subtopologies().find((s) => s.id === subId)!;
    const collector = this.newCollector();
    const streamTask = new StreamTask(subId, partition, this.topology, sub.nodes, this.hostFor(collector));
    const task = new ActiveTask(streamTask, join(this.appDir, id), partitions, collector);
    if (partitions.length > 1) task.group = new PartitionGroup(partitions, this.config.maxTaskIdleMs);
    this.tasks.set(id, task);
    for (const tp of partitions) this.taskByPartition.set(`${tp.topic}:${tp.partition}`, task);
    this.consumer!.pause(partitions);
    task.restoration = this.openAndRestore(task);
    task.restoration.then(
      (restored) => {
        if (restored) void this.executor.run(() => this.finishRestoration(task));
      },
      (error: unknown) => {
        if (!task.cancellation.cancelled) void this.executor.run(() => this.fail(error));
      },
    );
  }

  /**
   * Local state is never trusted blindly: it is wiped (and restored from the changelog) when the
   * checkpoint is corrupt, when exactly-once finds no checkpoint (the last stop was unclean, so
   * local state may hold uncommitted writes), or when a checkpointed offset lies beyond the
   * changelog's end (the topic was recreated or the application reset: the state belongs to
   * another history).
   */
  private async wipeUntrustedState(taskId: string, taskDir: string): Promise<void> {
    const checkpoint = await readCheckpoint(taskDir);
    let reason: string | undefined;
    if (checkpoint === 'corrupt') reason = 'corrupt checkpoint';
    else if (checkpoint === undefined)
      reason = this.exactlyOnce ? 'no checkpoint after an unclean stop' : undefined;
    else {
      const positions = Object.entries(checkpoint).map(([key, offset]) => {
        const split = key.lastIndexOf(':');
        return { topic: key.slice(0, split), partition: Number(key.slice(split + 1)), offset };
      });
      if (positions.length > 0) {
        const ends = await this.admin!.listOffsets(
          positions.map(({ topic, partition }) => ({ topic, partition })),
        );
        const ahead = positions.find((p) => {
          const end = ends.find((e) => e.topic === p.topic && e.partition === p.partition);
          return end === undefined || BigInt(p.offset) > BigInt(end.end);
        });
        if (ahead !== undefined)
          reason = `checkpoint ${ahead.topic}:${ahead.partition}@${ahead.offset} is beyond the changelog's end`;
      }
    }
    if (reason === undefined) return;
    // A task directory with nothing but its lock is a first start, not an unclean stop.
    const entries = await readdir(taskDir).catch(() => [] as string[]);
    if (!entries.some((entry) => entry !== TASK_LOCK)) return;
    this.logger.warn({ taskId, reason }, 'wiping local state; it will be restored from the changelog');
    await wipeTaskState(taskDir);
  }

  /**
   * Opens a task's stores. Stores that cannot be opened (corrupt files, a file where the store's
   * directory should be) are never trusted: what opened is closed, the task's state is wiped and
   * the stores are opened once more, empty, to be restored from the changelog. If that fails too,
   * the directory itself is unusable and the application fails.
   */
  private async openStoresOrWipe(
    taskId: string,
    taskDir: string,
    stores: { open(): Promise<void>; unopened(): string[]; discard(): Promise<void> },
  ): Promise<void> {
    try {
      await stores.open();
      return;
    } catch (error) {
      this.logger.warn(
        { err: error, taskId, stores: stores.unopened() },
        'cannot open state stores; wiping local state, it will be restored from the changelog',
      );
    }
    await stores.discard();
    await wipeTaskState(taskDir);
    await mkdir(taskDir, { recursive: true });
    try {
      await stores.open();
    } catch (error) {
      await stores.discard();
      throw new StateStoreError(
        `Task ${taskId} cannot open its state stores even after wiping ${taskDir}: check that the directory is writable and the disk healthy.`,
        { taskId, cause: error },
      );
    }
  }

  /** Locks the task directory, opens the stores and restores them. False when cancelled. */
  private async openAndRestore(task: ActiveTask): Promise<boolean> {
    task.lock = await lockTaskDir(task.taskDir, this.processId, task.id);
    if (task.cancellation.cancelled) return false;
    if (this.exactlyOnce) {
      // Creating the producer initialises transactions for this id, fencing a zombie owner.
      task.producer = await this.client!.transactionalProducer({
        transactionalId: `${this.config.applicationId}-${task.id}`,
      });
    }
    await this.wipeUntrustedState(task.id, task.taskDir);
    await mkdir(task.taskDir, { recursive: true });
    await this.openStoresOrWipe(task.id, task.taskDir, {
      open: () => task.task.init(),
      unopened: () => persistentUnopened(task.task.allStores().values()),
      discard: async () => {
        for (const store of task.task.allStores().values())
          await Promise.resolve()
            .then(() => store.close())
            .catch(() => undefined);
        task.stores.length = 0;
      },
    });
    if (task.cancellation.cancelled) return false;
    const checkpoint = task.persistent ? await readCheckpoint(task.taskDir) : undefined;
    const offsets = checkpoint === undefined || checkpoint === 'corrupt' ? {} : checkpoint;
    const target = {
      id: task.id,
      partition: task.task.partition,
      stores: task.stores,
      changelogOffsets: task.changelogOffsets,
    };
    if (task.group !== undefined) await this.learnInputLag(task);
    if (!(await restoreTask(this.restoreEnvironment, target, offsets, task.cancellation))) return false;
    // From here on local state runs ahead of the last commit; only a clean close checkpoints again.
    if (this.exactlyOnce) await deleteCheckpoint(task.taskDir);
    return true;
  }

  /**
   * Which inputs of a multi-partition task have records to fetch (committed offset below the
   * end), so that its first batches are not merged without a partition still on its way.
   */
  private async learnInputLag(task: ActiveTask): Promise<void> {
    const partitions = task.inputPartitions.map(({ topic, partition }) => ({ topic, partition }));
    const [ends, committed] = await Promise.all([
      this.admin!.listOffsets(partitions),
      this.admin!.fetchCommittedOffsets(this.config.applicationId, partitions),
    ]);
    for (const { topic, partition, begin, end } of ends) {
      const offset = committed.find((c) => c.topic === topic && c.partition === partition)?.offset;
      task.group!.setLagging(topic, partition, BigInt(offset ?? begin) < BigInt(end));
    }
  }

  /** In the executor: the task runs, processes what was fetched while it restored, and resumes. */
  private async finishRestoration(task: ActiveTask): Promise<void> {
    if (this.failed || this.closing !== undefined) return;
    if (this.tasks.get(task.id) !== task || task.phase !== 'RESTORING') return;
    task.phase = 'RUNNING';
    for (const batch of task.pendingBatches.splice(0)) await this.processTaskBatch(task, batch);
    this.consumer!.resume([...task.inputPartitions]);
    this.runningIfRestored();
  }

  private async closeTask(task: ActiveTask): Promise<void> {
    this.tasks.delete(task.id);
    for (const tp of task.inputPartitions) this.taskByPartition.delete(`${tp.topic}:${tp.partition}`);
    const wasRunning = task.phase === 'RUNNING';
    if (!wasRunning) {
      await task.cancellation.cancel();
      await task.restoration?.catch(() => false);
      task.pendingBatches.length = 0;
    }
    // A paused partition (restoring, or a full buffer) stays paused in the consumer across rebalances.
    task.bufferPaused.clear();
    this.consumer?.resume([...task.inputPartitions]);
    try {
      await task.task.close();
      await task.producer?.close();
      // A restore cancelled before it began leaves the directory (and its checkpoint) as it was.
      if (task.lock !== undefined && task.persistent && (wasRunning || task.changelogOffsets.size > 0)) {
        await writeCheckpoint(task.taskDir, Object.fromEntries(task.changelogOffsets));
        this.tasksWithState.add(task.id);
      }
    } finally {
      await task.lock?.release();
    }
  }

  // ─── standby tasks ────────────────────────────────────────────────────────────────

  /** Opens a standby in the background: lock, stores, then follow the changelogs. */
  private createStandby(id: string): void {
    const [subId, partition] = id.split('_').map(Number) as [number, number];
    const sub = this.topology.subtopologies().find((s) => s.id === subId);
    if (sub === undefined) return;
    const standby = new StandbyTask(id, partition, join(this.appDir, id));
    this.standbys.set(id, standby);
    standby.opening = (async () => {
      standby.lock = await lockTaskDir(standby.taskDir, this.processId, id);
      await this.wipeUntrustedState(id, standby.taskDir);
      await this.openStoresOrWipe(id, standby.taskDir, {
        open: () => standby.openStores(this.topology, sub, this.config.applicationId, this.plan!.changelogs),
        unopened: () => standby.unopenedStores(),
        discard: () => standby.discardStores(),
      });
      await standby.startFollowing(this.restoreEnvironment, (error) => void this.fail(error));
    })();
    standby.opening.catch((error: unknown) => {
      if (this.standbys.get(id) === standby && this.closing === undefined) void this.fail(error);
    });
  }

  /**
   * Drops a task another instance already owns (this one was evicted): nothing is flushed, sent,
   * committed or checkpointed, so no stale result reaches Kafka. Unflushed local writes are
   * discarded with the stores; what was flushed matches the last checkpoint.
   */
  private async closeTaskDirty(task: ActiveTask): Promise<void> {
    this.tasks.delete(task.id);
    for (const tp of task.inputPartitions) this.taskByPartition.delete(`${tp.topic}:${tp.partition}`);
    if (task.phase !== 'RUNNING') {
      await task.cancellation.cancel();
      await task.restoration?.catch(() => false);
    }
    task.bufferPaused.clear();
    this.consumer?.resume([...task.inputPartitions]);
    task.pendingBatches.length = 0;
    task.group?.clear();
    task.collector.clear();
    const quietly = (p: Promise<unknown> | undefined) => p?.catch(() => undefined);
    await quietly(task.transaction?.abort());
    task.transaction = undefined;
    await quietly(task.task.close());
    await quietly(task.producer?.close());
    await task.lock?.release();
  }

  private async closeStandby(standby: StandbyTask): Promise<void> {
    this.standbys.delete(standby.id);
    await standby.close();
    if (standby.stores.length > 0) this.tasksWithState.add(standby.id);
  }

  // ─── processing ───────────────────────────────────────────────────────────────────

  private async processBatch(batch: ConsumedBatch): Promise<void> {
    if (this.failed || this.closing !== undefined) return;
    const task = this.taskByPartition.get(`${batch.topic}:${batch.partition}`);
    if (task === undefined) return;
    // Fetched before its partition was paused: processed once the task has restored.
    if (task.phase === 'RESTORING') task.pendingBatches.push(batch);
    else await this.processTaskBatch(task, batch);
  }

  /** The hot path: every record of the batch is processed synchronously, then maybe a commit. */
  private async processTaskBatch(task: ActiveTask, batch: ConsumedBatch): Promise<void> {
    const key = `${batch.topic}:${batch.partition}`;
    const streamTask = task.task;
    let messages = batch.messages;
    // A batch overlapping what was processed already (one held while restoring, then fetched again).
    const processedUntil = task.nextOffsets.get(key);
    if (processedUntil !== undefined && messages.length > 0 && Number(messages[0]!.offset) < processedUntil)
      messages = messages.filter((m) => Number(m.offset) >= processedUntil);
    if (task.group !== undefined) {
      this.bufferBatch(task, batch, messages);
      return;
    }
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
    // Also send once a partition is drained (the batch reached its high watermark): a quiet input
    // then does not hold its last outputs back until the next commit.
    const drained = next >= 0 && String(next) === batch.highWatermark;
    if (task.collector.size >= this.config.maxBufferedRecords || (drained && task.collector.size > 0)) {
      await this.sendEarly(task);
    }
    await this.maybeCommit();
  }

  /**
   * A task with several input partitions buffers each batch and processes the merged records a
   * moment later: the batches of one fetch arrive one after another, and are merged best when all
   * of them are in. A full buffer pauses its partition until processing catches up.
   */
  private bufferBatch(task: ActiveTask, batch: ConsumedBatch, messages: readonly ConsumedMessage[]): void {
    const queue = task.group!.add(batch, messages);
    if (queue === undefined) return;
    if (
      PartitionGroup.pending(queue) >= BUFFERED_RECORDS_PER_PARTITION &&
      !task.bufferPaused.has(queue.key)
    ) {
      task.bufferPaused.add(queue.key);
      this.consumer!.pause([{ topic: queue.topic, partition: queue.partition }]);
    }
    if (this.groupDrainScheduled) return;
    this.groupDrainScheduled = true;
    setImmediate(() => {
      this.groupDrainScheduled = false;
      void this.executor.run(async () => {
        if (this.failed || this.closing !== undefined || !this.assignmentActive) return;
        for (const t of this.tasks.values())
          if (t.group !== undefined && t.phase === 'RUNNING') await this.processGroup(t);
      });
    });
  }

  /** Processes a task's buffered records in timestamp order, as far as its partition group allows. */
  private async processGroup(task: ActiveTask): Promise<void> {
    const group = task.group!;
    if (group.isEmpty) return;
    const streamTask = task.task;
    const now = Date.now();
    try {
      for (let queue = group.nextQueue(now); queue !== undefined; queue = group.nextQueue(now)) {
        const m = queue.messages[queue.head++]!;
        const offset = Number(m.offset);
        streamTask.process(queue.topic, offset, m.key, m.value, m.timestamp, m.headers);
        streamTask.punctuateStreamTime();
        task.nextOffsets.set(queue.key, offset + 1);
      }
    } catch (error) {
      await this.fail(error);
      return;
    }
    for (const queue of group.queues) {
      if (
        task.bufferPaused.has(queue.key) &&
        PartitionGroup.pending(queue) < BUFFERED_RECORDS_PER_PARTITION
      ) {
        task.bufferPaused.delete(queue.key);
        this.consumer!.resume([{ topic: queue.topic, partition: queue.partition }]);
      }
    }
    if (
      task.collector.size >= this.config.maxBufferedRecords ||
      (group.caughtUp && task.collector.size > 0)
    ) {
      await this.sendEarly(task);
    }
    await this.maybeCommit();
  }

  private async tick(): Promise<void> {
    if (this.failed || this.closing !== undefined || !this.assignmentActive) return;
    await this.executor.run(async () => {
      if (this.failed || this.closing !== undefined || !this.assignmentActive) return;
      try {
        this.globalTask?.punctuateWallClock();
        for (const task of this.tasks.values()) {
          if (task.phase !== 'RUNNING') continue;
          task.task.punctuateWallClock();
          // Records held back while waiting for an empty partition, once the wait is over.
          if (task.group !== undefined) await this.processGroup(task);
        }
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
   * flush stores → per task one transaction holding its records and its input offsets. Standbys
   * checkpoint how far they read. Restoring tasks have nothing to commit.
   */
  private async commitAll(): Promise<void> {
    await this.awaitInFlightSend();
    const began = Date.now();
    this.lastCommit = began;
    this.commitRequested = false;
    for (const standby of this.standbys.values()) await standby.checkpoint();
    const tasks = [...this.tasks.values()].filter((t) => t.phase === 'RUNNING');
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
      // Not a task dropped by this commit (fenced): its offsets were not committed.
      if (this.tasks.get(task.id) === task) this.purger?.noteCommitted(task.committedOffsets);
      for (const [tp, offset] of task.collector.changelogEndOffsets) {
        if (task.changelogOffsets.has(tp)) task.changelogOffsets.set(tp, offset);
      }
      if (task.persistent && !this.exactlyOnce) {
        await writeCheckpoint(task.taskDir, Object.fromEntries(task.changelogOffsets));
      }
    }
    this.purger?.maybePurge();
    if (records > 0 || committedOffsets > 0) {
      this.eventSubject.next({
        type: 'commit',
        tasks: tasks.map((t) => t.id),
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
      await task.lock?.release();
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
    // One send in flight at a time: it keeps per-partition order and bounds what is buffered to
    // about two thresholds' worth of records.
    await this.awaitInFlightSend();
    const batch = task.collector.drain();
    if (batch.length === 0) return;
    // Not awaited: processing goes on while the broker acknowledges; the next early send or the
    // commit waits for it (and rethrows its failure).
    const send = this.sendDrained(task, batch);
    send.catch(() => undefined);
    this.inFlightSend = send;
  }

  private async sendDrained(task: ActiveTask, batch: ProducerRecord[]): Promise<void> {
    if (this.exactlyOnce) {
      task.transaction ??= await task.producer!.beginTransaction();
      task.collector.noteChangelogOffsets(batch, await task.transaction.send(batch));
    } else {
      task.collector.noteChangelogOffsets(batch, await this.producer!.send(batch));
    }
  }

  /** Waits for the early send in flight, if any; its failure fails whoever waits. */
  private async awaitInFlightSend(): Promise<void> {
    const send = this.inFlightSend;
    this.inFlightSend = undefined;
    if (send !== undefined) await send;
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
          for (const standby of [...this.standbys.values()]) await this.closeStandby(standby);
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
    for (const task of this.tasks.values()) {
      await quietly(() => task.cancellation.cancel());
      await quietly(async () => void (await task.restoration));
      await quietly(() => task.task.close());
      await quietly(task.producer && (() => task.producer!.close()));
      await quietly(task.lock && (() => task.lock!.release()));
    }
    this.tasks.clear();
    this.taskByPartition.clear();
    for (const standby of this.standbys.values()) await quietly(() => standby.close());
    this.standbys.clear();
    await quietly(this.purger && (() => this.purger!.drain()));
    await quietly(this.admin && (() => this.admin!.close()));
    await quietly(this.instanceLock && (() => this.instanceLock!.release()));
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
      void task.cancellation.cancel();
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

/** Removes a task's local state but not its lock file (the caller holds the lock). */
async function wipeTaskState(taskDir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(taskDir);
  } catch {
    return;
  }
  for (const entry of entries)
    if (entry !== TASK_LOCK) await rm(join(taskDir, entry), { recursive: true, force: true });
}

/** Names of the persistent stores among `stores` that are not open (the ones that failed to open). */
function persistentUnopened(stores: Iterable<StateStore>): string[] {
  return [...stores].filter((s) => s.persistent && !s.isOpen()).map((s) => s.name);
}
