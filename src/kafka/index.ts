/**
 * The Kafka client port and its adapters. The runtime depends on the interfaces of `port.ts`
 * only; `createKafkaClient` picks kafkajs for real brokers and the embedded broker otherwise.
 */
export type * from './port.js';
export { createKafkaClient, KAFKA_CLIENT_LIBRARIES } from './client.js';
export type {
  ClosableKafkaClient,
  KafkaClientConfig,
  KafkaClientLibrary,
  KafkaLogEntry,
  KafkaLogLevel,
} from './client.js';
export { createEmbeddedKafka } from './embedded/client.js';
export type { EmbeddedKafka, EmbeddedKafkaOptions } from './embedded/client.js';
export type { EmbeddedConnection } from './embedded/connection.js';
export {
  ClientStateError,
  CommitFailedError,
  FencedError,
  KafkaClientError,
  RebalanceInProgressError,
  UnknownTopicError,
} from './errors.js';
export { murmur2, partitionForKey } from './partitioner.js';
