import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { ConfigError } from '../errors.js';
import { createEmbeddedKafka } from './embedded/client.js';
import { KafkajsClient } from './kafkajs/client.js';
import type { KafkaLogEntry, KafkaLogLevel } from './kafkajs/client.js';
import type { KafkaClient } from './port.js';

export type { KafkaLogEntry, KafkaLogLevel };

/** How to reach Kafka. Without `brokers`, an in-process embedded broker is used. */
export interface KafkaClientConfig {
  /** Bootstrap servers, `host:port`. */
  brokers?: string[];
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
 * Creates the Kafka client port: the kafkajs adapter when `brokers` are given, else an
 * in-process embedded broker.
 *
 * @example
 * ```ts
 * const kafka = createKafkaClient({ brokers: ['127.0.0.1:9092'], clientId: 'shop' });
 * const admin = await kafka.admin();
 * await admin.createTopics([{ topic: 'orders', partitions: 6 }]);
 * ```
 */
export function createKafkaClient(config: KafkaClientConfig = {}): ClosableKafkaClient {
  const clientId = config.clientId ?? 'tributary';
  if (!config.brokers || config.brokers.length === 0) return createEmbeddedKafka({ clientId });
  if (config.brokers.some((broker) => !/^[^\s:]+:\d+$/.test(broker))) {
    throw new ConfigError(`brokers must be "host:port" strings, got ${JSON.stringify(config.brokers)}`);
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
