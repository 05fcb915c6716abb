/**
 * Log monitoring: log lines from many services are counted per service over one-minute windows
 * that start every 15 s; when a window closes (end + grace in event time), a service whose error
 * rate in it is above a threshold raises one alert. Test it with `examples/log-monitoring.test.ts`;
 * run it with `npm run example -- log-monitoring` (embedded broker, or `KAFKA_BROKERS=host:port`).
 *
 * ```
 * logs ─▶ per service, 1 min windows every 15 s ─▶ { lines, errors } ─▶ suppress until the window
 *                                                                        closes ─▶ rate > 20 % ─▶ log-alerts
 * ```
 *
 * Unlike `iot-monitoring`, alerts are suppressed: each window alerts at most once, with its final
 * counts, at the price of waiting for the window to close (a partition whose event time stops
 * advancing holds its last windows back).
 */
import {
  BufferConfig,
  KafkaStreams,
  Serdes,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  type Topology,
} from '../src/index.js';
import { produce, readOutput } from '../src/testing/index.js';
import { exampleCluster, runIfMain } from './support.js';

export const LOGS_TOPIC = 'logs';
export const ALERTS_TOPIC = 'log-alerts';
export const WINDOW_MS = 60_000;
export const ADVANCE_MS = 15_000;
export const GRACE_MS = 5_000;
/** Alert when more than this share of a window's lines are errors… */
export const ERROR_RATE_THRESHOLD = 0.2;
/** …and the window has at least this many lines (a single error is not a rate). */
export const MIN_LINES = 5;

export interface LogLine {
  readonly service: string;
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  /** Event time (epoch ms). */
  readonly ts: number;
}

export interface LineCounts {
  readonly lines: number;
  readonly errors: number;
}

export interface ErrorRateAlert {
  readonly service: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly errorRate: number;
  readonly errors: number;
  readonly lines: number;
}

/**
 * logs (keyed by service) → hopping windows → `{ lines, errors }` → final result per window →
 * error rate above the threshold → `log-alerts`.
 *
 * @example
 * ```ts
 * const driver = new TopologyTestDriver(buildLogMonitoringTopology(), { applicationId: 'logs' });
 * ```
 */
export function buildLogMonitoringTopology(): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream(LOGS_TOPIC, {
      key: Serdes.string(),
      value: Serdes.json<LogLine>(),
      timestampExtractor: (record) => (record.value as LogLine).ts,
    })
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW_MS, GRACE_MS).advanceBy(ADVANCE_MS))
    .aggregate(
      (): LineCounts => ({ lines: 0, errors: 0 }),
      (_service, line, counts) => ({
        lines: counts.lines + 1,
        errors: counts.errors + (line.level === 'error' ? 1 : 0),
      }),
      { name: 'lines-per-service', materialized: { value: Serdes.json<LineCounts>() } },
    )
    .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
    .toStream()
    .filter(
      (_, counts) =>
        counts !== null && counts.lines >= MIN_LINES && counts.errors / counts.lines > ERROR_RATE_THRESHOLD,
    )
    .map((windowed, counts) => [
      windowed.key,
      {
        service: windowed.key,
        windowStart: windowed.window.start,
        windowEnd: windowed.window.end,
        errorRate: counts!.errors / counts!.lines,
        errors: counts!.errors,
        lines: counts!.lines,
      } satisfies ErrorRateAlert,
    ])
    .to(ALERTS_TOPIC, { key: Serdes.string(), value: Serdes.json<ErrorRateAlert>() });
  return builder.build();
}

/**
 * Two services, one line each every 5 s for three minutes; `checkout` fails every request
 * between 60 s and 90 s. A last line at 4 min advances event time so every window closes.
 */
export function sampleLogs(startMs: number): LogLine[] {
  const lines: LogLine[] = [];
  for (let second = 0; second < 180; second += 5) {
    const ts = startMs + second * 1_000;
    const failing = second >= 60 && second < 90;
    lines.push({ service: 'search', level: 'info', message: 'GET /search 200', ts });
    lines.push({
      service: 'checkout',
      level: failing ? 'error' : 'info',
      message: failing ? 'POST /pay 502' : 'POST /pay 200',
      ts,
    });
  }
  for (const service of ['search', 'checkout'])
    lines.push({ service, level: 'info', message: 'heartbeat', ts: startMs + 240_000 });
  return lines;
}

async function main(): Promise<void> {
  // One partition: suppression follows each partition's event time, and two services would not
  // advance both partitions.
  const { kafka, stateDir, close } = await exampleCluster('log monitoring', [
    { topic: LOGS_TOPIC, partitions: 1 },
    { topic: ALERTS_TOPIC, partitions: 1 },
  ]);
  const app = new KafkaStreams(buildLogMonitoringTopology(), {
    applicationId: 'log-monitoring',
    kafka,
    ...stateDir,
    commitIntervalMs: 200,
  });
  await app.start();
  const logs = sampleLogs(Date.now() - 240_000);
  console.log(`producing ${logs.length} log lines from 2 services`);
  await produce(
    kafka,
    LOGS_TOPIC,
    logs.map((line) => ({ key: line.service, value: line, timestamp: line.ts })),
    { key: Serdes.string(), value: Serdes.json<LogLine>() },
  );
  const alerts = await readOutput(kafka, ALERTS_TOPIC, {
    key: Serdes.string(),
    value: Serdes.json<ErrorRateAlert>(),
    minRecords: 1,
  });
  for (const { value: a } of alerts) {
    const window = `${new Date(a!.windowStart).toISOString().slice(11, 19)}–${new Date(a!.windowEnd).toISOString().slice(11, 19)}`;
    console.log(
      `  ALERT ${a!.service} ${window}: ${a!.errors}/${a!.lines} errors (${(a!.errorRate * 100).toFixed(0)} %)`,
    );
  }
  await app.close();
  await close();
}

runIfMain(import.meta.url, main);
