import type { KafkaClient } from '../../src/kafka/index.js';

/** One record of a dead-letter topic: key, value and headers as text. */
export interface DeadLetter {
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/**
 * Every record of `topic` (all partitions) up to its current end, read `read_committed` (records
 * of aborted transactions left out) unless told otherwise, with headers decoded as UTF-8.
 *
 * @example
 * ```ts
 * const [dead] = await readDeadLetters(kafka, 'app-dlq');
 * dead.headers['__streams.errors.exception']; // 'Error'
 * ```
 */
export async function readDeadLetters(
  kafka: KafkaClient,
  topic: string,
  isolation: 'read_committed' | 'read_uncommitted' = 'read_committed',
): Promise<DeadLetter[]> {
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
  const out: DeadLetter[] = [];
  const ranges = ends.filter((e) => BigInt(e.end) > BigInt(e.begin));
  if (ranges.length === 0) return out;
  const reader = kafka.partitionReader({
    groupIdPrefix: 'verify-dlq',
    isolation,
    partitions: ranges.map((e) => ({
      topic,
      partition: e.partition,
      fromOffset: e.begin,
      untilOffset: e.end,
    })),
  });
  await reader.run({
    eachBatch: async (batch) => {
      for (const m of batch.messages) {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(m.headers ?? {})) headers[k] = v.toString();
        out.push({ key: m.key?.toString() ?? null, value: m.value?.toString() ?? null, headers });
      }
    },
  });
  await reader.close();
  return out;
}
