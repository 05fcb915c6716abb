import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey } from '../../../src/kafka/index.js';

describe('Java-compatible default partitioner', () => {
  it('hashes like org.apache.kafka.common.utils.Utils.murmur2 (vectors from Kafka UtilsTest)', () => {
    expect(murmur2(Buffer.from('21'))).toBe(-973932308);
    expect(murmur2(Buffer.from('foobar'))).toBe(-790332482);
    expect(murmur2(Buffer.from('a-little-bit-long-string'))).toBe(-985981536);
    expect(murmur2(Buffer.from('a-little-bit-longer-string'))).toBe(-1486304829);
    expect(murmur2(Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'))).toBe(-58897971);
    expect(murmur2(Buffer.from([0x61, 0x62, 0x63]))).toBe(479470107);
  });

  it('maps a key to the positive hash modulo the partition count', () => {
    // murmur2("a") = -1563381124; & 0x7fffffff = 584102524; % 6 = 4
    expect(partitionForKey(Buffer.from('a'), 6)).toBe(4);
    expect(partitionForKey(Buffer.from('21'), 6)).toBe(0);
    expect(partitionForKey(Buffer.from('a-little-bit-longer-string'), 6)).toBe(5);
    expect(partitionForKey(Buffer.alloc(0), 6)).toBe(3);
  });
});
