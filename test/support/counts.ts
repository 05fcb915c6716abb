import type { KafkaClient } from '../../src/kafka/index.js';

/** Latest value per key of a topic holding counts as Java longs, read through the client port. */
export async function readLatestCounts(kafka: KafkaClient, topic: string): Promise<Map<string, number>> {
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
  const latest = new Map<string, number>();
  const ranges = ends.filter((e) => BigInt(e.end) > BigInt(e.begin));
  if (ranges.length === 0) return latest;
  const reader = kafka.partitionReader({
    groupIdPrefix: 'verify',
    partitions: ranges.map((e) => ({
      topic,
      partition: e.partition,
      fromOffset: e.begin,
      untilOffset: e.end,
    })),
  });
  await reader.run({
    eachBatch: async (batch) => {
      for (const m of batch.messages) latest.set(m.key!.toString(), Number(m.value!.readBigInt64BE(0)));
    },
  });
  await reader.close();
  return latest;
}

/** Adds up per-word counts. */
export function mergeCounts(...maps: Map<string, number>[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of maps) for (const [k, v] of m) out.set(k, (out.get(k) ?? 0) + v);
  return out;
}
