/** Kafka release resolved from Maven Central for the Java provisioner (newest 4.1.x). */
export const KAFKA_VERSION = '4.1.2';

/** The log4j2 SLF4J 1.x binding; Kafka 4.1 logs through slf4j-api 1.7 and ships log4j2 configs. */
export const LOG4J_VERSION = '2.24.3';

/** Image for the Docker provisioner (Apache's own image, configured through `KAFKA_*` variables). */
export const KAFKA_IMAGE = 'apache/kafka:4.1.1';

/** Loopback only: the brokers are for tests and benchmarks on this machine. */
export const KAFKA_HOST = '127.0.0.1';

/**
 * Broker settings shared by every provisioner, tuned for tests: no initial rebalance delay,
 * small internal topics, explicit topic creation, and durability matched to the node count.
 */
export function brokerSettings(nodeCount: number): Record<string, string> {
  const replication = String(Math.min(nodeCount, 3));
  const minIsr = nodeCount >= 3 ? '2' : '1';
  return {
    'num.partitions': '1',
    'default.replication.factor': replication,
    'min.insync.replicas': minIsr,
    'offsets.topic.replication.factor': replication,
    'offsets.topic.num.partitions': '10',
    'transaction.state.log.replication.factor': replication,
    'transaction.state.log.min.isr': minIsr,
    'transaction.state.log.num.partitions': '10',
    'group.initial.rebalance.delay.ms': '0',
    'auto.create.topics.enable': 'false',
    'delete.topic.enable': 'true',
    'num.network.threads': '2',
    'num.io.threads': '4',
    'log.segment.bytes': String(64 * 1024 * 1024),
    'log.retention.check.interval.ms': '60000',
  };
}
