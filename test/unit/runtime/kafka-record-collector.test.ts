import { describe, expect, it } from 'vitest';
import type { KafkaProducer, ProducerRecord, SentPartition } from '../../../src/kafka/port.js';
import { partitionForKey } from '../../../src/kafka/partitioner.js';
import { KafkaRecordCollector } from '../../../src/runtime/kafka-record-collector.js';

function recordingProducer(sent: SentPartition[]): KafkaProducer & { batches: ProducerRecord[][] } {
  const batches: ProducerRecord[][] = [];
  return { batches, send: async (records) => (batches.push(records), sent), close: async () => undefined };
}

const bytes = (s: string) => Buffer.from(s);

describe('KafkaRecordCollector', () => {
  it('gives every record of a topic with a known partition count its partition, so each partition can be sent alone', async () => {
    const collector = new KafkaRecordCollector(new Map([['out', 6]]), new Set());
    const send = (topic: string, key: string | null) =>
      collector.send({
        topic,
        partition: undefined,
        key: key === null ? null : bytes(key),
        value: bytes('v'),
        timestamp: 1,
        headers: undefined,
      });
    send('out', 'alice');
    send('out', 'bob');
    send('out', null);
    send('out', null);
    send('unknown-count', 'alice');
    const producer = recordingProducer([]);
    await collector.flush(producer);

    const [alice, bob, nullA, nullB, unknown] = producer.batches[0]!;
    expect(alice!.partition).toBe(partitionForKey(bytes('alice'), 6));
    expect(bob!.partition).toBe(partitionForKey(bytes('bob'), 6));
    // Null keys stick to one partition per flush, as Kafka's default partitioner does per batch.
    expect(nullA!.partition).toBeGreaterThanOrEqual(0);
    expect(nullA!.partition).toBeLessThan(6);
    expect(nullB!.partition).toBe(nullA!.partition);
    expect(unknown!.partition).toBeUndefined();
  });

  it('tracks changelog end offsets from interleaved runs of partitions and ignores other topics', async () => {
    const collector = new KafkaRecordCollector(new Map(), new Set(['app-store-changelog']));
    const send = (topic: string, partition: number | undefined) =>
      collector.send({
        topic,
        partition,
        key: bytes('k'),
        value: bytes('v'),
        timestamp: 1,
        headers: undefined,
      });
    send('app-store-changelog', 0);
    send('app-store-changelog', 0);
    send('output', undefined);
    send('app-store-changelog', 1);
    send('app-store-changelog', 0);
    const producer = recordingProducer([
      { topic: 'app-store-changelog', partition: 0, baseOffset: '10' },
      { topic: 'app-store-changelog', partition: 1, baseOffset: '40' },
      { topic: 'output', partition: 2, baseOffset: '7' },
    ]);

    expect(await collector.flush(producer)).toBe(5);
    expect(Object.fromEntries(collector.changelogEndOffsets)).toEqual({
      'app-store-changelog:0': '13',
      'app-store-changelog:1': '41',
    });
  });

  it('passes non-empty headers as bytes and leaves empty ones out', async () => {
    const collector = new KafkaRecordCollector(new Map(), new Set());
    collector.send({
      topic: 't',
      partition: undefined,
      key: null,
      value: bytes('a'),
      timestamp: 1,
      headers: {},
    });
    collector.send({
      topic: 't',
      partition: undefined,
      key: null,
      value: bytes('b'),
      timestamp: 2,
      headers: { h: 'x' },
    });
    const producer = recordingProducer([]);
    await collector.flush(producer);

    const [first, second] = producer.batches[0]!;
    expect(first!.headers).toBeUndefined();
    expect(second!.headers).toEqual({ h: bytes('x') });
  });
});
