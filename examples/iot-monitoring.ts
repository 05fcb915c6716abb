/**
 * IoT monitoring: temperature readings from devices are averaged per device over one-minute
 * windows that start every ten seconds, and every window whose average exceeds a threshold raises
 * an alert. Test it with `examples/iot-monitoring.test.ts`; run it with
 * `npx tsx examples/iot-monitoring.ts` (embedded broker) or with `KAFKA_BROKERS=host:port` set.
 *
 * ```
 * sensor-readings ─▶ per device, 1 min windows every 10 s ─▶ sum + count ─▶ average > threshold ─▶ alerts
 *                    (event time = reading.ts)                (window store, persistent in an app)
 * ```
 *
 * Alerts are not suppressed: a window raises an alert as soon as its average crosses the
 * threshold, rather than after the window closes (end + grace, which in a quiet partition may be
 * never). The price is that a window updated while above the threshold alerts again, with the new
 * average; consumers treat `(deviceId, windowStart)` as the alert's identity.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  embeddedKafka,
  KafkaStreams,
  Serdes,
  StreamsBuilder,
  TimeWindows,
  type Logger,
  type Topology,
} from '../src/index.js';
import { createKafkaClient, type KafkaClient, type PartitionReader } from '../src/kafka/index.js';

/** Input: one reading per record, keyed by device id. */
export const READINGS_TOPIC = 'sensor-readings';
/** Output: alerts keyed by device id. */
export const ALERTS_TOPIC = 'alerts';
/** The window store of `{ sum, count }` per device and window. */
export const TEMPERATURE_STORE = 'temperature-per-minute';

export const WINDOW_MS = 60_000;
export const ADVANCE_MS = 10_000;
/** How late (in event time) a reading may arrive and still count in its windows. */
export const GRACE_MS = 10_000;
export const DEFAULT_THRESHOLD = 80;

export interface Reading {
  readonly deviceId: string;
  readonly temperature: number;
  /** Event time (epoch ms): the windows a reading falls in are decided by it. */
  readonly ts: number;
}

/** The running aggregate of one window. */
export interface TemperatureSum {
  readonly sum: number;
  readonly count: number;
}

export interface Alert {
  readonly deviceId: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly averageTemperature: number;
  readonly readings: number;
}

/**
 * readings → per device, hopping one-minute windows → `{ sum, count }` → average over
 * `threshold` → `alerts`.
 *
 * @example
 * ```ts
 * const driver = new TopologyTestDriver(buildIotTopology(), { applicationId: 'iot' });
 * ```
 */
export function buildIotTopology(options: { threshold?: number } = {}): Topology {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const builder = new StreamsBuilder();
  builder
    .stream(READINGS_TOPIC, {
      key: Serdes.string(),
      value: Serdes.json<Reading>(),
      timestampExtractor: (record) => (record.value as Reading).ts,
    })
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW_MS, GRACE_MS).advanceBy(ADVANCE_MS))
    .aggregate(
      (): TemperatureSum => ({ sum: 0, count: 0 }),
      (_deviceId, reading, total) => ({ sum: total.sum + reading.temperature, count: total.count + 1 }),
      { name: TEMPERATURE_STORE, materialized: { value: Serdes.json<TemperatureSum>() } },
    )
    .toStream()
    .filter((_, total): total is TemperatureSum => total !== null && total.sum / total.count > threshold)
    .map((windowed, total) => [
      windowed.key,
      {
        deviceId: windowed.key,
        windowStart: windowed.window.start,
        windowEnd: windowed.window.end,
        averageTemperature: total.sum / total.count,
        readings: total.count,
      } satisfies Alert,
    ])
    .to(ALERTS_TOPIC, { key: Serdes.string(), value: Serdes.json<Alert>() });
  return builder.build();
}

/** Three devices, one reading each every 10 s over three minutes of event time; `boiler-2` overheats for 40 s. */
export function sampleReadings(startMs: number): Reading[] {
  const readings: Reading[] = [];
  for (let second = 0; second < 180; second += 10) {
    const ts = startMs + second * 1_000;
    const overheating = second >= 60 && second < 100;
    readings.push({ deviceId: 'boiler-1', temperature: 65 + (second % 20) / 4, ts });
    readings.push({ deviceId: 'boiler-2', temperature: overheating ? 92 + (second % 10) : 70, ts });
    readings.push({ deviceId: 'freezer-1', temperature: -18, ts });
  }
  return readings;
}

const PARTITIONS = 2;
/** How long to wait after the last alert before closing. */
const SETTLE_MS = 1_500;

const logger: Logger = {
  debug() {},
  info() {},
  warn: (fields, message) => console.error(`[warn] ${message ?? ''} ${JSON.stringify(fields)}`),
  error: (fields, message) => console.error(`[error] ${message ?? ''} ${JSON.stringify(fields)}`),
};

async function printAlerts(kafka: KafkaClient, onAlert: () => void): Promise<PartitionReader> {
  const admin = await kafka.admin();
  const ends = await admin.listOffsets(
    Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: ALERTS_TOPIC, partition })),
  );
  await admin.close();
  const reader = kafka.partitionReader({
    groupIdPrefix: 'iot-monitoring-printer',
    partitions: ends.map((e) => ({ topic: ALERTS_TOPIC, partition: e.partition, fromOffset: e.end })),
  });
  void reader.run({
    eachBatch: async (batch) => {
      for (const m of batch.messages) {
        const alert = JSON.parse(m.value?.toString() ?? '{}') as Alert;
        const window = `${new Date(alert.windowStart).toISOString().slice(11, 19)}–${new Date(alert.windowEnd).toISOString().slice(11, 19)}`;
        console.log(
          `  ALERT ${alert.deviceId.padEnd(10)} ${window}  avg ${alert.averageTemperature.toFixed(1)} °C over ${alert.readings} readings`,
        );
        onAlert();
      }
    },
  });
  return reader;
}

async function main(): Promise<void> {
  const brokers = process.env.KAFKA_BROKERS?.split(',').filter((b) => b.length > 0);
  const cluster = brokers !== undefined && brokers.length > 0 ? createKafkaClient({ brokers }) : undefined;
  const kafka: KafkaClient = cluster ?? embeddedKafka();
  console.log(
    cluster
      ? `IoT monitoring on the Kafka cluster at ${brokers!.join(',')}`
      : 'IoT monitoring on the in-process embedded broker (set KAFKA_BROKERS to use a cluster)',
  );
  const admin = await kafka.admin();
  await admin.createTopics([
    { topic: READINGS_TOPIC, partitions: PARTITIONS },
    { topic: ALERTS_TOPIC, partitions: PARTITIONS },
  ]);
  await admin.close();

  // The embedded broker dies with this process, so its local state must too.
  const stateDir = cluster ? undefined : await mkdtemp(join(tmpdir(), 'tributary-iot-'));
  const app = new KafkaStreams(buildIotTopology(), {
    applicationId: 'iot-monitoring',
    kafka,
    ...(stateDir === undefined ? {} : { stateDir }),
    commitIntervalMs: 200,
    logger,
  });
  const lastAlert = { at: Date.now() };
  const printer = await printAlerts(kafka, () => (lastAlert.at = Date.now()));
  await app.start();

  const readings = sampleReadings(Date.now() - 180_000);
  console.log(`producing ${readings.length} readings from 3 devices (threshold ${DEFAULT_THRESHOLD} °C)`);
  const producer = await kafka.producer();
  await producer.send(
    readings.map((r) => ({
      topic: READINGS_TOPIC,
      key: Buffer.from(r.deviceId),
      value: Buffer.from(JSON.stringify(r)),
      timestamp: r.ts,
    })),
  );
  lastAlert.at = Date.now();
  while (Date.now() - lastAlert.at < SETTLE_MS) await new Promise((r) => setTimeout(r, 100));

  await app.close();
  await printer.close();
  await producer.close();
  await cluster?.close();
  if (stateDir !== undefined) await rm(stateDir, { recursive: true, force: true });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
