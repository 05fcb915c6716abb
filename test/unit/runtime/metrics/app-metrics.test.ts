import { afterEach, describe, expect, it } from 'vitest';
import { createEmbeddedKafka } from '../../../../src/kafka/index.js';
import {
  KafkaStreams,
  Serdes,
  StreamsBuilder,
  TimeWindows,
  type ProcessorContext,
  type StreamsMetric,
} from '../../../../src/index.js';
import {
  createTopics,
  INPUT,
  OUTPUT,
  produceLines,
  readCounts,
  removeTempDirs,
  sameCounts,
  tempStateDir,
  quietLogger,
  waitUntil,
  wordCountApp,
} from '../support/embedded-app.js';

const apps: KafkaStreams[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  await removeTempDirs();
});

function sum(
  metrics: StreamsMetric[],
  name: string,
  where: (tags: Record<string, string>) => boolean,
): number {
  return metrics
    .filter((m) => m.name === name && where(m.tags as Record<string, string>))
    .reduce((n, m) => n + m.value, 0);
}

const subtopology = (id: string) => (tags: Record<string, string>) =>
  tags['task-id']?.startsWith(`${id}_`) ?? false;
const threadLevel = (tags: Record<string, string>) => tags['task-id'] === undefined;

describe('app.metrics()', () => {
  it('counts processed records per task and thread, lag, commits and store operations of a word count', async () => {
    const kafka = createEmbeddedKafka();
    await createTopics(kafka, [
      { topic: INPUT, partitions: 4 },
      { topic: OUTPUT, partitions: 4 },
    ]);
    // 100 lines of 3 words from 17 distinct words (w0..w16).
    const truth = await produceLines(kafka, 100);
    const app = wordCountApp(kafka, await tempStateDir());
    apps.push(app);
    await app.start();
    await waitUntil(async () => sameCounts(await readCounts(kafka), truth), 'every count', 30_000);
    await waitUntil(
      () => sum(app.metrics(), 'process-total', subtopology('1')) === 300,
      'the repartitioned words processed',
      30_000,
    );
    const metrics = app.metrics();
    expect(metrics.find((m) => m.name === 'process-total' && threadLevel(m.tags))?.group).toBe(
      'stream-thread-metrics',
    );
    // Sub-topology 0 reads the 100 lines; sub-topology 1 the 300 words they split into.
    expect(sum(metrics, 'process-total', subtopology('0'))).toBe(100);
    expect(sum(metrics, 'process-total', subtopology('1'))).toBe(300);
    expect(sum(metrics, 'process-total', threadLevel)).toBe(400);
    expect(sum(metrics, 'process-rate', threadLevel)).toBeGreaterThan(0);
    expect(sum(metrics, 'process-latency-avg', threadLevel)).toBeGreaterThanOrEqual(0);
    // Every input partition is drained: no lag on the source topic.
    const lag = metrics.filter((m) => m.name === 'records-lag' && m.tags.topic === INPUT);
    expect(lag.map((m) => m.tags.partition).sort()).toEqual(['0', '1', '2', '3']);
    expect(lag.every((m) => m.value === 0)).toBe(true);
    expect(metrics.find((m) => m.name === 'records-lag')?.group).toBe('consumer-fetch-manager-metrics');
    expect(sum(metrics, 'commit-total', threadLevel)).toBeGreaterThan(0);
    expect(sum(metrics, 'commit-latency-max', threadLevel)).toBeGreaterThanOrEqual(0);
    // count(): one read and one write of the store per word.
    const counts = (tags: Record<string, string>) => tags.store === 'counts';
    expect(sum(metrics, 'get-total', counts)).toBe(300);
    expect(sum(metrics, 'put-total', counts)).toBe(300);
    // Each of the 17 words misses the cache once (its first read), every later read hits.
    const misses = metrics
      .filter((m) => m.name === 'hit-ratio' && m.tags.store === 'counts')
      .map((m) => {
        const gets = sum(
          metrics,
          'get-total',
          (t) => t.store === 'counts' && t['task-id'] === m.tags['task-id'],
        );
        return Math.round(gets * (1 - (Number.isNaN(m.value) ? 1 : m.value)));
      })
      .reduce((a, b) => a + b, 0);
    expect(misses).toBe(17);
    expect(metrics.find((m) => m.name === 'active-tasks')?.value).toBe(8);
    expect(metrics.filter((m) => m.name === 'dropped-records-total')).toEqual([]);

    // More input: the thread-level total follows.
    await produceLines(kafka, 10, 100);
    await waitUntil(
      () => sum(app.metrics(), 'process-total', subtopology('0')) === 110,
      'the new lines processed',
      30_000,
    );
  }, 60_000);

  it('counts punctuator calls and late records dropped by a windowed count', async () => {
    const kafka = createEmbeddedKafka();
    await createTopics(kafka, [
      { topic: 'events', partitions: 1 },
      { topic: 'ticks', partitions: 1 },
      { topic: 'windowed', partitions: 1 },
    ]);
    const fired: number[] = [];
    const b = new StreamsBuilder();
    const events = b.stream('events', { key: Serdes.string(), value: Serdes.string() });
    events
      .process<string, string>(() => {
        let ctx: ProcessorContext<string, string>;
        return {
          init: (c) => {
            ctx = c;
            c.schedule(10, 'stream-time', (ts) => {
              fired.push(ts);
              ctx.forward({ key: 'tick', value: String(ts) });
            });
          },
          process: () => {},
        };
      })
      .to('ticks', { key: Serdes.string(), value: Serdes.string() });
    events
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .count({ name: 'per-window' })
      .toStream()
      .to('windowed', { key: Serdes.windowed(Serdes.string()), value: Serdes.long() });
    const app = new KafkaStreams(b.build(), {
      applicationId: 'punctuate-and-drop',
      kafka,
      stateDir: await tempStateDir(),
      commitIntervalMs: 50,
      logger: quietLogger,
    });
    apps.push(app);
    await app.start();
    const producer = await kafka.producer();
    // Stream time 5 → 25 → 45; the record at 12 falls in window [10, 20), closed once time is 45.
    await producer.send(
      [5, 25, 45, 12].map((timestamp, i) => ({
        topic: 'events',
        key: Buffer.from('k'),
        value: Buffer.from(String(i)),
        timestamp,
      })),
    );
    await producer.close();
    await waitUntil(() => sum(app.metrics(), 'process-total', threadLevel) === 4, 'all four records', 30_000);
    const metrics = app.metrics();
    expect(fired.length).toBeGreaterThan(0);
    expect(sum(metrics, 'punctuate-total', threadLevel)).toBe(fired.length);
    expect(sum(metrics, 'punctuate-total', (t) => t['task-id'] === '0_0')).toBe(fired.length);
    const dropped = metrics.filter((m) => m.name === 'dropped-records-total');
    expect(dropped.map((m) => [m.tags['task-id'], m.tags.reason, m.value])).toEqual([
      ['0_0', 'late-window', 1],
    ]);
  }, 60_000);
});
