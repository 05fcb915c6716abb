import type { KafkaClient } from '../../src/kafka/index.js';

/** One record of a topic as read back for verification. */
export interface TopicRecord {
  key: string;
  value: Buffer | null;
  partition: number;
}

/**
 * Every record of `topic` up to its current end offsets, read `read_committed` (aborted
 * transactions and markers left out), in offset order per partition, through the client port
 * (a real broker or the embedded one).
 *
 * @example
 * ```ts
 * const ids = (await readTopic(kafka, 'echo')).map((r) => r.value!.toString());
 * ```
 */
export async function readTopic(kafka: KafkaClient, topic: string): Promise<TopicRecord[]> {
  const admin = await kafka.admin();
  let ends;
  try {
    const partitions = (await admin.describeTopics([topic]))[topic] ?? 0;
    ends = await admin.listOffsets(
      Array.from({ length: partitions }, (_, partition) => ({ topic, partition })),
    );
  } finally {
    await admin.close();
  }
  const out: TopicRecord[] = [];
  const ranges = ends.filter((e) => BigInt(e.end) > BigInt(e.begin));
  if (ranges.length === 0) return out;
  const reader = kafka.partitionReader({
    groupIdPrefix: 'verify',
    isolation: 'read_committed',
    partitions: ranges.map((e) => ({
      topic,
      partition: e.partition,
      fromOffset: e.begin,
      untilOffset: e.end,
    })),
  });
  await reader.run({
    eachBatch: async (batch) => {
      for (const m of batch.messages)
        out.push({ key: m.key!.toString(), value: m.value, partition: batch.partition });
    },
  });
  await reader.close();
  return out;
}
