import type { KafkaClient } from '../../src/kafka/index.js';
import { readTopic } from './read-topic.js';

/** Latest value per key of a topic holding counts as Java longs, read through the client port. */
export async function readLatestCounts(kafka: KafkaClient, topic: string): Promise<Map<string, number>> {
  return new Map((await readTopic(kafka, topic)).map((r) => [r.key, Number(r.value!.readBigInt64BE(0))]));
}

/** Adds up per-word counts. */
export function mergeCounts(...maps: Map<string, number>[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of maps) for (const [k, v] of m) out.set(k, (out.get(k) ?? 0) + v);
  return out;
}
