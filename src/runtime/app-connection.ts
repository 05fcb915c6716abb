import { createKafkaClient, type ClosableKafkaClient, type KafkaLogEntry } from '../kafka/client.js';
import { createEmbeddedKafka, type EmbeddedKafka } from '../kafka/embedded/client.js';
import type { KafkaAdmin, KafkaClient } from '../kafka/port.js';
import type { Logger } from '../logger.js';
import type { Topology } from '../topology/topology.js';
import type { ResolvedConfig } from './config.js';
import { GlobalStreamThread } from './global-stream-thread.js';
import { KafkaRecordCollector } from './kafka-record-collector.js';
import { prepareSerdes } from './prepare-serdes.js';
import { RepartitionPurger } from './repartition-purger.js';
import { taskHost } from './stream-thread.js';
import type { SharedThreadOptions } from './stream-threads.js';
import { planTopics, type TopicPlan } from './topic-plan.js';
import { checkDeadLetterTopic } from './dead-letter-queue.js';

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

/** Runs a release step, logging instead of throwing: closing goes on whatever one step does. */
export type Quietly = (step: () => Promise<unknown>) => Promise<void>;

/** A `Quietly` that logs a failed step at debug. */
export function quietlyLogging(logger: Logger): Quietly {
  return async (step) => {
    try {
      await step();
    } catch (error) {
      logger.debug({ err: error }, 'error while releasing a client');
    }
  };
}

/**
 * What one application instance shares between its stream threads: the Kafka client, the admin,
 * the internal-topic plan, the repartition purger and the global stream thread. `open()` fills the
 * fields one by one, so `release()` closes whatever a failed start-up had already opened.
 *
 * @internal
 */
export class AppConnection {
  client: KafkaClient | undefined;
  admin: KafkaAdmin | undefined;
  plan: TopicPlan | undefined;
  purger: RepartitionPurger | undefined;
  globalThread: GlobalStreamThread | undefined;
  private ownedClient: ClosableKafkaClient | undefined;

  constructor(
    private readonly topology: Topology,
    private readonly config: ResolvedConfig,
    private readonly appDir: string,
    private readonly logger: Logger,
  ) {}

  /** Prepares the serdes (schema registry look-ups), connects, creates the internal topics and bootstraps the global stores. */
  async open(onGlobalError: (error: unknown) => void): Promise<void> {
    const c = this.config;
    await prepareSerdes(this.topology, c.applicationId, {
      key: c.defaultKeySerde,
      value: c.defaultValueSerde,
    });
    this.client = this.connectClient();
    const admin = await this.client.admin();
    this.admin = admin;
    const plan = await planTopics(this.topology, c.applicationId, admin, c.replicationFactor);
    await checkDeadLetterTopic(c.deadLetterQueueTopic, admin, plan.sourceTopics);
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
      host: {
        ...taskHost(c, this.logger, {
          globalStore: (name) => this.globalThread?.store(name),
          requestCommit: () => {},
        }),
        // Global stores are loaded, not committed: no transaction or commit for a dead letter to ride.
        deadLetterQueueTopic: undefined,
      },
      collector: new KafkaRecordCollector(plan.topicPartitions, new Set(plan.changelogs.values())),
      onError: onGlobalError,
    });
    await this.globalThread.start();
  }

  /** The options every stream thread shares that come from the connection. Only once open. */
  threadOptions(): Pick<
    SharedThreadOptions,
    'config' | 'topology' | 'plan' | 'client' | 'admin' | 'appDir' | 'logger' | 'purger' | 'globalStore'
  > {
    const { config, topology, appDir, logger } = this;
    const opened = { plan: this.plan!, client: this.client!, admin: this.admin!, purger: this.purger! };
    return {
      config,
      topology,
      appDir,
      logger,
      ...opened,
      globalStore: (name) => this.globalThread?.store(name),
    };
  }

  /** Stops the global thread; the client stays open for what must still be sent. */
  async closeGlobalThread(quietly: Quietly): Promise<void> {
    await this.globalThread?.close(quietly);
  }

  /** Drains the purger, then closes the admin and the client this instance created. */
  async release(quietly: Quietly): Promise<void> {
    if (this.purger !== undefined) await quietly(() => this.purger!.drain());
    if (this.admin !== undefined) await quietly(() => this.admin!.close());
    if (this.ownedClient !== undefined) await quietly(() => this.ownedClient!.close());
  }

  private connectClient(): KafkaClient {
    const c = this.config;
    if (c.kafka !== undefined) return c.kafka;
    if (c.brokers === undefined || c.brokers.length === 0) return embeddedKafka();
    this.ownedClient = createKafkaClient({
      brokers: c.brokers,
      ...(c.kafkaClient === undefined ? {} : { client: c.kafkaClient }),
      clientId: c.clientId,
      ssl: c.ssl as never,
      sasl: c.sasl as never,
      logLevel: 'warn',
      logger: (entry) => this.logClientEntry(entry),
    });
    return this.ownedClient;
  }

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
}
