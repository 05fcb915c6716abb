import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmbeddedKafka } from '../../../../src/kafka/index.js';
import type { KafkaStreams } from '../../../../src/index.js';
import { ConfigError } from '../../../../src/errors.js';
import { HttpServer } from '../../../../src/runtime/http/server.js';
import { healthView } from '../../../../src/runtime/http/views.js';
import {
  createTopics,
  INPUT,
  OUTPUT,
  produceLines,
  readCounts,
  removeTempDirs,
  sameCounts,
  tempStateDir,
  waitUntil,
  wordCountApp,
  wordCountTopology,
} from '../support/embedded-app.js';

const apps: KafkaStreams[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  await removeTempDirs();
});

async function runningApp(config: Parameters<typeof wordCountApp>[2]) {
  const kafka = createEmbeddedKafka();
  await createTopics(kafka, [
    { topic: INPUT, partitions: 4 },
    { topic: OUTPUT, partitions: 4 },
  ]);
  const app = wordCountApp(kafka, await tempStateDir(), config);
  apps.push(app);
  await app.start();
  const address = app.httpAddress;
  return { kafka, app, base: address === undefined ? '' : `http://${address.host}:${address.port}` };
}

/** Reads server-sent events until `enough` says stop. */
async function readEvents(
  url: string,
  enough: (events: { event: string; data: any }[]) => boolean,
): Promise<{ event: string; data: any }[]> {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const events: { event: string; data: any }[] = [];
  let buffer = '';
  while (!enough(events)) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)![1]!;
      events.push({ event, data: JSON.parse(/^data: (.*)$/m.exec(block)![1]!) });
    }
  }
  controller.abort();
  return events;
}

describe('the HTTP server (config http)', () => {
  it('serves health, Prometheus metrics, topology, tasks, the live view and its events', async () => {
    const metricsRegistry = new Registry();
    const { kafka, base } = await runningApp({ http: { port: 0 }, metricsRegistry });
    const truth = await produceLines(kafka, 40);
    await waitUntil(async () => sameCounts(await readCounts(kafka), truth), 'every count', 30_000);

    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({
      state: 'RUNNING',
      tasks: { active: 8, standby: 0, restoring: 0, running: 8 },
    });

    await waitUntil(
      async () => (await (await fetch(`${base}/metrics`)).text()).includes('task_id="0_3"'),
      'task metrics in the scrape',
      30_000,
    );
    const scrape = await fetch(`${base}/metrics`);
    expect(scrape.headers.get('content-type')).toContain('text/plain');
    const text = await scrape.text();
    expect(text).toContain('# TYPE tributary_process_total gauge');
    const processed = [...text.matchAll(/^tributary_process_total\{[^}]*task_id="0_\d"[^}]*\} (\d+)$/gm)];
    expect(processed.map((m) => Number(m[1])).reduce((a, b) => a + b, 0)).toBe(40);
    expect(text).toMatch(/^tributary_records_lag\{[^}]*topic="lines",partition="\d"[^}]*\} 0$/m);
    expect(text).toMatch(/^tributary_put_total\{task_id="1_\d",store="counts"\} \d+$/m);
    // The same gauges are in the user's registry.
    expect(await metricsRegistry.metrics()).toContain('tributary_process_rate');

    const topology = (await (await fetch(`${base}/api/topology`)).json()) as any;
    expect(topology.subtopologies.map((s: { id: number }) => s.id)).toEqual([0, 1]);
    expect(topology.text).toBe(wordCountTopology().describe().toString());

    const tasks = (await (await fetch(`${base}/api/tasks`)).json()) as any;
    expect(tasks.map((t: { taskId: string }) => t.taskId)).toEqual([
      '0_0',
      '0_1',
      '0_2',
      '0_3',
      '1_0',
      '1_1',
      '1_2',
      '1_3',
    ]);
    expect(
      tasks
        .filter((t: { taskId: string }) => t.taskId.startsWith('0_'))
        .reduce((n: number, t: { processTotal: number }) => n + t.processTotal, 0),
    ).toBe(40);
    expect(tasks[0].partitions).toEqual([{ topic: 'lines', partition: 0, lag: 0 }]);

    const page = await fetch(`${base}/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('EventSource');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/); // nothing fetched from elsewhere

    const events = await readEvents(`${base}/api/events`, (e) => e.some((x) => x.event === 'live'));
    const live = events.find((e) => e.event === 'live')!.data;
    expect(live.health.state).toBe('RUNNING');
    expect(live.tasks).toHaveLength(8);
    expect(live.recent.some((r: { type: string }) => r.type === 'rebalance')).toBe(true);

    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/health`, { method: 'POST' })).status).toBe(405);
  }, 60_000);

  it('answers 503 from /health while the app is not RUNNING, and closes with the app', async () => {
    const quiet = { debug() {}, info() {}, warn() {}, error() {} };
    const app = wordCountTopology();
    const server = await HttpServer.start(
      {
        health: () => healthView('REBALANCING', []),
        tasks: () => [],
        topology: () => app.describe(),
        live: () => ({ at: 0, health: healthView('REBALANCING', []), tasks: [], restores: [], recent: [] }),
        onRecent: () => () => {},
        prometheus: async () => undefined,
        lookup: async () => ({ status: 404, body: {} }),
      },
      { port: 0 },
      quiet,
    );
    const base = `http://127.0.0.1:${server.address.port}`;
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({
      state: 'REBALANCING',
      tasks: { active: 0, standby: 0, restoring: 0, running: 0 },
    });
    // Without prom-client, /metrics says what to install.
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(503);
    expect(await metrics.text()).toContain('npm install prom-client');
    await server.close();

    const running = await runningApp({ http: { port: 0 } });
    expect((await fetch(`${running.base}/health`)).status).toBe(200);
    await running.app.close();
    await expect(fetch(`${running.base}/health`)).rejects.toThrow();
  }, 60_000);

  it('rejects a bad http config and a second app registering into the same registry', async () => {
    const kafka = createEmbeddedKafka();
    expect(() => wordCountApp(kafka, 'x', { http: { port: -1 } })).toThrow(/http\.port/);
    expect(() => wordCountApp(kafka, 'x', { metricsRegistry: {} as never })).toThrow(ConfigError);
    const metricsRegistry = new Registry();
    await runningApp({ metricsRegistry });
    const second = wordCountApp(kafka, await tempStateDir(), { metricsRegistry });
    await expect(second.start()).rejects.toThrow(/already holds tributary_/);
    await second.close();
  }, 60_000);
});
