import type { Subject } from 'rxjs';
import type {
  ConsumedBatch,
  GroupConsumer,
  KafkaAdmin,
  KafkaClient,
  KafkaProducer,
  TopicPartitions,
} from '../kafka/port.js';
import type { CacheBudget, StateStore } from '../state/store.js';
import type { Topology } from '../topology/topology.js';
import type { ActiveTask } from './active-task.js';
import type { ResolvedConfig } from './config.js';
import type { StreamsEvent, StreamsState, TaskMetadata, ThreadMetadata } from './events.js';
import { resolveHandlers } from './exception-handlers.js';
import type { Logger } from '../logger.js';
import type { RepartitionPurger } from './repartition-purger.js';
import type { MeteredThread } from './metrics/collect.js';
import { ThreadSensors } from './metrics/sensors.js';
import { SerialExecutor } from './serial-executor.js';
import type { TaskHost } from './stream-task.js';
import { decodeAssignmentInfo, TaskAssignor, type HostTasks } from './task-assignor.js';
import { commitAll } from './task-committer.js';
import { TaskManager } from './task-manager.js';
import { localStoresOf } from './local-stores.js';
import type { TopicPlan } from './topic-plan.js';

/** @internal What the tasks of a thread (or the global task) see of the instance. */
export function taskHost(
  config: ResolvedConfig,
  logger: Logger,
  links: Pick<TaskHost, 'globalStore' | 'requestCommit'>,
): TaskHost {
  const log = (message: string, error: unknown) => logger.warn({ err: error }, message);
  return {
    applicationId: config.applicationId,
    defaultKeySerde: config.defaultKeySerde,
    defaultValueSerde: config.defaultValueSerde,
    logger,
    wallClockMs: () => Date.now(),
    ...resolveHandlers(config, log),
    globalStore: links.globalStore,
    requestCommit: links.requestCommit,
  };
}

/** @internal What a stream thread shares with the instance that runs it. */
export interface StreamThreadOptions {
  readonly name: string;
  readonly config: ResolvedConfig;
  readonly topology: Topology;
  readonly plan: TopicPlan;
  readonly client: KafkaClient;
  readonly admin: KafkaAdmin;
  readonly processId: string;
  readonly appDir: string;
  readonly logger: Logger;
  readonly events: Subject<StreamsEvent>;
  readonly purger: RepartitionPurger;
  readonly cacheBudget: CacheBudget;
  readonly tasksWithState: Iterable<string>;
  globalStore(name: string): StateStore | undefined;
  /** The thread lost its assignment (a rebalance began). */
  onRebalancing(): void;
  /** The thread has its assignment and every task restored. */
  onReady(): void;
  /** Something failed that the thread cannot recover from. */
  onError(error: unknown): void;
  /** A member of the group asked every instance to shut down (`'shutdownApplication'`). */
  onShutdownRequested(): void;
  /** The group's tasks per `applicationServer`, from each new assignment (interactive-query metadata). */
  onHostTasks?(hosts: Record<string, HostTasks>): void;
}

/**
 * @internal One consumer (and, at-least-once, one producer) and the loop over its tasks:
 * poll → process → punctuate → commit. Every job (a fetched batch, a timer tick, a rebalance
 * callback, a finished restore) runs through one serial executor, so tasks change hands and
 * commits happen at clean boundaries without locks in the hot path. More threads are more
 * instances of this class.
 */
export class StreamThread implements MeteredThread {
  readonly sensors = new ThreadSensors();
  private readonly executor = new SerialExecutor();
  private readonly host: TaskHost;
  private consumer: GroupConsumer | undefined;
  private producer: KafkaProducer | undefined;
  private taskManager: TaskManager | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastCommit = Date.now();
  private commitRequested = false;
  /** The early (pre-commit) send still being acknowledged, see `sendEarly`. */
  private inFlightSend: Promise<void> | undefined;
  /** A drain of the partition groups is scheduled (see `scheduleGroupDrain`). */
  private groupDrainScheduled = false;
  /** Between `onAssigned` and the next `onRebalancing`: tasks may process, punctuate and commit. */
  private assignmentActive = false;
  /** Closing or failed: fetched batches and ticks are ignored. */
  private stopped = false;

  constructor(private readonly options: StreamThreadOptions) {
    this.host = taskHost(options.config, options.logger, {
      globalStore: (name) => options.globalStore(name),
      requestCommit: () => {
        this.commitRequested = true;
      },
    });
  }

  get name(): string {
    return this.options.name;
  }

  private get exactlyOnce(): boolean {
    return this.options.config.processingGuarantee === 'exactly_once';
  }

  /** Whether the thread has its assignment and every active task restored. */
  get ready(): boolean {
    return this.assignmentActive && !this.stopped && (this.taskManager?.allRunning ?? false);
  }

  /** The stores named `name` of this thread's tasks, for interactive queries (see `localStoresOf`). */
  queryableStores(name: string, includeStandbys: boolean): StateStore[] {
    const tm = this.taskManager;
    if (tm === undefined) return [];
    const tasks = { ready: this.ready, active: tm.activeTasks(), standby: tm.standbyTasks() };
    return localStoresOf(name, tasks, includeStandbys);
  }

  /** Active and standby tasks of this thread. */
  metadata(): TaskMetadata[] {
    return this.taskManager?.metadata() ?? [];
  }

  /** Kafka Streams' per-thread view of this thread: its active and standby tasks. */
  threadMetadata(state: StreamsState): ThreadMetadata {
    const tasks = this.metadata();
    return {
      threadName: this.name,
      state,
      activeTasks: tasks.filter((t) => t.kind === 'active'),
      standbyTasks: tasks.filter((t) => t.kind === 'standby'),
    };
  }

  /** Active tasks of this thread, restoring or running (for the metrics snapshot). */
  meteredTasks(): ActiveTask[] {
    return this.taskManager === undefined ? [] : [...this.taskManager.activeTasks()];
  }

  get standbyCount(): number {
    return this.taskManager === undefined ? 0 : [...this.taskManager.standbyTasks()].length;
  }

  /** Creates the producer, joins the group and resolves once the first assignment arrived. */
  async start(): Promise<void> {
    const { options } = this;
    const c = options.config;
    this.producer = await options.client.producer();
    const consumerRef: { consumer?: GroupConsumer } = {};
    const taskManager = new TaskManager({
      topology: options.topology,
      plan: options.plan,
      appDir: options.appDir,
      config: c,
      cacheBudget: options.cacheBudget,
      host: this.host,
      restore: this.restoreEnvironment(),
      tasksWithState: options.tasksWithState,
      tasks: {
        processId: options.processId,
        applicationId: c.applicationId,
        exactlyOnce: this.exactlyOnce,
        client: options.client,
        flow: {
          pause: (tps) => consumerRef.consumer!.pause(tps),
          resume: (tps) => consumerRef.consumer?.resume(tps),
          seek: (offsets) => consumerRef.consumer?.seek(offsets),
        },
        trust: { admin: options.admin, logger: options.logger, exactlyOnce: this.exactlyOnce },
        restore: this.restoreEnvironment(),
        maxTaskIdleMs: c.maxTaskIdleMs,
        maxBufferedRecords: c.maxBufferedRecords,
        sensors: this.sensors,
      },
      onRestored: (task) => void this.executor.run(() => this.finishRestoration(task)),
      exclusively: (job) => void this.executor.run(job),
      owns: () => !this.stopped && this.assignmentActive,
      onError: (error) => void this.executor.run(() => options.onError(error)),
    });
    this.taskManager = taskManager;
    const plan = options.plan;
    const topicsBySub = new Map<number, string[]>();
    for (const [topic, sub] of plan.subtopologyByTopic) {
      const list = topicsBySub.get(sub) ?? [];
      list.push(topic);
      topicsBySub.set(sub, list);
    }
    const stateful = new Set(
      options.topology
        .subtopologies()
        .filter((sub) => sub.stores.some((store) => plan.changelogs.has(store)))
        .map((sub) => sub.id),
    );
    const assignor = new TaskAssignor(
      () => ({
        processId: options.processId,
        ...taskManager.assignorState(),
        ...(c.applicationServer === undefined ? {} : { endpoint: c.applicationServer }),
      }),
      topicsBySub,
      c.numStandbyReplicas,
      stateful,
    );
    this.consumer = options.client.consumer({
      groupId: c.applicationId,
      topics: [...plan.sourceTopics],
      assignor,
      listener: {
        onRebalancing: () => this.executor.run(() => this.onRebalancing()),
        onLost: () => this.executor.run(() => this.onLost()),
        onAssigned: (assignment, userData) => this.executor.run(() => this.onAssigned(assignment, userData)),
      },
      isolation: this.exactlyOnce ? 'read_committed' : 'read_uncommitted',
      autoOffsetReset: 'earliest',
      sessionTimeoutMs: c.sessionTimeoutMs,
      heartbeatIntervalMs: c.heartbeatIntervalMs,
      taskTimeoutMs: c.taskTimeoutMs,
    });
    consumerRef.consumer = this.consumer;
    await this.consumer.run({
      eachBatch: (batch) => this.executor.run(() => this.processBatch(batch)),
      onCrash: (error) => options.onError(error),
    });
  }

  /** Starts the punctuation and commit timer (once the instance is running). */
  startTimer(): void {
    const interval = Math.max(10, Math.min(this.options.config.commitIntervalMs, 100));
    this.timer = setInterval(() => void this.tick(), interval);
    this.timer.unref();
  }

  /** Stops taking work: fetched batches and ticks from now on are ignored. */
  stop(): void {
    this.stopped = true;
    this.taskManager?.beginShutdown();
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  /** A clean stop: after the work in flight, commit, then close every task (checkpoints) and standby. */
  async shutdown(): Promise<void> {
    this.stop();
    const tm = this.taskManager;
    if (tm === undefined) return;
    await this.executor.run(async () => {
      await this.commit();
      for (const task of [...tm.activeTasks()]) await tm.closeClean(task);
      for (const standby of [...tm.standbyTasks()]) await tm.closeStandby(standby);
    });
  }

  /** After a failure: nothing collected is sent, restores stop (the next owner reprocesses). */
  abandon(): void {
    this.stop();
    this.taskManager?.abandonAll();
  }

  /** Leaves the group and releases producer, tasks and standbys, ignoring errors. */
  async release(quietly: (f: () => Promise<unknown>) => Promise<void>): Promise<void> {
    if (this.consumer !== undefined) await quietly(() => this.consumer!.close());
    if (this.producer !== undefined) await quietly(() => this.producer!.close());
    await this.taskManager?.releaseAll(quietly);
  }

  // ─── rebalances ───────────────────────────────────────────────────────────────────

  private async onRebalancing(): Promise<void> {
    if (this.stopped) return;
    this.assignmentActive = false;
    // Uncommitted, so fetched again from the committed offsets after the rebalance.
    for (const task of this.taskManager!.activeTasks()) task.dropBuffered();
    this.options.onRebalancing();
    await this.commit();
  }

  private async onLost(): Promise<void> {
    if (this.stopped) return;
    const tm = this.taskManager!;
    this.assignmentActive = false;
    this.options.onRebalancing();
    // A send of the dropped tasks' records may fail (fenced): it no longer matters.
    await this.awaitInFlightSend().catch(() => undefined);
    this.options.logger.warn(
      { tasks: [...tm.activeTasks()].map((t) => t.id) },
      'evicted from the group: dropping tasks without committing',
    );
    for (const task of [...tm.activeTasks()]) await tm.closeDirty(task);
  }

  /**
   * Applies a new assignment without restoring inside the rebalance callback (the client does not
   * heartbeat while it runs): new tasks restore in the background.
   */
  private async onAssigned(assignment: TopicPartitions, userData: Buffer): Promise<void> {
    if (this.stopped) return;
    const tm = this.taskManager!;
    if (tm.needsCommit) await this.commit();
    const info = decodeAssignmentInfo(userData);
    if (info?.shutdownRequested === true) {
      // Not awaited: the shutdown runs its commit and task closes through this executor, next.
      this.options.onShutdownRequested();
      return;
    }
    this.options.onHostTasks?.(info?.hosts ?? {});
    const { assigned, revoked, standby } = await tm.applyAssignment(assignment, userData);
    this.assignmentActive = true;
    const active = [...tm.activeTasks()].map((t) => t.id);
    this.options.events.next({ type: 'rebalance', assigned, revoked, active, standby });
    this.options.logger.info({ assigned, revoked, active, standby }, 'tasks assigned');
    if (this.ready) this.options.onReady();
  }

  /** In the executor: the task runs, processes what was fetched while it restored, and resumes. */
  private async finishRestoration(task: ActiveTask): Promise<void> {
    if (this.stopped) return;
    if (this.taskManager!.task(task.id) !== task || task.phase !== 'RESTORING') return;
    for (const batch of task.finishRestoring()) await this.processTaskBatch(task, batch);
    task.resumeInput();
    if (this.ready) this.options.onReady();
  }

  // ─── processing ───────────────────────────────────────────────────────────────────

  private async processBatch(batch: ConsumedBatch): Promise<void> {
    if (this.stopped) return;
    this.sensors.poll.record(1, 0, 0, performance.now());
    const task = this.taskManager!.taskFor(batch.topic, batch.partition);
    // Fetched before its partition was paused: processed once the task has restored.
    if (task !== undefined && task.accept(batch) === 'process') await this.processTaskBatch(task, batch);
  }

  private async processTaskBatch(task: ActiveTask, batch: ConsumedBatch): Promise<void> {
    let outcome;
    try {
      outcome = task.process(batch);
    } catch (error) {
      this.options.onError(error);
      return;
    }
    if (outcome === 'wait') {
      await task.waitForSerde();
      if (!this.stopped) await this.processTaskBatch(task, batch);
      return;
    }
    if (outcome === 'buffered') {
      this.scheduleGroupDrain();
      return;
    }
    if (outcome === 'send') await this.sendEarly(task);
    await this.maybeCommit();
  }

  /**
   * Multi-partition tasks process their buffered records a moment after a batch arrives, so that
   * the other batches of the same fetch are in by then.
   */
  private scheduleGroupDrain(): void {
    if (this.groupDrainScheduled) return;
    this.groupDrainScheduled = true;
    setImmediate(() => {
      this.groupDrainScheduled = false;
      void this.executor.run(async () => {
        if (this.stopped || !this.assignmentActive) return;
        for (const t of [...this.taskManager!.activeTasks()])
          if (t.merges && t.phase === 'RUNNING') await this.processGroup(t);
      });
    });
  }

  private async processGroup(task: ActiveTask): Promise<void> {
    let outcome;
    try {
      outcome = task.processBuffered(Date.now());
    } catch (error) {
      this.options.onError(error);
      return;
    }
    if (outcome === 'wait') {
      await task.waitForSerde();
      if (!this.stopped) await this.processGroup(task);
      return;
    }
    if (outcome === 'send') await this.sendEarly(task);
    await this.maybeCommit();
  }

  private async tick(): Promise<void> {
    if (this.stopped || !this.assignmentActive) return;
    await this.executor.run(async () => {
      if (this.stopped || !this.assignmentActive) return;
      try {
        for (const task of [...this.taskManager!.activeTasks()]) {
          if (task.phase !== 'RUNNING') continue;
          task.task.punctuateWallClock();
          // Records held back while waiting for an empty partition, once the wait is over.
          if (task.merges) await this.processGroup(task);
        }
        await this.maybeCommit();
      } catch (error) {
        this.options.onError(error);
      }
    });
  }

  // ─── sending and committing ───────────────────────────────────────────────────────

  private async maybeCommit(): Promise<void> {
    if (this.commitRequested || Date.now() - this.lastCommit >= this.options.config.commitIntervalMs)
      await this.commit();
  }

  /**
   * Commits every running task (see `commitAll`); standbys checkpoint how far they read. Restoring
   * tasks have nothing to commit. Tasks found fenced are closed dirty.
   */
  private async commit(): Promise<void> {
    const tm = this.taskManager;
    if (tm === undefined) return;
    await this.awaitInFlightSend();
    const began = Date.now();
    const startedAt = performance.now();
    this.lastCommit = began;
    this.commitRequested = false;
    for (const standby of tm.standbyTasks()) await standby.checkpoint();
    const tasks = tm.runningTasks();
    const outcome = await commitAll(
      tasks.map((t) => t.committer),
      {
        exactlyOnce: this.exactlyOnce,
        applicationId: this.options.config.applicationId,
        producer: this.producer!,
        consumer: this.consumer!,
        logger: this.options.logger,
      },
    );
    for (const f of outcome.migrated) await tm.closeFenced(f.committer.task as ActiveTask, f.error);
    for (const c of outcome.committed)
      this.options.purger.noteCommitted((c.task as ActiveTask).committedOffsets);
    this.options.purger.maybePurge();
    if (outcome.records > 0 || outcome.offsets > 0) {
      const ended = performance.now();
      const ms = ended - startedAt;
      this.sensors.committed(ms, ended);
      for (const c of outcome.committed) (c.task as ActiveTask).sensors.committed(ms, ended);
      this.options.events.next({
        type: 'commit',
        tasks: tasks.map((t) => t.id),
        records: outcome.records,
        durationMs: Date.now() - began,
      });
    }
  }

  /** Sends a task's records before the commit when too many are buffered or its input drained. */
  private async sendEarly(task: ActiveTask): Promise<void> {
    // One send in flight at a time: it keeps per-partition order and bounds what is buffered to
    // about two thresholds' worth of records.
    await this.awaitInFlightSend();
    if (task.collector.size === 0) return;
    // Not awaited: processing goes on while the broker acknowledges; the next early send or the
    // commit waits for it (and rethrows its failure).
    const send = task.committer.sendEarly(this.producer!);
    send.catch(() => undefined);
    this.inFlightSend = send;
  }

  /** Waits for the early send in flight, if any; its failure fails whoever waits. */
  private async awaitInFlightSend(): Promise<void> {
    const send = this.inFlightSend;
    this.inFlightSend = undefined;
    if (send !== undefined) await send;
  }

  private restoreEnvironment() {
    const o = this.options;
    return {
      client: o.client,
      admin: o.admin,
      applicationId: o.config.applicationId,
      events: o.events,
      listener: o.config.restoreListener,
      logger: o.logger,
    };
  }
}
