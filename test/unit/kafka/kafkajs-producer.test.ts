import type { Producer, ProducerBatch, RecordMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkajsProducer, KafkajsTransactionalProducer } from '../../../src/kafka/kafkajs/producer.js';
import type { ProducerRecord } from '../../../src/kafka/port.js';

/** A kafkajs producer stand-in that records each sendBatch and assigns offsets per partition. */
function fakeProducer(): { producer: Producer; requests: ProducerBatch[] } {
  const requests: ProducerBatch[] = [];
  const next = new Map<string, number>();
  const sendBatch = async (batch: ProducerBatch): Promise<RecordMetadata[]> => {
    requests.push(batch);
    const out: RecordMetadata[] = [];
    for (const { topic, messages } of batch.topicMessages ?? []) {
      const counts = new Map<number, number>();
      for (const m of messages) counts.set(m.partition ?? 0, (counts.get(m.partition ?? 0) ?? 0) + 1);
      for (const [partition, count] of counts) {
        const key = `${topic}:${partition}`;
        const base = next.get(key) ?? 100;
        next.set(key, base + count);
        out.push({ topicName: topic, partition, errorCode: 0, baseOffset: String(base) });
      }
    }
    return out;
  };
  return { producer: { sendBatch } as unknown as Producer, requests };
}

function records(count: number, partition: number): ProducerRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    topic: 'changelog',
    partition,
    key: Buffer.from(`k${i}`),
    value: Buffer.from(`v${i}`),
    timestamp: i,
  }));
}

describe('KafkajsProducer.send', () => {
  it('sends large batches in chunks, in order, and reports each partition once with its first offset', async () => {
    const { producer, requests } = fakeProducer();
    const sent = await new KafkajsProducer(producer).send([...records(1_500, 0), ...records(1_000, 1)]);

    const partitionOf = (r: ProducerBatch) => r.topicMessages![0]!.messages[0]!.partition;
    const sizes = requests.map((r) => [
      partitionOf(r),
      r.topicMessages!.reduce((n, t) => n + t.messages.length, 0),
    ]);
    expect(sizes).toEqual([
      [0, 1_000],
      [1, 1_000],
      [0, 500],
    ]);
    const keysOf = (partition: number) =>
      requests
        .filter((r) => partitionOf(r) === partition)
        .flatMap((r) => r.topicMessages!.flatMap((t) => t.messages.map((m) => String(m.key))));
    expect(keysOf(0).slice(0, 3)).toEqual(['k0', 'k1', 'k2']);
    expect(keysOf(0)[1_499]).toBe('k1499');
    expect(keysOf(1)[0]).toBe('k0');
    expect(sent).toEqual([
      { topic: 'changelog', partition: 0, baseOffset: '100' },
      { topic: 'changelog', partition: 1, baseOffset: '100' },
    ]);
  });

  it('passes headers only when a record has them', async () => {
    const { producer, requests } = fakeProducer();
    const headers = { trace: Buffer.from('1') };
    await new KafkajsProducer(producer).send([
      { topic: 't', key: null, value: Buffer.from('a'), timestamp: 5 },
      { topic: 't', key: null, value: Buffer.from('b'), timestamp: 6, headers },
    ]);
    const [first, second] = requests[0]!.topicMessages![0]!.messages;
    expect(first).toEqual({ key: null, value: Buffer.from('a'), timestamp: '5' });
    expect(second).toEqual({ key: null, value: Buffer.from('b'), timestamp: '6', headers });
  });
});

/** A kafkajs error as its retries leave it: a leader that moved (NOT_LEADER_OR_FOLLOWER). */
function notLeader(): Error {
  return Object.assign(new Error('This server is not the leader for that topic-partition'), {
    name: 'KafkaJSProtocolError',
    type: 'NOT_LEADER_OR_FOLLOWER',
    code: 6,
    retriable: true,
  });
}

describe('KafkajsTransactionalProducer: a send in a transaction across a leader change', () => {
  it('sends each partition in its own request and retries only the failed one: nothing acknowledged is sent twice', async () => {
    const { producer: inner, requests } = fakeProducer();
    let failures = 1;
    const transaction = {
      sendBatch: async (batch: ProducerBatch) => {
        const partitions = new Set(batch.topicMessages!.flatMap((t) => t.messages.map((m) => m.partition)));
        // The leader of partition 1 died: its first request fails, whatever else it carries.
        if (partitions.has(1) && failures-- > 0) {
          requests.push(batch);
          throw notLeader();
        }
        return inner.sendBatch(batch);
      },
      abort: async () => undefined,
    };
    const kafkajs = {
      connect: async () => undefined,
      transaction: async () => transaction,
    } as unknown as Producer;
    const producer = await KafkajsTransactionalProducer.start(kafkajs, 'app-0_0');
    const tx = await producer.beginTransaction();
    const sent = await tx.send([...records(3, 0), ...records(2, 1)]);

    const delivered = (partition: number) =>
      requests
        .slice(0)
        .filter((r) => r.topicMessages!.some((t) => t.messages.some((m) => m.partition === partition)));
    for (const r of requests) {
      const partitions = new Set(r.topicMessages!.flatMap((t) => t.messages.map((m) => m.partition)));
      expect(partitions.size).toBe(1);
    }
    // Partition 0 went out once; partition 1 twice (the failed attempt, then the retry).
    expect(delivered(0)).toHaveLength(1);
    expect(delivered(1)).toHaveLength(2);
    expect(sent).toEqual([
      { topic: 'changelog', partition: 0, baseOffset: '100' },
      { topic: 'changelog', partition: 1, baseOffset: '100' },
    ]);
  });
});
