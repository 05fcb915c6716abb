import type { Admin } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkajsAdmin } from '../../../src/kafka/kafkajs/admin.js';

type TopicOffsets = Awaited<ReturnType<Admin['fetchTopicOffsets']>>;

/** A kafkajs admin stand-in whose fetchTopicOffsets answers with each of `answers` in turn. */
function fakeAdmin(answers: (TopicOffsets | Error)[]): { admin: Admin; calls: () => number } {
  let calls = 0;
  const fetchTopicOffsets = async (): Promise<TopicOffsets> => {
    const answer = answers[Math.min(calls++, answers.length - 1)]!;
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { admin: { fetchTopicOffsets } as unknown as Admin, calls: () => calls };
}

const offsets = (...partitions: number[]): TopicOffsets =>
  partitions.map((partition) => ({ partition, offset: '7', high: '7', low: '2' }));

describe('KafkajsAdmin.listOffsets while leaders are being elected', () => {
  it('retries until every asked partition has a leader (kafkajs throws a TypeError or leaves partitions out)', async () => {
    // What kafkajs does when no partition of the topic has a leader (a broker died, a topic is new).
    const noLeaders = new TypeError(
      "Cannot destructure property 'partitions' of 'high.pop(...)' as it is undefined.",
    );
    const { admin, calls } = fakeAdmin([noLeaders, offsets(0), offsets(0, 1)]);
    const result = await new KafkajsAdmin(admin).listOffsets([
      { topic: 'changelog', partition: 0 },
      { topic: 'changelog', partition: 1 },
    ]);
    expect(result).toEqual([
      { topic: 'changelog', partition: 0, begin: '2', end: '7' },
      { topic: 'changelog', partition: 1, begin: '2', end: '7' },
    ]);
    expect(calls()).toBe(3);
  });

  it('fails naming the partitions once a leader never appears', async () => {
    const { admin } = fakeAdmin([offsets(0)]);
    await expect(new KafkajsAdmin(admin).listOffsets([{ topic: 'changelog', partition: 3 }])).rejects.toThrow(
      /No leader for \(or no such partition\) changelog-3/,
    );
  }, 60_000);
});
