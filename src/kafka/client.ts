import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { ConfigError } from '../errors.js';
import { createEmbeddedKafka } from './embedded/client.js';
import { KafkajsClient } from './kafkajs/client.js';
import { LazyPlatformaticClient } from './platformatic/lazy.js';
import type { KafkaLogEntry, KafkaLogLevel } from './kafkajs/client.js';
import type { KafkaClient } from './port.js';

export type { KafkaLogEntry, KafkaLogLevel };

/** The client library that talks to a real cluster. */
export type KafkaClientLibrary = 'kafkajs' | 'platformatic';

/** Every value of {@link KafkaClientLibrary}, for validation. */
export const KAFKA_CLIENT_LIBRARIES: readonly KafkaClientLibrary[] = ['kafkajs', 'platformatic'];

/** How to reach Kafka. Without `brokers`, an in-process embedded broker is used. */
export interface KafkaClientConfig {
  /** Bootstrap servers, `host:port`. */
  brokers?: string[];
  /**
   * Which client library talks to `brokers`. Default `kafkajs`. `platformatic` (@platformatic/kafka,
   * experimental, see docs/kafka-port.md) needs Node 22.22 or later. Ignored without `brokers`.
   */
  client?: KafkaClientLibrary;
  clientId?: string;
  /** `true` or TLS options (`ca`, `cert`, `key`, ...). */
  ssl?: KafkaConfig['ssl'];
  /** `{ mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512', username, password }` and others. */
  sasl?: SASLOptions;
  /** Default `nothing`: errors reach the caller as exceptions, not as log lines. */
  logLevel?: KafkaLogLevel;
  /** Receives the client's log lines at or above `logLevel`. */
  logger?: (entry: KafkaLogEntry) => void;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/** A client with a `close()` for what the factory itself opened. */
export type ClosableKafkaClient = KafkaClient & { close(): Promise<void> };

/**
 * Creates the Kafka client port: the kafkajs adapter (or, with `client: 'platformatic'`, the
 * @platformatic/kafka adapter) when `brokers` are given, else an in-process embedded broker.
 *
 * @example
 * ```ts
 * const kafka = createKafkaClient({ brokers: ['127.0.0.1:9092'], clientId: 'shop' });
 * const admin = await kafka.admin();
 * await admin.createTopics([{ topic: 'orders', partitions: 6 }]);
 * const faster = createKafkaClient({ brokers: ['127.0.0.1:9092'], client: 'platformatic' });
 * ```
 */
export function createKafkaClient(config: KafkaClientConfig = {}): ClosableKafkaClient {
  const clientId = config.clientId ?? 'tributary';
  if (!config.brokers || config.brokers.length === 0) return createEmbeddedKafka({ clientId });
  if (config.brokers.some((broker) => !/^[^\s:]+:\d+$/.test(broker))) {
    throw new ConfigError(`brokers must be "host:port" strings, got ${JSON.stringify(config.brokers)}`);
  }
  const library = config.client ?? 'kafkajs';
  if (!KAFKA_CLIENT_LIBRARIES.includes(library)) {
    throw new ConfigError(
      `client must be one of ${KAFKA_CLIENT_LIBRARIES.map((c) => `'${c}'`).join(', ')}, got ${JSON.stringify(config.client)}`,
    );
  }
  if (library === 'platformatic') {
    const client = new LazyPlatformaticClient({
      brokers: config.brokers,
      clientId,
      ...(config.ssl === undefined ? {} : { ssl: config.ssl as boolean | Record<string, unknown> }),
      ...(config.sasl === undefined ? {} : { sasl: config.sasl }),
      ...(config.connectionTimeoutMs === undefined
        ? {}
        : { connectionTimeoutMs: config.connectionTimeoutMs }),
      ...(config.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: config.requestTimeoutMs }),
    });
    return client;
  }
  return new KafkajsClient({
    brokers: config.brokers,
    clientId,
    ssl: config.ssl,
    sasl: config.sasl,
    logLevel: config.logLevel ?? 'nothing',
    logger: config.logger,
    connectionTimeoutMs: config.connectionTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs,
  });
}
