import type { RecordsBatch } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { decodeBatches } from '../../../src/kafka/platformatic/fetcher.js';

const TRANSACTIONAL = 0x10;
const CONTROL = 0x20;

function batch(
  firstOffset: number,
  values: string[],
  { producerId = -1, attributes = 0 }: { producerId?: number; attributes?: number } = {},
): RecordsBatch {
  return {
    firstOffset: BigInt(firstOffset),
    length: 0,
    partitionLeaderEpoch: 0,
    magic: 2,
    crc: 0,
    attributes,
    lastOffsetDelta: Math.max(0, values.length - 1),
    firstTimestamp: 1_000n,
    maxTimestamp: 1_000n + BigInt(values.length),
    producerId: BigInt(producerId),
    producerEpoch: 0,
    firstSequence: 0,
    records: values.map((value, i) => ({
      length: 0,
      attributes: 0,
      timestampDelta: BigInt(i),
      offsetDelta: i,
      key: Buffer.from(`k-${value}`),
      value: Buffer.from(value),
      headers: [[Buffer.from('h'), Buffer.from(value)]],
    })),
  };
}

const marker = (offset: number, producerId: number) =>
  batch(offset, ['marker'], { producerId, attributes: TRANSACTIONAL | CONTROL });
const position = (offset: number) => ({ topic: 't', partition: 0, offset: BigInt(offset) });
const values = (decoded: ReturnType<typeof decodeBatches>) =>
  decoded.messages.map((m) => m.value!.toString());

describe('the platformatic adapter decodes fetched record batches', () => {
  it('delivers offsets, timestamps and headers, and drops records before the fetch position', () => {
    const decoded = decodeBatches(position(1), [batch(0, ['a', 'b', 'c'])], null, 3n);
    expect(values(decoded)).toEqual(['b', 'c']);
    expect(decoded.messages[0]).toMatchObject({ offset: '1', timestamp: 1_001 });
    expect(decoded.messages[1]!.headers['h']!.toString()).toBe('c');
    expect(decoded).toMatchObject({ nextOffset: '3', highWatermark: '3' });
  });

  it('skips aborted transactions and markers but moves the next offset past them', () => {
    const decoded = decodeBatches(
      position(0),
      [
        batch(0, ['aborted-1', 'aborted-2'], { producerId: 7, attributes: TRANSACTIONAL }),
        batch(2, ['committed'], { producerId: 8, attributes: TRANSACTIONAL }),
        marker(3, 7),
        marker(4, 8),
        batch(5, ['plain']),
      ],
      [{ producerId: 7n, firstOffset: 0n }],
      6n,
    );
    expect(values(decoded)).toEqual(['committed', 'plain']);
    expect(decoded.nextOffset).toBe('6');
  });

  it('keeps a later transaction of a producer whose earlier one was aborted', () => {
    const decoded = decodeBatches(
      position(0),
      [
        batch(0, ['aborted'], { producerId: 7, attributes: TRANSACTIONAL }),
        marker(1, 7),
        batch(2, ['kept'], { producerId: 7, attributes: TRANSACTIONAL }),
      ],
      [{ producerId: 7n, firstOffset: 0n }],
      3n,
    );
    expect(values(decoded)).toEqual(['kept']);
  });

  it('reports a batch of only a marker as progress without records', () => {
    const decoded = decodeBatches(position(3), [marker(3, 9)], null, 4n);
    expect(decoded.messages).toEqual([]);
    expect(decoded.nextOffset).toBe('4');
  });
});
