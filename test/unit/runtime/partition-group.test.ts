import { describe, expect, it } from 'vitest';
import type { ConsumedBatch } from '../../../src/kafka/index.js';
import { LAGGING_PARTITION_WAIT_MS, PartitionGroup } from '../../../src/runtime/partition-group.js';

const A = { topic: 'left', partition: 0 };
const B = { topic: 'right', partition: 0 };

/** A batch of records at `timestamps`, from `first`, fetched with the high watermark `hw`. */
function batch(
  tp: typeof A,
  first: number,
  timestamps: number[],
  hw = first + timestamps.length,
): ConsumedBatch {
  return {
    ...tp,
    highWatermark: String(hw),
    nextOffset: String(first + timestamps.length),
    messages: timestamps.map((timestamp, i) => ({
      offset: String(first + i),
      key: null,
      value: Buffer.from(`${tp.topic}-${first + i}`),
      timestamp,
      headers: {},
    })),
  };
}

/** Takes records while the group allows, as `topic@offset`. */
function drain(group: PartitionGroup, now = 0): string[] {
  const out: string[] = [];
  for (let q = group.nextQueue(now); q !== undefined; q = group.nextQueue(now)) {
    out.push(`${q.topic}@${q.messages[q.head++]!.offset}`);
  }
  return out;
}

describe('PartitionGroup', () => {
  it('merges the partitions by timestamp, whichever batch came first', () => {
    const group = new PartitionGroup([A, B], 0);
    group.add(batch(A, 0, [10, 30, 50]));
    group.add(batch(B, 0, [20, 40, 60]));
    expect(drain(group)).toEqual(['left@0', 'right@0', 'left@1', 'right@1', 'left@2', 'right@2']);
    expect(group.isEmpty).toBe(true);
    expect(group.caughtUp).toBe(true);
  });

  it('waits for an empty partition known to lag, then processes anyway after the limit', () => {
    const group = new PartitionGroup([A, B], 0);
    group.add(batch(A, 0, [10, 20, 30]));
    // B's fetch stopped at offset 1 of a log that ends at 5: more of B is on its way.
    group.add(batch(B, 0, [15], 5));
    expect(drain(group, 1_000)).toEqual(['left@0', 'right@0']);
    expect(group.caughtUp).toBe(false);
    expect(drain(group, 1_000 + LAGGING_PARTITION_WAIT_MS - 1)).toEqual([]);
    expect(drain(group, 1_000 + LAGGING_PARTITION_WAIT_MS)).toEqual(['left@1', 'left@2']);
  });

  it('does not wait for an empty partition that was read to its end', () => {
    const group = new PartitionGroup([A, B], 0);
    group.add(batch(B, 0, [5]));
    group.add(batch(A, 0, [10, 20]));
    expect(drain(group)).toEqual(['right@0', 'left@0', 'left@1']);
  });

  it('waits for a partition not fetched yet that is known to have records', () => {
    const group = new PartitionGroup([A, B], 0);
    group.setLagging(B.topic, B.partition, true);
    group.add(batch(A, 0, [10, 20]));
    expect(drain(group, 0)).toEqual([]);
    group.add(batch(B, 0, [5, 15]));
    expect(drain(group, 0)).toEqual(['right@0', 'left@0', 'right@1', 'left@1']);
  });

  it('resumes the merge when the lagging partition delivers', () => {
    const group = new PartitionGroup([A, B], 0);
    group.add(batch(A, 0, [10, 30, 50]));
    group.add(batch(B, 0, [20], 3));
    expect(drain(group)).toEqual(['left@0', 'right@0']);
    group.add(batch(B, 1, [40, 60]));
    expect(drain(group)).toEqual(['left@1', 'right@1', 'left@2', 'right@2']);
  });

  it('never waits with maxIdleMs -1, and waits for any empty partition with maxIdleMs > 0', () => {
    const eager = new PartitionGroup([A, B], -1);
    eager.add(batch(A, 0, [10, 20]));
    eager.add(batch(B, 0, [5], 9));
    expect(drain(eager)).toEqual(['right@0', 'left@0', 'left@1']);

    const patient = new PartitionGroup([A, B], 500);
    patient.add(batch(A, 0, [10, 20]));
    expect(drain(patient, 100)).toEqual([]);
    expect(drain(patient, 599)).toEqual([]);
    expect(drain(patient, 600)).toEqual(['left@0', 'left@1']);
  });

  it('buffers only the records it is given, ignores foreign partitions and clears on demand', () => {
    const group = new PartitionGroup([A, B], -1);
    const fetched = batch(A, 0, [10, 20, 30]);
    const queue = group.add(fetched, fetched.messages.slice(1))!;
    expect(PartitionGroup.pending(queue)).toBe(2);
    expect(group.add(batch({ topic: 'other', partition: 0 }, 0, [1]))).toBeUndefined();
    expect(drain(group)).toEqual(['left@1', 'left@2']);
    group.add(batch(A, 3, [40]));
    // Processed records are dropped from the buffer when the next batch comes.
    expect(queue.messages).toHaveLength(1);
    group.clear();
    expect(group.isEmpty).toBe(true);
    expect(drain(group)).toEqual([]);
  });
});
