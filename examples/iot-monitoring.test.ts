import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KafkaStreams, Serdes, type StreamsEvent } from '../src/index.js';
import { createEmbeddedKafka, type EmbeddedKafka } from '../src/kafka/index.js';
import { TopologyTestDriver } from '../src/testing/index.js';
import {
  ALERTS_TOPIC,
  buildIotTopology,
  READINGS_TOPIC,
  TEMPERATURE_STORE,
  type Alert,
  type Reading,
  type TemperatureSum,
} from './iot-monitoring.js';

const SECOND = 1_000;
const reading = (deviceId: string, temperature: number, seconds: number): Reading => ({
  deviceId,
  temperature,
  ts: seconds * SECOND,
});

describe('IoT monitoring on the TopologyTestDriver', () => {
  it('alerts on windows whose average temperature exceeds the threshold, by event time', () => {
    const driver = new TopologyTestDriver(buildIotTopology(), { applicationId: 'iot' });
    const readings = driver.createInputTopic(READINGS_TOPIC, Serdes.string(), Serdes.json<Reading>());
    const alerts = driver.createOutputTopic(ALERTS_TOPIC, Serdes.string(), Serdes.json<Alert>());
    const send = (r: Reading) => readings.pipeInput(r.deviceId, r);

    // 1 min windows starting every 10 s: a reading at t falls in the windows starting at
    // 0, 10 s, … up to t (at most six). Event time comes from `ts`, not the record timestamp.
    send(reading('d1', 70, 0)); //  [0, 60 s): 70                 → no alert
    expect(alerts.isEmpty()).toBe(true);
    send(reading('d1', 95, 5)); //  [0, 60 s): (70 + 95) / 2 = 82.5 → alert
    send(reading('d2', 60, 5)); //  another device                 → no alert
    send(reading('d1', 50, 12)); // [0, 60 s): 71.7; [10 s, 70 s): 50 → no alert
    expect(alerts.readKeyValuesToList()).toEqual([
      {
        key: 'd1',
        value: { deviceId: 'd1', windowStart: 0, windowEnd: 60_000, averageTemperature: 82.5, readings: 2 },
      },
    ]);

    send(reading('d2', 100, 25)); // [0..20 s] windows: d2 (60 + 100) / 2 = 80 in [0, 60 s) (not above 80); 100 in [10 s, 70 s) and [20 s, 80 s)
    expect(alerts.readValuesToList().map((a) => [a.windowStart, a.averageTemperature])).toEqual([
      [10_000, 100],
      [20_000, 100],
    ]);
    const store = driver.getWindowStore<string, TemperatureSum>(TEMPERATURE_STORE);
    expect(store.fetch('d1', 0)).toEqual({ sum: 215, count: 3 });
    expect(store.persistent).toBe(false);
    driver.close();
  });

  it('drops readings later than the grace period', () => {
    const driver = new TopologyTestDriver(buildIotTopology(), { applicationId: 'iot' });
    const readings = driver.createInputTopic(READINGS_TOPIC, Serdes.string(), Serdes.json<Reading>());
    const alerts = driver.createOutputTopic(ALERTS_TOPIC, Serdes.string(), Serdes.json<Alert>());
    readings.pipeInput('d1', reading('d1', 20, 0));
    readings.pipeInput('d1', reading('d1', 20, 75)); // stream time 75 s: [0, 60 s) closes at 70 s
    readings.pipeInput('d1', reading('d1', 500, 1)); // only window [0, 60 s), closed → dropped
    expect(alerts.isEmpty()).toBe(true);
    const store = driver.getWindowStore<string, TemperatureSum>(TEMPERATURE_STORE);
    expect(store.metrics().droppedRecords).toBe(1);
    // The window store keeps size + grace (70 s), as Kafka Streams' in-memory store: at 75 s the
    // windows from 20 s on are live and [0, 60 s) has been dropped.
    expect(store.fetch('d1', 0)).toBeUndefined();
    expect(store.fetch('d1', 20_000)).toEqual({ sum: 20, count: 1 });
    driver.close();
  });
});

describe('IoT monitoring on the embedded broker', () => {
  const APP_ID = 'iot-restart';
  let kafka: EmbeddedKafka;
  let stateDir: string;
  const running: KafkaStreams[] = [];

  afterEach(async () => {
    await Promise.all(running.splice(0).map((app) => app.close()));
    await kafka.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  /** Starts the app on `stateDir`, recording restore events from before `start()`. */
  async function startApp(): Promise<{ app: KafkaStreams; restoreEvents: StreamsEvent[] }> {
    const app = new KafkaStreams(buildIotTopology(), {
      applicationId: APP_ID,
      kafka,
      stateDir,
      commitIntervalMs: 50,
      sessionTimeoutMs: 1_500,
      heartbeatIntervalMs: 100,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    running.push(app);
    const restoreEvents: StreamsEvent[] = [];
    app.events$.subscribe((e) => {
      if (e.type.startsWith('restore-')) restoreEvents.push(e);
    });
    await app.start();
    return { app, restoreEvents };
  }

  async function produce(...readings: Reading[]): Promise<void> {
    const producer = await kafka.producer();
    await producer.send(
      readings.map((r) => ({
        topic: READINGS_TOPIC,
        key: Buffer.from(r.deviceId),
        value: Buffer.from(JSON.stringify(r)),
        timestamp: r.ts,
      })),
    );
    await producer.close();
  }

  /** Every alert on the topic so far, in partition then offset order. */
  async function readAlerts(): Promise<Alert[]> {
    const admin = await kafka.admin();
    const ends = await admin.listOffsets([0, 1].map((partition) => ({ topic: ALERTS_TOPIC, partition })));
    await admin.close();
    const ranges = ends.filter((e) => BigInt(e.end) > BigInt(e.begin));
    const alerts: Alert[] = [];
    if (ranges.length === 0) return alerts;
    const reader = kafka.partitionReader({
      groupIdPrefix: 'iot-verify',
      partitions: ranges.map((e) => ({
        topic: ALERTS_TOPIC,
        partition: e.partition,
        fromOffset: e.begin,
        untilOffset: e.end,
      })),
    });
    await reader.run({
      eachBatch: async (batch) => {
        for (const m of batch.messages) alerts.push(JSON.parse(m.value!.toString()) as Alert);
      },
    });
    await reader.close();
    return alerts;
  }

  async function waitForAlerts(count: number): Promise<Alert[]> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const alerts = await readAlerts();
      if (alerts.length >= count || Date.now() > deadline) return alerts;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('is restart-safe: a clean restart on the same state dir restores nothing and keeps its windows', async () => {
    kafka = createEmbeddedKafka();
    stateDir = await mkdtemp(join(tmpdir(), 'tributary-iot-test-'));
    const admin = await kafka.admin();
    await admin.createTopics([
      { topic: READINGS_TOPIC, partitions: 2 },
      { topic: ALERTS_TOPIC, partitions: 2 },
    ]);
    await admin.close();

    const first = await startApp();
    await produce(reading('hot', 100, 0), reading('cool', 20, 0));
    expect(await waitForAlerts(1)).toEqual([
      { deviceId: 'hot', windowStart: 0, windowEnd: 60_000, averageTemperature: 100, readings: 1 },
    ]);
    await first.app.close();
    // A running app keeps windowed aggregates in a persistent (level) window store by default.
    const taskDirs = [join(stateDir, APP_ID, '0_0'), join(stateDir, APP_ID, '0_1')];
    const storeDirs = await Promise.all(
      taskDirs.map((dir) =>
        stat(join(dir, TEMPERATURE_STORE)).then(
          (s) => s.isDirectory(),
          () => false,
        ),
      ),
    );
    expect(storeDirs.some(Boolean)).toBe(true);

    const second = await startApp();
    expect(second.restoreEvents.filter((e) => e.type === 'restore-start')).toEqual([]);
    expect(
      second.restoreEvents.reduce((n, e) => n + (e.type === 'restore-end' ? e.totalRestored : 0), 0),
    ).toBe(0);

    // 'cool' had 20 in [0, 60 s) before the restart: (20 + 150) / 2 = 85 proves it was kept
    // (a lost window would report 150 over 1 reading). 'hot' drops to (100 + 40) / 2 = 70.
    await produce(reading('cool', 150, 1), reading('hot', 40, 2));
    const alerts = await waitForAlerts(2);
    expect(alerts.filter((a) => a.deviceId === 'cool')).toEqual([
      { deviceId: 'cool', windowStart: 0, windowEnd: 60_000, averageTemperature: 85, readings: 2 },
    ]);
    // Nothing more arrives for 'hot'.
    await new Promise((r) => setTimeout(r, 300));
    expect(await readAlerts()).toHaveLength(2);
  });
});
