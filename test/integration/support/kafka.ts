import { randomBytes } from 'node:crypto';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { fixRequestQueueTimer } from '../../../src/kafka/kafkajs/request-queue-timer.js';
import { describe, inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Bootstrap addresses of the broker the integration global setup provisioned. */
    kafkaBrokers: string[];
    /** Why no broker could be had (only outside CI); empty when one is available. */
    kafkaUnavailable: string;
  }
}

/** Why integration tests cannot reach Kafka in this run, or `undefined` when they can. */
export function kafkaUnavailableReason(): string | undefined {
  return inject('kafkaUnavailable') || undefined;
}

/** Bootstrap addresses of the test broker. */
export function kafkaBrokers(): string[] {
  const brokers = inject('kafkaBrokers');
  if (!brokers?.length)
    throw new Error(`No Kafka broker: ${kafkaUnavailableReason() ?? 'global setup did not run'}`);
  return brokers;
}

/**
 * A `describe` that is skipped, not failed, when no broker could be provisioned (never under CI).
 *
 * @example
 * ```ts
 * describeWithKafka('changelog restore', () => {
 *   it('restores', async () => {
 *     const admin = testKafka().admin();
 *     await admin.connect();
 *     await createTopic(admin, uniqueTopic('restore'), 3, { 'cleanup.policy': 'compact' });
 *   });
 * });
 * ```
 */
export function describeWithKafka(name: string, body: () => void): void {
  describe.skipIf(kafkaUnavailableReason() !== undefined)(name, body);
}

/** A quiet kafkajs client for the test broker, with the request-queue timer fixed as our adapter fixes it. */
export function testKafka(clientId = 'tributary-test'): Kafka {
  fixRequestQueueTimer();
  return new Kafka({ clientId, brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
}

/** A topic (or group, or transactional id) name no other test run uses. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** Creates a topic and waits until every partition has a leader. Resolves with the name. */
export async function createTopic(
  admin: Admin,
  name: string,
  partitions: number,
  configs: Record<string, string> = {},
): Promise<string> {
  const created = await admin.createTopics({
    topics: [
      {
        topic: name,
        numPartitions: partitions,
        configEntries: Object.entries(configs).map(([configName, value]) => ({ name: configName, value })),
      },
    ],
    waitForLeaders: true,
  });
  if (!created) throw new Error(`Topic ${name} already exists`);
  return name;
}
