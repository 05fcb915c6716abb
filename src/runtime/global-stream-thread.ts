import { join } from 'node:path';
import type { ConsumedBatch, KafkaAdmin, KafkaClient, PartitionReader } from '../kafka/port.js';
import type { StateStore } from '../state/store.js';
import type { Topology } from '../topology/topology.js';
import type { RecordCollector } from './record-collector.js';
import { SerialExecutor } from './serial-executor.js';
import { StreamTask, type TaskHost } from './stream-task.js';
import { globalStoreNames, TaskStores } from './task-stores.js';

/** @internal What the global thread needs from the instance. */
export interface GlobalThreadOptions {
  readonly applicationId: string;
  /** `<stateDir>/<applicationId>`: global stores live in its `global` directory. */
  readonly appDir: string;
  readonly client: KafkaClient;
  readonly admin: KafkaAdmin;
  readonly host: TaskHost;
  /** Global processors forward nowhere; a collector is still every task's output. */
  readonly collector: RecordCollector;
  onError(error: unknown): void;
}

/**
 * @internal Global stores: every partition of their source topics, bootstrapped to the end before
 * the instance processes anything, then followed. Tasks read them through `store(name)`.
 *
 * @example
 * ```ts
 * const global = new GlobalStreamThread(topology, options);
 * await global.start();
 * global.store('countries');
 * ```
 */
export class GlobalStreamThread {
  private readonly stores: TaskStores;
  private task: StreamTask | undefined;
  private reader: PartitionReader | undefined;
  private readonly executor = new SerialExecutor();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly topology: Topology,
    private readonly options: GlobalThreadOptions,
  ) {
    this.stores = new TaskStores(topology, {
      applicationId: options.applicationId,
      taskId: 'global',
      partition: -1,
      taskDir: join(options.appDir, 'global'),
      cacheMaxBytes: 0,
    });
  }

  /** A global store by name. */
  store(name: string): StateStore | undefined {
    return this.stores.get(name);
  }

  /** Opens the global stores, reads their topics to the end, then follows them in the background. */
  async start(): Promise<void> {
    const globalNodes = this.topology.globalNodes();
    if (globalNodes.length === 0) return;
    const { options } = this;
    await this.stores.init(globalStoreNames(this.topology));
    const taskStores = new TaskStores(this.topology, {
      applicationId: options.applicationId,
      taskId: '-1_0',
      partition: 0,
      taskDir: join(options.appDir, '-1_0'),
      cacheMaxBytes: 0,
    });
    const task = new StreamTask(
      -1,
      0,
      this.topology,
      globalNodes,
      options.host,
      taskStores,
      options.collector,
    );
    this.task = task;
    await taskStores.init(task.storeNames());
    task.initProcessors();
    const topics = globalNodes.flatMap((n) => (n.kind === 'source' ? [...n.topics] : []));
    const counts = await options.admin.describeTopics(topics);
    const ranges = topics.flatMap((topic) =>
      Array.from({ length: counts[topic] ?? 0 }, (_, partition) => ({ topic, partition })),
    );
    const ends = await options.admin.listOffsets(ranges);
    const process = (batch: ConsumedBatch) => {
      for (const m of batch.messages)
        task.process(batch.topic, Number(m.offset), m.key, m.value, m.timestamp, m.headers);
    };
    const bootstrap = options.client.partitionReader({
      groupIdPrefix: `${options.applicationId}-global`,
      partitions: ends.map((e) => ({
        topic: e.topic,
        partition: e.partition,
        fromOffset: e.begin,
        untilOffset: e.end,
      })),
    });
    await bootstrap.run({ eachBatch: async (b) => process(b) });
    await bootstrap.close();
    this.reader = options.client.partitionReader({
      groupIdPrefix: `${options.applicationId}-global`,
      partitions: ends.map((e) => ({ topic: e.topic, partition: e.partition, fromOffset: e.end })),
    });
    void this.reader
      .run({ eachBatch: (b) => this.executor.run(async () => process(b)) })
      .catch((error) => options.onError(error));
  }

  /** Fires the global processors' wall-clock punctuators every `intervalMs` while running. */
  startPunctuating(intervalMs: number): void {
    if (this.task === undefined) return;
    const task = this.task;
    this.timer = setInterval(
      () =>
        void this.executor.run(() => {
          try {
            task.punctuateWallClock();
          } catch (error) {
            this.stopPunctuating();
            this.options.onError(error);
          }
        }),
      intervalMs,
    );
    this.timer.unref();
  }

  stopPunctuating(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Stops following and closes the global task and stores, ignoring errors. */
  async close(quietly: (f: () => Promise<unknown>) => Promise<void>): Promise<void> {
    this.stopPunctuating();
    if (this.reader !== undefined) await quietly(() => this.reader!.close());
    if (this.task !== undefined) await quietly(() => this.task!.close());
    for (const store of this.stores.all().values()) await quietly(async () => store.close());
  }
}
