import { createKafkaClient } from '../../../src/kafka/index.js';
import { type TopicRecord, readTopic } from '../../support/read-topic.js';

/**
 * Every record of `topic` on a real broker up to its current end offsets, read
 * `read_committed`, in offset order per partition.
 *
 * @example
 * ```ts
 * const ids = (await readCommitted(brokers, 'echo')).map((r) => r.value!.toString());
 * ```
 */
export async function readCommitted(
  brokers: string[],
  topic: string,
  connection: Omit<Parameters<typeof createKafkaClient>[0], 'brokers'> = { clientId: 'verify' },
): Promise<TopicRecord[]> {
  const kafka = createKafkaClient({ ...connection, brokers });
  try {
    return await readTopic(kafka, topic);
  } finally {
    await kafka.close();
  }
}
