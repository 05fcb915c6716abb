import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KafkaStreams, StreamsMetric } from '../../src/index.js';
import { createKafkaClient } from '../../src/kafka/index.js';
import { describeWithKafka, kafkaBrokers, uniqueTopic } from './support/kafka.js';
import { produceLines, readCounts, sameCounts, waitUntil, wordCountApp } from './support/word-count-app.js';

const dirs: string[] = [];
const apps: KafkaStreams[] = [];

function total(metrics: StreamsMetric[], name: string, taskPrefix: string): number {
  return metrics
    .filter((m) => m.name === name && String(m.tags['task-id'] ?? '').startsWith(taskPrefix))
    .reduce((n, m) => n + m.value, 0);
}

describeWithKafka('metrics and HTTP on a real broker', () => {
  let brokers: string[];
  beforeAll(() => {
    brokers = kafkaBrokers();
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('reports processed records, zero lag and store operations, in the snapshot and over HTTP', async () => {
    const input = uniqueTopic('obs-lines');
    const output = uniqueTopic('obs-counts');
    const kafka = createKafkaClient({ brokers });
    const admin = await kafka.admin();
    await admin.createTopics([
      { topic: input, partitions: 2 },
      { topic: output, partitions: 2 },
    ]);
    await admin.close();
    await kafka.close();
    const dir = await mkdtemp(join(tmpdir(), 'trib-obs-'));
    dirs.push(dir);
    const metricsRegistry = new Registry();
    const app = wordCountApp(input, output, {
      applicationId: uniqueTopic('obs-app'),
      brokers,
      stateDir: dir,
      http: { port: 0 },
      metricsRegistry,
    });
    apps.push(app);
    await app.start();
    const base = `http://${app.httpAddress!.host}:${app.httpAddress!.port}`;
    const truth = await produceLines(brokers, input, 200);
    const words = [...truth.values()].reduce((a, b) => a + b, 0);
    await waitUntil(async () => sameCounts(await readCounts(brokers, output), truth), 60_000, 'counts');
    // Sub-topology 0 reads the 200 lines, sub-topology 1 the words they split into.
    await waitUntil(async () => total(app.metrics(), 'process-total', '1_') === words, 30_000, 'metrics');
    const metrics = app.metrics();
    expect(total(metrics, 'process-total', '0_')).toBe(200);
    const lag = metrics.filter((m) => m.name === 'records-lag' && m.tags.topic === input);
    expect(lag.map((m) => m.tags.partition).sort()).toEqual(['0', '1']);
    expect(lag.every((m) => m.value === 0)).toBe(true);
    expect(total(metrics, 'put-total', '1_')).toBe(words);

    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { state: string }).state).toBe('RUNNING');
    const scrape = await (await fetch(`${base}/metrics`)).text();
    const processed = [...scrape.matchAll(/^tributary_process_total\{[^}]*task_id="0_\d"[^}]*\} (\d+)$/gm)];
    expect(processed.map((m) => Number(m[1])).reduce((a, b) => a + b, 0)).toBe(200);
    expect(await metricsRegistry.metrics()).toContain('tributary_records_lag');
    const tasks = (await (await fetch(`${base}/api/tasks`)).json()) as { taskId: string }[];
    expect(tasks.map((t) => t.taskId)).toEqual(['0_0', '0_1', '1_0', '1_1']);

    await app.close();
    expect((await fetch(`${base}/health`).catch(() => undefined))?.status ?? 'closed').not.toBe(200);
  });
});
