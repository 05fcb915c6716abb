import type { TestProject } from 'vitest/node';
import { KafkaUnavailableError, ensureKafka } from '../../scripts/kafka/provision.js';

/**
 * Provides a real Kafka broker to the integration project: `KAFKA_BROKERS`, a cluster this
 * machine already runs, Docker, or Java + Maven (see docs/kafka.md). Outside CI a machine
 * with none of these skips the integration tests; under `CI=true` that is an error.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  try {
    const kafka = await ensureKafka({ nodes: 1, log: (line) => process.stderr.write(`[kafka] ${line}\n`) });
    project.provide('kafkaBrokers', kafka.brokers);
    project.provide('kafkaUnavailable', '');
    return () => kafka.stop();
  } catch (error) {
    if (!(error instanceof KafkaUnavailableError) || process.env.CI === 'true') throw error;
    const reason = error.message.replace(/:\n\s+- /, ': ').replace(/\n\s+- /g, '; ');
    process.stderr.write(`[kafka] Integration tests skipped: ${reason}\n`);
    project.provide('kafkaBrokers', []);
    project.provide('kafkaUnavailable', reason);
    return async () => undefined;
  }
}
