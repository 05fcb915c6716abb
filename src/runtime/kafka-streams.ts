import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { BehaviorSubject, Subject, filter, firstValueFrom, type Observable } from 'rxjs';
import { ConfigError, StreamsError } from '../errors.js';
import { createKafkaClient, type ClosableKafkaClient, type KafkaLogEntry } from '../kafka/client.js';
import { createEmbeddedKafka, type EmbeddedKafka } from '../kafka/embedded/client.js';
import type { KafkaAdmin, KafkaClient } from '../kafka/port.js';
import type { Topology } from '../topology/topology.js';
import { resolveConfig, type ResolvedConfig, type StreamsConfig } from './config.js';
import type { StreamsEvent, StreamsState, TaskMetadata } from './events.js';
import { GlobalStreamThread } from './global-stream-thread.js';
import { KafkaRecordCollector } from './kafka-record-collector.js';
import { Observability } from './http/observability.js';
import type { KeyLookup } from './http/server.js';
import type { StreamsMetric } from './metrics/metric.js';
import { StreamsMonitor } from './metrics/monitor.js';
import { allNodes, requireNodeSerdes } from './node-context.js';
import { consoleLogger, guardedLogger, type Logger } from '../logger.js';
import { isolated } from './isolated-observable.js';
import { RepartitionPurger } from './repartition-purger.js';
import { lockApplicationDir, type StateLock } from './state-directory.js';
import { StreamThread, taskHost } from './stream-thread.js';
import { findTasksWithState } from './task-manager.js';
import { planTopics, type TopicPlan } from './topic-plan.js';
import {
  decideResponse,
  requestApplicationShutdown,
  checkUncaughtExceptionHandler,
  type UncaughtExceptionHandler,
} from './uncaught-exception.js';
import { instanceStores } from './local-stores.js';
import { prepareSerdes } from './prepare-serdes.js';
import { queryableStore, type StoreAccessor, type StoreQueryOptions } from './queryable-stores.js';

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
  private readonly processId = randomUUID();
  private readonly stateDir: string;
  /** Every cache of this instance shares one budget: `cacheMaxBytes` in total, as in Kafka Streams. */
  private readonly cacheBudget = { maxBytes: 0, usedBytes: 0 };
  private instanceLock: StateLock | undefined;
  private client: KafkaClient | undefined;
  private ownedClient: ClosableKafkaClient | undefined;
  private admin: KafkaAdmin | undefined;
  private plan: TopicPlan | undefined;
  private purger: RepartitionPurger | undefined;
  private globalThread: GlobalStreamThread | undefined;
  /** One today; `numStreamThreads` would start more, each its own consumer and tasks. */
  private readonly threads: StreamThread[] = [];
  private failed = false;
  /** What made the application fail, for the error `start()` rejects with. */
  private failure: StreamsError | undefined;
  /** `start()` resolved: a failed thread may be replaced from now on. */
  private started = false;
  private threadCount = 0;
  private uncaughtExceptionHandler: UncaughtExceptionHandler | undefined;
  /** Set by `'shutdownApplication'`: sent after this instance's consumer left, before the client closes. */
  private shutdownRequest: (() => Promise<unknown>) | undefined;
  /** A shutdown another member requested (see `stopOnRequest`). */
  private stoppingOnRequest: Promise<void> | undefined;
  private releasing: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  /** Lifecycle states as they change, starting with the current one. */
  readonly state$: Observable<StreamsState> = isolated(this.stateSubject, (error) =>
    this.reportSubscriberError('state$', error),
  );
  /** Rebalances, commits, restore progress and errors. */
  readonly events$: Observable<StreamsEvent> = isolated(this.eventSubject, (error) =>
    this.reportSubscriberError('events$', error),
  );
  /** @internal Restore progress and recent events, for metrics and the live view. */
  readonly monitor = new StreamsMonitor(this.events$);
  private readonly observability: Observability;

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
    requireNodeSerdes(allNodes(topology), this.config);
    const level = this.config.logLevel ?? 'info';
    this.logger =
      this.config.logger === undefined
        ? consoleLogger(level, { app: this.config.applicationId, client: this.config.clientId })
        : guardedLogger(this.config.logger, level);
    this.stateDir = this.config.stateDir ?? join(tmpdir(), 'tributary');
    this.uncaughtExceptionHandler = this.config.uncaughtExceptionHandler;
    this.observability = new Observability(
      {
        currentState: () => this.state,
        threads: this.threads,
        monitor: this.monitor,
        topology,
        lookup: (store, key) => this.lookupForHttp(store, key),
      },
      this.config,
      this.logger,
    );
  }

  /**
   * Sets what happens when a stream thread fails, as Kafka Streams' method of the same name (the
   * same as the `uncaughtExceptionHandler` config, which it replaces). Only before `start()`.
   *
   * @example
   * ```ts
   * app.setUncaughtExceptionHandler((error) =>
   *   error instanceof ProcessingError ? 'shutdownApplication' : 'replaceThread');
   * await app.start();
   * ```
   */
  setUncaughtExceptionHandler(handler: UncaughtExceptionHandler): void {
    if (this.state !== 'CREATED') {
      throw new StreamsError(
        `setUncaughtExceptionHandler() can only be called before start() (state is ${this.state}).`,
      );
    }
    checkUncaughtExceptionHandler(handler, 'the handler of setUncaughtExceptionHandler()');
    this.uncaughtExceptionHandler = handler;
  }

  /** What `util.inspect(app)` and `console.log(app)` show: never the config's credentials. */
  [inspect.custom](): string {
    return `KafkaStreams { applicationId: '${this.config.applicationId}', state: '${this.state}' }`;
  }

  /** What `JSON.stringify(app)` gives: never the config's credentials. */
  toJSON(): { applicationId: string; state: StreamsState } {
    return { applicationId: this.config.applicationId, state: this.state };
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
      await this.observability.start();
      this.instanceLock = await lockApplicationDir(this.appDir, this.processId);
      const tasksWithState = await findTasksWithState(this.appDir);
      await prepareSerdes(this.topology, this.config.applicationId, {
        key: this.config.defaultKeySerde,
        value: this.config.defaultValueSerde,
      });
      await this.connect();
      const settled = firstValueFrom(this.state$.pipe(filter((s) => s !== 'REBALANCING')));
      await this.startThreads(tasksWithState);
      // Restoration runs in the background: RUNNING comes once every active task caught up.
      const reached = await settled;
      if (this.failed) {
        const cause = this.failure;
        throw new StreamsError(
          `The application failed while starting: ${cause?.message ?? 'see the error event'}`,
          {
            cause,
          },
        );
      }
      if (reached !== 'RUNNING')
        throw new StreamsError(`The application stopped while starting (${reached}).`);
      const interval = Math.max(10, Math.min(this.config.commitIntervalMs, 100));
      for (const thread of this.threads) thread.startTimer();
      this.globalThread?.startPunctuating(interval);
      this.started = true;
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
    return this.threads.flatMap((thread) => thread.metadata());
  }

  /** Interactive queries: a read-only view of a state store over this instance's tasks (see `StoreAccessor`). */
  readonly store: StoreAccessor = ((name: string, options: StoreQueryOptions = {}) =>
    queryableStore(this.topology, name, options, (store, standbys) =>
      instanceStores(
        { state: this.state, global: this.globalThread, threads: this.threads },
        store,
        standbys,
      ),
    )) as StoreAccessor;

  /**
   * A snapshot of this instance's metrics, named as Kafka Streams names them: per thread and task
   * `process-rate`/`-total`/`-latency-avg`/`-max`, `commit-*`, `punctuate-*`, `records-lag` per
   * input partition, `dropped-records-total` by reason, `restore-rate` and
   * `restore-remaining-records-total` per changelog partition, store operation counts and
   * latencies, and the cache `hit-ratio`. Computed when called; cheap enough to poll.
   *
   * @example
   * ```ts
   * const rate = app.metrics().find((m) => m.name === 'process-rate' && m.tags['task-id'] === undefined);
   * console.log(`${rate?.value.toFixed(0)} records/s`);
   * ```
   */
  metrics(): StreamsMetric[] {
    return this.observability.metrics();
  }

  /**
   * Where the server of the `http` config listens, once `start()` began (useful with port 0).
   *
   * @example
   * ```ts
   * const app = new KafkaStreams(topology, { applicationId: 'shop', http: { port: 0 } });
   * await app.start();
   * console.log(`live view: http://${app.httpAddress!.host}:${app.httpAddress!.port}/`);
   * ```
   */
  get httpAddress(): { host: string; port: number } | undefined {
    return this.observability.httpAddress;
  }

  /** `GET /api/stores/:store/:key`: interactive queries answer it once they can. */
  private async lookupForHttp(store: string, key: string): Promise<KeyLookup> {
    return {
      status: 501,
      body: { error: `key look-ups are not available yet (store ${store}, key ${key})` },
    };
  }

  /** Kafka Streams' per-thread view: each stream thread with its active and standby tasks. */
  localThreadsMetadata(): {
    threadName: string;
    state: StreamsState;
    activeTasks: TaskMetadata[];
    standbyTasks: TaskMetadata[];
  }[] {
    const threads = this.threads.length > 0 ? this.threads : undefined;
    if (threads === undefined)
      return [{ threadName: this.threadName(1), state: this.state, activeTasks: [], standbyTasks: [] }];
    return threads.map((thread) => {
      const tasks = thread.metadata();
      return {
        threadName: thread.name,
        state: this.state,
        activeTasks: tasks.filter((t) => t.kind === 'active'),
        standbyTasks: tasks.filter((t) => t.kind === 'standby'),
      };
    });
  }

  private threadName(n: number): string {
    return `${this.config.clientId}-StreamThread-${n}`;
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
    const admin = await this.client.admin();
    this.admin = admin;
    const plan = await planTopics(this.topology, c.applicationId, admin, c.replicationFactor);
    this.plan = plan;
    this.purger = new RepartitionPurger(
      plan.repartitionTopics,
      c.repartitionPurgeIntervalMs,
      (offsets) => admin.deleteRecords(offsets),
      (error) => this.logger.warn({ err: error }, 'purging consumed repartition records failed; will retry'),
    );
    this.globalThread = new GlobalStreamThread(this.topology, {
      applicationId: c.applicationId,
      appDir: this.appDir,
      client: this.client,
      admin,
      host: taskHost(c, this.logger, {
        globalStore: (name) => this.globalThread?.store(name),
        requestCommit: () => {},
      }),
      collector: new KafkaRecordCollector(plan.topicPartitions, new Set(plan.changelogs.values())),
      onError: (error) => void this.onUncaught(error, undefined),
    });
    await this.globalThread.start();
  }

  private async startThreads(tasksWithState: string[]): Promise<void> {
    await this.startThread(tasksWithState);
  }

  private async startThread(tasksWithState: string[]): Promise<StreamThread> {
    const thread: StreamThread = new StreamThread({
      name: this.threadName(++this.threadCount),
      config: this.config,
      topology: this.topology,
      plan: this.plan!,
      client: this.client!,
      admin: this.admin!,
      processId: this.processId,
      appDir: this.appDir,
      logger: this.logger,
      events: this.eventSubject,
      purger: this.purger!,
      cacheBudget: this.cacheBudget,
      tasksWithState,
      globalStore: (name) => this.globalThread?.store(name),
      onRebalancing: () => {
        if (this.state === 'RUNNING') this.transition('REBALANCING');
      },
      onReady: () => this.runningIfReady(),
      onError: (error) => void this.onUncaught(error, thread),
      onShutdownRequested: () => void this.stopOnRequest(),
    });
    this.threads.push(thread);
    await thread.start();
    return thread;
  }

  /** REBALANCING → RUNNING once every thread has its assignment and every active task restored. */
  private runningIfReady(): void {
    if (this.state !== 'REBALANCING' || this.failed) return;
    if (this.threads.every((t) => t.ready)) this.transition('RUNNING');
  }

  // ─── shutdown and failure ─────────────────────────────────────────────────────────

  private async doClose(): Promise<void> {
    await this.stoppingOnRequest;
    if (this.state === 'NOT_RUNNING') return;
    const wasRunning = this.state !== 'CREATED' && !this.failed;
    this.transition('PENDING_SHUTDOWN');
    for (const thread of this.threads) thread.stop();
    this.globalThread?.stopPunctuating();
    try {
      if (wasRunning) for (const thread of this.threads) await thread.shutdown();
    } catch (error) {
      this.logger.error({ err: error }, 'error while closing');
    } finally {
      await this.releaseClients();
      this.transition('NOT_RUNNING');
      // Last: health and metrics stay readable while the app closes (or after it failed).
      await this.observability.close().catch(() => undefined);
    }
  }

  private releaseClients(): Promise<void> {
    this.releasing ??= this.doReleaseClients();
    return this.releasing;
  }

  private async doReleaseClients(): Promise<void> {
    const quietly = async (f: () => Promise<unknown>) => {
      try {
        await f();
      } catch (error) {
        this.logger.debug({ err: error }, 'error while releasing a client');
      }
    };
    for (const thread of this.threads) await thread.release(quietly);
    await this.globalThread?.close(quietly);
    // After this instance's own consumer left the group, and while the client is still open.
    if (this.shutdownRequest !== undefined) await quietly(this.shutdownRequest);
    if (this.purger !== undefined) await quietly(() => this.purger!.drain());
    if (this.admin !== undefined) await quietly(() => this.admin!.close());
    if (this.instanceLock !== undefined) await quietly(() => this.instanceLock!.release());
    if (this.ownedClient !== undefined) await quietly(() => this.ownedClient!.close());
  }

  /** An error a thread (or the global thread) could not handle: the uncaught-exception policy decides. */
  private async onUncaught(error: unknown, thread: StreamThread | undefined): Promise<void> {
    if (this.failed || this.closing !== undefined || this.stoppingOnRequest !== undefined) return;
    const streamsError = toStreamsError(error);
    const from =
      thread === undefined ? 'global thread' : this.started ? 'stream thread' : 'starting stream thread';
    const response = decideResponse(this.uncaughtExceptionHandler, streamsError, this.logger, from);
    if (response === 'replaceThread') return this.replaceThread(thread!, streamsError);
    if (response === 'shutdownApplication') {
      this.shutdownRequest = () =>
        requestApplicationShutdown({
          client: this.client!,
          groupId: this.config.applicationId,
          topics: [...this.plan!.sourceTopics],
          logger: this.logger,
          timeoutMs: this.config.sessionTimeoutMs + 10_000,
        });
    }
    await this.fail(streamsError);
  }

  /**
   * `'replaceThread'`: the failed thread's tasks are dropped without committing (the next owner,
   * likely the new thread, reprocesses from the last commit) and a new thread joins the group.
   */
  private async replaceThread(failed: StreamThread, error: StreamsError): Promise<void> {
    this.logger.error({ err: error, thread: failed.name }, 'stream thread failed: replacing it');
    this.eventSubject.next({ type: 'error', error });
    failed.abandon();
    await failed.release((f) =>
      f().then(
        () => undefined,
        () => undefined,
      ),
    );
    this.threads.splice(this.threads.indexOf(failed), 1);
    if (this.state === 'RUNNING') this.transition('REBALANCING');
    try {
      const thread = await this.startThread(await findTasksWithState(this.appDir));
      if (this.closing !== undefined || this.failed) return;
      thread.startTimer();
      this.runningIfReady();
    } catch (startError) {
      await this.fail(startError);
    }
  }

  /**
   * Another member asked every instance to stop (`'shutdownApplication'`): stop cleanly (commit,
   * close tasks with checkpoints, leave the group) and end in `ERROR`, as Kafka Streams does.
   */
  private stopOnRequest(): Promise<void> {
    this.stoppingOnRequest ??= (async () => {
      if (this.failed || this.closing !== undefined) return;
      this.logger.warn({}, 'a member of the group requested the shutdown of every instance: stopping');
      this.globalThread?.stopPunctuating();
      try {
        for (const thread of this.threads) await thread.shutdown();
      } catch (error) {
        this.logger.error({ err: error }, 'error while stopping on request');
      }
      this.failed = true;
      await this.releaseClients();
      this.transition('ERROR');
    })();
    return this.stoppingOnRequest;
  }

  private async fail(error: unknown): Promise<void> {
    if (this.failed) return;
    this.failed = true;
    const streamsError = toStreamsError(error);
    this.failure = streamsError;
    this.logger.error(
      { err: streamsError, taskId: streamsError.taskId, node: streamsError.node },
      'application failed',
    );
    this.eventSubject.next({ type: 'error', error: streamsError });
    this.globalThread?.stopPunctuating();
    if (this.state !== 'PENDING_SHUTDOWN' && this.state !== 'NOT_RUNNING') this.transition('ERROR');
    // Without committing: what was processed since the last commit is processed again by the next owner.
    for (const thread of this.threads) thread.abandon();
    void this.releaseClients();
  }

  /** A subscriber that throws is reported and stays subscribed; the app keeps running. */
  private reportSubscriberError(stream: 'state$' | 'events$', error: unknown): void {
    this.logger.error({ err: error }, `a subscriber of ${stream} threw; the application keeps running`);
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

function toStreamsError(error: unknown): StreamsError {
  return error instanceof StreamsError
    ? error
    : new StreamsError((error as Error).message ?? String(error), { cause: error });
}
