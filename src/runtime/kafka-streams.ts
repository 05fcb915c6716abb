import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { BehaviorSubject, Subject, filter, firstValueFrom, type Observable } from 'rxjs';
import { ConfigError, StreamsError, toStreamsError } from '../errors.js';
import type { Topology } from '../topology/topology.js';
import { AppConnection, quietlyLogging } from './app-connection.js';
import { mayTransition } from './app-state.js';
import { resolveConfig, type ResolvedConfig, type StreamsConfig } from './config.js';
import type { StreamsEvent, StreamsState, TaskMetadata, ThreadMetadata } from './events.js';
import { Observability } from './http/observability.js';
import type { KeyLookup } from './http/server.js';
import type { StreamsMetric } from './metrics/metric.js';
import { StreamsMonitor } from './metrics/monitor.js';
import { requireTopologySerdes } from './node-context.js';
import { consoleLogger, guardedLogger, type Logger } from '../logger.js';
import { isolated } from './isolated-observable.js';
import { lockApplicationDir, type StateLock } from './state-directory.js';
import type { StreamThread } from './stream-thread.js';
import { StreamThreads, type SharedThreadOptions } from './stream-threads.js';
import { findTasksWithState } from './task-manager.js';
import {
  decideResponse,
  requestApplicationShutdown,
  checkUncaughtExceptionHandler,
  type UncaughtExceptionHandler,
} from './uncaught-exception.js';
import { instanceStores } from './local-stores.js';
import { queryableStore, type StoreAccessor, type StoreQueryOptions } from './queryable-stores.js';
import { lookupKey } from './http/key-lookup.js';
import {
  StreamsMetadataState,
  type KeyQueryMetadata,
  type KeyQueryOptions,
  type StreamsMetadata,
} from './streams-metadata.js';

export { embeddedKafka } from './app-connection.js';

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
  /** Client, admin, topic plan, purger and global thread, shared by the stream threads. */
  private readonly connection: AppConnection;
  /** One today; `numStreamThreads` would start more, each its own consumer and tasks. */
  private readonly threads: StreamThreads;
  private failed = false;
  /** What made the application fail, for the error `start()` rejects with. */
  private failure: StreamsError | undefined;
  /** `start()` resolved: a failed thread may be replaced from now on. */
  private started = false;
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
  private readonly streamsMetadata: StreamsMetadataState;

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
    requireTopologySerdes(topology, this.config);
    const level = this.config.logLevel ?? 'info';
    this.logger =
      this.config.logger === undefined
        ? consoleLogger(level, { app: this.config.applicationId, client: this.config.clientId })
        : guardedLogger(this.config.logger, level);
    this.stateDir = this.config.stateDir ?? join(tmpdir(), 'tributary');
    this.uncaughtExceptionHandler = this.config.uncaughtExceptionHandler;
    this.connection = new AppConnection(topology, this.config, this.appDir, this.logger);
    this.threads = new StreamThreads(
      this.config.clientId,
      () => this.threadOptions(),
      (error, thread) => {
        void this.onUncaught(error, thread);
      },
    );
    this.streamsMetadata = new StreamsMetadataState({
      topology,
      state: () => this.state,
      plan: () => this.connection.plan,
      defaultKeySerde: this.config.defaultKeySerde,
      applicationServer: this.config.applicationServer,
    });
    this.observability = new Observability(
      {
        currentState: () => this.state,
        threads: this.threads.list,
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
      await this.connection.open((error) => void this.onUncaught(error, undefined));
      const settled = firstValueFrom(this.state$.pipe(filter((s) => s !== 'REBALANCING')));
      await this.threads.add(tasksWithState);
      // Restoration runs in the background: RUNNING comes once every active task caught up.
      const reached = await settled;
      if (this.failed) {
        const cause = this.failure;
        const reason = cause?.message ?? 'see the error event';
        throw new StreamsError(`The application failed while starting: ${reason}`, { cause });
      }
      if (reached !== 'RUNNING')
        throw new StreamsError(`The application stopped while starting (${reached}).`);
      const interval = Math.max(10, Math.min(this.config.commitIntervalMs, 100));
      for (const thread of this.threads.list) thread.startTimer();
      this.connection.globalThread?.startPunctuating(interval);
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
    // Unref'd: a close that finished in time leaves nothing keeping the process alive.
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, options.timeoutMs).unref());
    await Promise.race([this.closing, timeout]);
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
    return this.threads.list.flatMap((thread) => thread.metadata());
  }

  /** Interactive queries: a read-only view of a state store over this instance's tasks (see `StoreAccessor`). */
  readonly store: StoreAccessor = ((name: string, options: StoreQueryOptions = {}) =>
    queryableStore(this.topology, name, options, (store, standbys) =>
      instanceStores(
        { state: this.state, global: this.connection.globalThread, threads: this.threads.list },
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

  /**
   * Which instance holds `key` of `store` (by the store's key serde and the default partitioner):
   * `{ activeHost, standbyHosts, partition }`, hosts as `{ host, port }` from each instance's
   * `applicationServer`. Throws `InvalidStateStoreError` (retriable) before the first assignment;
   * during a rebalance it answers from the last one. `options.partitioner`: the one the store's
   * input was written with, if not the default.
   *
   * @example
   * ```ts
   * const { activeHost } = app.queryMetadataForKey('counts', 'hello');
   * const res = await fetch(`http://${activeHost.host}:${activeHost.port}/api/stores/counts/hello`);
   * ```
   */
  queryMetadataForKey<K>(store: string, key: K, options?: KeyQueryOptions<K>): KeyQueryMetadata {
    return this.streamsMetadata.queryMetadataForKey(store, key, options);
  }

  /**
   * Every instance (with an `applicationServer`) whose active or standby tasks hold `store`.
   *
   * @example
   * ```ts
   * const hosts = app.streamsMetadataForStore('counts').map((m) => `${m.host}:${m.port}`);
   * ```
   */
  streamsMetadataForStore(store: string): StreamsMetadata[] {
    return this.streamsMetadata.streamsMetadataForStore(store);
  }

  /**
   * Every instance of the application (with an `applicationServer`): its stores and source-topic
   * partitions, active and standby, as of the last assignment.
   *
   * @example
   * ```ts
   * for (const m of app.allMetadata()) console.log(m.host, m.port, m.topicPartitions);
   * ```
   */
  allMetadata(): StreamsMetadata[] {
    return this.streamsMetadata.allMetadata();
  }

  /** `GET /api/stores/:store/:key` (see `lookupKey`). */
  private async lookupForHttp(store: string, key: string): Promise<KeyLookup> {
    const { defaultKeySerde, applicationServer } = this.config;
    const app = { topology: this.topology, store: this.store, defaultKeySerde, applicationServer };
    return lookupKey({ ...app, queryMetadataForKey: (s, k) => this.queryMetadataForKey(s, k) }, store, key);
  }

  /** Kafka Streams' per-thread view: each stream thread with its active and standby tasks. */
  localThreadsMetadata(): ThreadMetadata[] {
    return this.threads.metadata(this.state);
  }

  // ─── start-up ─────────────────────────────────────────────────────────────────────

  private threadOptions(): SharedThreadOptions {
    return {
      ...this.connection.threadOptions(),
      processId: this.processId,
      events: this.eventSubject,
      cacheBudget: this.cacheBudget,
      onRebalancing: () => {
        if (this.state === 'RUNNING') this.transition('REBALANCING');
      },
      onReady: () => this.runningIfReady(),
      onShutdownRequested: () => void this.stopOnRequest(),
      onHostTasks: (hosts) => this.streamsMetadata.update(hosts),
    };
  }

  /** REBALANCING → RUNNING once every thread has its assignment and every active task restored. */
  private runningIfReady(): void {
    if (this.state !== 'REBALANCING' || this.failed) return;
    if (this.threads.ready) this.transition('RUNNING');
  }

  // ─── shutdown and failure ─────────────────────────────────────────────────────────

  private async doClose(): Promise<void> {
    await this.stoppingOnRequest;
    if (this.state === 'NOT_RUNNING') return;
    const wasRunning = this.state !== 'CREATED' && !this.failed;
    this.transition('PENDING_SHUTDOWN');
    for (const thread of this.threads.list) thread.stop();
    this.connection.globalThread?.stopPunctuating();
    try {
      if (wasRunning) for (const thread of this.threads.list) await thread.shutdown();
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
    const quietly = quietlyLogging(this.logger);
    for (const thread of this.threads.list) await thread.release(quietly);
    await this.connection.closeGlobalThread(quietly);
    // After this instance's own consumer left the group, and while the client is still open.
    if (this.shutdownRequest !== undefined) await quietly(this.shutdownRequest);
    await this.connection.release(quietly);
    if (this.instanceLock !== undefined) await quietly(() => this.instanceLock!.release());
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
          client: this.connection.client!,
          groupId: this.config.applicationId,
          topics: [...this.connection.plan!.sourceTopics],
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
    this.threads.remove(failed);
    if (this.state === 'RUNNING') this.transition('REBALANCING');
    try {
      const thread = await this.threads.add(await findTasksWithState(this.appDir));
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
      this.connection.globalThread?.stopPunctuating();
      try {
        for (const thread of this.threads.list) await thread.shutdown();
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
    this.connection.globalThread?.stopPunctuating();
    if (this.state !== 'PENDING_SHUTDOWN' && this.state !== 'NOT_RUNNING') this.transition('ERROR');
    // Without committing: what was processed since the last commit is processed again by the next owner.
    for (const thread of this.threads.list) thread.abandon();
    void this.releaseClients();
  }

  /** A subscriber that throws is reported and stays subscribed; the app keeps running. */
  private reportSubscriberError(stream: 'state$' | 'events$', error: unknown): void {
    this.logger.error({ err: error }, `a subscriber of ${stream} threw; the application keeps running`);
  }

  private transition(to: StreamsState): void {
    const from = this.state;
    if (from === to) return;
    if (!mayTransition(from, to)) {
      this.logger.debug({ from, to }, 'ignored state transition');
      return;
    }
    this.stateSubject.next(to);
    this.eventSubject.next({ type: 'state', from, to });
  }
}
