import type { Producer, ProducerBatch, RecordMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkajsProducer } from '../../../src/kafka/kafkajs/producer.js';
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

    const sizes = requests.map((r) => r.topicMessages!.reduce((n, t) => n + t.messages.length, 0));
    expect(sizes).toEqual([1_000, 1_000, 500]);
    const keys = requests.flatMap((r) =>
      r.topicMessages!.flatMap((t) => t.messages.map((m) => String(m.key))),
    );
    expect(keys.slice(0, 3)).toEqual(['k0', 'k1', 'k2']);
    expect(keys[1_500]).toBe('k0');
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
