import { ConfigError } from '../errors.js';
import { KAFKA_CLIENT_LIBRARIES, type KafkaClientLibrary } from '../kafka/client.js';
import type { KafkaClient } from '../kafka/port.js';
import type { Serde } from '../serde/serde.js';
import type { RestoreListener } from './events.js';
import type { ExceptionHandler } from './exception-handlers.js';
import { isLogLevel, type Logger, type LogLevel } from '../logger.js';
import { checkUncaughtExceptionHandler, type UncaughtExceptionHandler } from './uncaught-exception.js';
import type { PrometheusRegistry } from './metrics/prometheus.js';

/** `at_least_once` (default): nothing lost, duplicates possible after a crash. */
export type ProcessingGuarantee = 'at_least_once' | 'exactly_once';

/**
 * Configuration of a `KafkaStreams` instance. Only `applicationId` is required; without
 * `brokers` (and without `kafka`) the app runs on the in-process embedded broker.
 *
 * @example
 * ```ts
 * const config: StreamsConfig = { applicationId: 'shop', brokers: ['127.0.0.1:9092'], stateDir: './state' };
 * ```
 */
export interface StreamsConfig {
  /** Consumer group id and prefix of internal topics. Letters, digits, `.`, `_`, `-`. */
  applicationId: string;
  /** Bootstrap servers (`host:port`). Omit for the embedded broker. */
  brokers?: string[];
  /**
   * Which client library talks to `brokers`: `'kafkajs'` (default) or `'platformatic'`
   * (@platformatic/kafka, experimental: see docs/kafka-port.md). Needs `brokers`.
   */
  kafkaClient?: KafkaClientLibrary;
  /** An explicit client (e.g. one `createEmbeddedKafka()` shared by several instances). Overrides `brokers`. */
  kafka?: KafkaClient;
  /** Default `<applicationId>-<random>`. */
  clientId?: string;
  /**
   * Root of local state: `<stateDir>/<applicationId>/<taskId>/<store>`. Default
   * `<os.tmpdir()>/tributary`, as Kafka Streams' `state.dir`: a temp dir may be emptied on reboot,
   * and then every store is restored from its changelog. Set a persistent directory in production.
   */
  stateDir?: string;
  /** Default `at_least_once`. */
  processingGuarantee?: ProcessingGuarantee;
  /** How often to commit. Default 30000 (100 under exactly-once). */
  commitIntervalMs?: number;
  /** Warm copies of each task's state on other instances. Default 0. */
  numStandbyReplicas?: number;
  /** Replication factor of internal topics. Default -1 (the broker's default). */
  replicationFactor?: number;
  /** Default 45000. */
  sessionTimeoutMs?: number;
  /** Default 3000. */
  heartbeatIntervalMs?: number;
  /**
   * How often consumed records of repartition topics are deleted (after a commit). Default 30000;
   * 0 purges after every commit.
   */
  repartitionPurgeIntervalMs?: number;
  /**
   * How long a task reading several partitions (a join, a merge) waits for an empty one before it
   * processes the others, as Kafka Streams' `max.task.idle.ms`: `0` (default) waits only for a
   * partition known to lag behind its high watermark; `-1` never waits; above 0, waits up to
   * that many ms for any empty partition.
   */
  maxTaskIdleMs?: number;
  /**
   * How long a thread keeps retrying, with backoff, after retriable client failures (a broker
   * unreachable or restarting, a coordinator moving) before it fails with an error naming
   * `taskTimeoutMs` and the cause, as Kafka Streams' `task.timeout.ms`. Default 300000; 0 fails
   * at the first such failure after the first assignment.
   */
  taskTimeoutMs?: number;
  /** Records buffered for production before an early send. Default 10000. */
  maxBufferedRecords?: number;
  /** Cache for DSL stores, shared by the instance's tasks. Default 10 MiB; 0 disables caching. */
  cacheMaxBytes?: number;
  /** Inner store of DSL stores that do not pick one. Default `persistent`. */
  defaultDslStore?: 'persistent' | 'in-memory';
  defaultKeySerde?: Serde<any>;
  defaultValueSerde?: Serde<any>;
  /** Default `logAndFail`. */
  deserializationExceptionHandler?: ExceptionHandler;
  /** Default `logAndFail`. */
  processingExceptionHandler?: ExceptionHandler;
  /**
   * Called when a sink cannot serialize a record (`'continue'` skips that output record), and
   * at-least-once for a record the broker rejected (`'continue'` drops it). Default `logAndFail`.
   * Under exactly-once a rejected send aborts the transaction and fails the task.
   */
  productionExceptionHandler?: ExceptionHandler;
  /**
   * A dead-letter topic, as Kafka Streams' `errors.dead.letter.queue.topic.name`: every record an
   * exception handler skips or fails on is also written there, with its original key, value and
   * headers plus `__streams.errors.*` headers naming the error and where the record came from,
   * inside the task's commit (its transaction under exactly-once). It must exist at `start()`.
   */
  deadLetterQueueTopic?: string;
  /**
   * What to do when a stream thread fails (`'shutdownClient'`, the default; `'shutdownApplication'`;
   * `'replaceThread'`; or a function choosing per error), as Kafka Streams'
   * `setUncaughtExceptionHandler`. Also settable with `app.setUncaughtExceptionHandler()`.
   */
  uncaughtExceptionHandler?: UncaughtExceptionHandler;
  /** Passed to the Kafka client. */
  ssl?: boolean | Record<string, unknown>;
  sasl?: { mechanism: string; [key: string]: unknown };
  /**
   * A pino-compatible logger (checked at construction: it needs debug, info, warn and error).
   * Default: `consoleLogger(logLevel)`, JSON lines on stderr.
   */
  logger?: Logger;
  /** Entries below this level are not logged (also with a `logger`). Default `'info'`. */
  logLevel?: LogLevel;
  /** Called as stores restore from their changelogs. */
  restoreListener?: RestoreListener;
  /**
   * A `prom-client` `Registry` to register this instance's metrics into (`tributary_process_rate`,
   * `tributary_records_lag`, ...), read from `app.metrics()` at each scrape. Needs `prom-client`
   * installed (an optional peer dependency).
   */
  metricsRegistry?: PrometheusRegistry;
  /**
   * Starts a small HTTP server with the app: `GET /health`, `/metrics` (Prometheus text),
   * `/api/topology`, `/api/tasks`, `/api/stores/:store/:key`, and the live view at `/`.
   * Port 0 picks a free port (see `app.httpAddress`). Default host `127.0.0.1`.
   */
  http?: HttpConfig;
  /**
   * Where this instance answers interactive queries (`host:port`, as Kafka Streams'
   * `application.server`), typically the address of its `http` server as other instances reach
   * it. It travels with the group assignment, so every instance learns which instance owns which
   * tasks: `app.queryMetadataForKey`, `app.streamsMetadataForStore`, `app.allMetadata`.
   */
  applicationServer?: string;
}

/** Where the app's HTTP server listens. */
export interface HttpConfig {
  port: number;
  host?: string;
}

/** @internal The configuration with defaults applied. */
export type ResolvedConfig = Required<
  Pick<
    StreamsConfig,
    | 'applicationId'
    | 'clientId'
    | 'processingGuarantee'
    | 'commitIntervalMs'
    | 'numStandbyReplicas'
    | 'replicationFactor'
    | 'sessionTimeoutMs'
    | 'heartbeatIntervalMs'
    | 'repartitionPurgeIntervalMs'
    | 'maxTaskIdleMs'
    | 'maxBufferedRecords'
    | 'taskTimeoutMs'
    | 'cacheMaxBytes'
    | 'defaultDslStore'
  >
> &
  StreamsConfig & { stateDir: string | undefined };

const KNOWN_KEYS = new Set<string>([
  'applicationId',
  'brokers',
  'kafkaClient',
  'kafka',
  'clientId',
  'stateDir',
  'processingGuarantee',
  'commitIntervalMs',
  'numStandbyReplicas',
  'replicationFactor',
  'sessionTimeoutMs',
  'heartbeatIntervalMs',
  'repartitionPurgeIntervalMs',
  'maxTaskIdleMs',
  'maxBufferedRecords',
  'taskTimeoutMs',
  'cacheMaxBytes',
  'defaultDslStore',
  'defaultKeySerde',
  'defaultValueSerde',
  'deserializationExceptionHandler',
  'processingExceptionHandler',
  'productionExceptionHandler',
  'deadLetterQueueTopic',
  'uncaughtExceptionHandler',
  'ssl',
  'sasl',
  'logger',
  'logLevel',
  'restoreListener',
  'metricsRegistry',
  'http',
  'applicationServer',
]);

/** @internal Validates at construction, naming the bad key and what to do. */
export function resolveConfig(config: StreamsConfig): ResolvedConfig {
  if (config === null || typeof config !== 'object') {
    throw new ConfigError('KafkaStreams needs a config object with at least { applicationId }.');
  }
  for (const key of Object.keys(config)) {
    if (!KNOWN_KEYS.has(key)) {
      throw new ConfigError(`Unknown config key "${key}". Known keys: ${[...KNOWN_KEYS].join(', ')}.`);
    }
  }
  const { applicationId } = config;
  if (typeof applicationId !== 'string' || !/^[a-zA-Z0-9._-]{1,200}$/.test(applicationId)) {
    throw new ConfigError(
      `applicationId is required and must be 1–200 characters from [a-zA-Z0-9._-] (it names the consumer group and internal topics); got ${JSON.stringify(applicationId)}.`,
    );
  }
  if (config.brokers !== undefined) {
    if (
      !Array.isArray(config.brokers) ||
      config.brokers.some((b) => typeof b !== 'string' || !/^[^\s:]+:\d+$/.test(b))
    ) {
      throw new ConfigError(
        `brokers must be an array of "host:port" strings; got ${JSON.stringify(config.brokers)}.`,
      );
    }
    if (config.brokers.length === 0) {
      throw new ConfigError(
        'brokers is empty: list at least one "host:port", or leave brokers out to run on the embedded broker.',
      );
    }
    const badPort = config.brokers.find((b) => {
      const port = Number(b.slice(b.lastIndexOf(':') + 1));
      return port < 1 || port > 65535;
    });
    if (badPort !== undefined) {
      throw new ConfigError(`brokers: the port of "${badPort}" is out of range (1–65535).`);
    }
  }
  if (config.kafka !== undefined) {
    const client = config.kafka as unknown as Record<string, unknown> | null;
    const methods = ['admin', 'producer', 'transactionalProducer', 'consumer', 'partitionReader'];
    const missing =
      client === null || typeof client !== 'object'
        ? methods
        : methods.filter((m) => typeof client[m] !== 'function');
    if (missing.length > 0) {
      throw new ConfigError(
        `kafka must be a Kafka client such as createEmbeddedKafka() returns (missing: ${missing.join(', ')}); to reach a cluster, pass brokers instead.`,
      );
    }
  }
  if (config.kafkaClient !== undefined && !KAFKA_CLIENT_LIBRARIES.includes(config.kafkaClient)) {
    throw new ConfigError(
      `kafkaClient must be ${KAFKA_CLIENT_LIBRARIES.map((c) => `'${c}'`).join(' or ')}; got ${JSON.stringify(config.kafkaClient)}.`,
    );
  }
  for (const key of ['sasl', 'ssl', 'kafkaClient'] as const) {
    if (config[key] !== undefined && config.brokers === undefined) {
      throw new ConfigError(
        `${key} is set but brokers is not: without brokers the app would run on the embedded broker and ignore ${key}; set brokers.`,
      );
    }
  }
  const guarantee = config.processingGuarantee ?? 'at_least_once';
  if (guarantee !== 'at_least_once' && guarantee !== 'exactly_once') {
    throw new ConfigError(
      `processingGuarantee must be 'at_least_once' or 'exactly_once'; got ${JSON.stringify(guarantee)}.`,
    );
  }
  const int = (key: keyof StreamsConfig, fallback: number, min: number): number => {
    const value = config[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      throw new ConfigError(`${key} must be an integer >= ${min}; got ${JSON.stringify(value)}.`);
    }
    return value;
  };
  const sessionTimeoutMs = int('sessionTimeoutMs', 45_000, 1_000);
  const heartbeatIntervalMs = int('heartbeatIntervalMs', 3_000, 100);
  if (heartbeatIntervalMs >= sessionTimeoutMs) {
    throw new ConfigError(
      `heartbeatIntervalMs (${heartbeatIntervalMs}) must be lower than sessionTimeoutMs (${sessionTimeoutMs}).`,
    );
  }
  const replicationFactor = config.replicationFactor ?? -1;
  if (!Number.isInteger(replicationFactor) || (replicationFactor < 1 && replicationFactor !== -1)) {
    throw new ConfigError(
      `replicationFactor must be a positive integer or -1 (broker default); got ${JSON.stringify(replicationFactor)}.`,
    );
  }
  const defaultDslStore = config.defaultDslStore ?? 'persistent';
  if (defaultDslStore !== 'persistent' && defaultDslStore !== 'in-memory') {
    throw new ConfigError(
      `defaultDslStore must be 'persistent' or 'in-memory'; got ${JSON.stringify(defaultDslStore)}.`,
    );
  }
  if (
    config.stateDir !== undefined &&
    (typeof config.stateDir !== 'string' || config.stateDir.length === 0)
  ) {
    throw new ConfigError(`stateDir must be a non-empty path; got ${JSON.stringify(config.stateDir)}.`);
  }
  if (config.logLevel !== undefined && !isLogLevel(config.logLevel)) {
    throw new ConfigError(
      `logLevel must be 'debug', 'info', 'warn', 'error' or 'silent'; got ${JSON.stringify(config.logLevel)}.`,
    );
  }
  validateObservability(config);
  for (const key of [
    'deserializationExceptionHandler',
    'processingExceptionHandler',
    'productionExceptionHandler',
  ] as const) {
    const h = config[key];
    if (h !== undefined && h !== 'logAndFail' && h !== 'logAndContinue' && typeof h !== 'function') {
      throw new ConfigError(
        `${key} must be 'logAndFail', 'logAndContinue' or a function; got ${JSON.stringify(h)}.`,
      );
    }
  }
  checkDeadLetterQueueTopic(config.deadLetterQueueTopic);
  if (config.uncaughtExceptionHandler !== undefined)
    checkUncaughtExceptionHandler(config.uncaughtExceptionHandler, 'uncaughtExceptionHandler');
  return hideSecrets({
    ...config,
    applicationId,
    clientId: config.clientId ?? `${applicationId}-${Math.random().toString(36).slice(2, 8)}`,
    processingGuarantee: guarantee,
    commitIntervalMs: int('commitIntervalMs', guarantee === 'exactly_once' ? 100 : 30_000, 0),
    numStandbyReplicas: int('numStandbyReplicas', 0, 0),
    replicationFactor,
    sessionTimeoutMs,
    heartbeatIntervalMs,
    repartitionPurgeIntervalMs: int('repartitionPurgeIntervalMs', 30_000, 0),
    maxTaskIdleMs: int('maxTaskIdleMs', 0, -1),
    maxBufferedRecords: int('maxBufferedRecords', 10_000, 1),
    taskTimeoutMs: int('taskTimeoutMs', 300_000, 0),
    cacheMaxBytes: int('cacheMaxBytes', 10 * 1024 * 1024, 0),
    defaultDslStore,
    stateDir: config.stateDir,
  });
}

/** @internal A topic name Kafka accepts (the test driver checks it too). */
export function checkDeadLetterQueueTopic(topic: unknown): void {
  if (topic === undefined) return;
  if (
    typeof topic !== 'string' ||
    !/^[a-zA-Z0-9._-]{1,249}$/.test(topic) ||
    topic === '.' ||
    topic === '..'
  ) {
    throw new ConfigError(
      `deadLetterQueueTopic must be a Kafka topic name (1–249 characters from [a-zA-Z0-9._-], not "." or ".."); got ${JSON.stringify(topic)}.`,
    );
  }
}

/**
 * Credentials stay readable for the client but are not enumerable: `JSON.stringify`, spreading
 * and `util.inspect` of the resolved config (in a log line, a debugger) never show them.
 */
function hideSecrets<T extends Pick<StreamsConfig, 'sasl' | 'ssl'>>(config: T): T {
  for (const key of ['sasl', 'ssl'] as const) {
    if (config[key] !== undefined)
      Object.defineProperty(config, key, { value: config[key], enumerable: false });
  }
  return config;
}

function validateObservability(config: StreamsConfig): void {
  const { http, metricsRegistry, applicationServer } = config;
  if (applicationServer !== undefined) {
    const match =
      typeof applicationServer === 'string'
        ? /^(\[[^\]\s]+\]|[^\s:/[\]]+):(\d+)$/.exec(applicationServer)
        : null;
    const port = match === null ? NaN : Number(match[2]);
    if (match === null || port < 1 || port > 65_535) {
      throw new ConfigError(
        `applicationServer must be "host:port" with a port from 1 to 65535 (the address other instances use to reach this one, e.g. "10.0.0.5:8080"); got ${JSON.stringify(applicationServer)}.`,
      );
    }
  }
  if (http !== undefined) {
    const port = (http as Partial<HttpConfig> | null)?.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65_535) {
      throw new ConfigError(
        `http.port must be an integer from 0 (any free port) to 65535; got ${JSON.stringify(port)}.`,
      );
    }
    if (http.host !== undefined && (typeof http.host !== 'string' || http.host.length === 0)) {
      throw new ConfigError(`http.host must be a host name or address; got ${JSON.stringify(http.host)}.`);
    }
  }
  if (
    metricsRegistry !== undefined &&
    (metricsRegistry === null ||
      typeof metricsRegistry.metrics !== 'function' ||
      typeof metricsRegistry.getSingleMetric !== 'function')
  ) {
    throw new ConfigError(
      'metricsRegistry must be a prom-client Registry (new Registry() from prom-client).',
    );
  }
}
