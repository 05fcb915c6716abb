import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../../bench/lib/args.js';
import type { MeasuredRun } from '../../../bench/lib/broker-suite.js';
import type { LatencyRun } from '../../../bench/lib/latency.js';
import type { RestoreRun } from '../../../bench/lib/restore.js';
import {
  formatReport,
  summarise,
  summariseLatency,
  summariseRestore,
  type BenchReport,
} from '../../../bench/lib/report.js';

const brokerRun = (
  contender: MeasuredRun['contender'],
  recordsPerSecond: number,
  peakRssMb: number,
): MeasuredRun => ({
  contender,
  workload: 'stateless',
  round: 1,
  records: 100_000,
  startupMs: 100,
  processingMs: 1_000,
  recordsPerSecond,
  outputRecords: 90_000,
  peakRssMb,
});

const restoreRun = (
  contender: RestoreRun['contender'],
  round: number,
  recordsPerSecond: number,
  peakRssMb: number,
): RestoreRun => ({
  contender,
  round,
  records: 100_000,
  restoredRecords: 100_000,
  startupMs: 200,
  restoreMs: 500,
  recordsPerSecond,
  peakRssMb,
});

const latencyRun = (
  contender: LatencyRun['contender'],
  round: number,
  p99Ms: number,
  peakRssMb: number,
): LatencyRun => ({
  contender,
  round,
  produced: 50_000,
  achievedRate: 9_990,
  measured: 36_000,
  p50Ms: 5,
  p99Ms,
  maxMs: p99Ms * 2,
  startupMs: 100,
  peakRssMb,
});

function report(parts: Partial<BenchReport>): BenchReport {
  return {
    date: '2026-12-04T00:00:00.000Z',
    mode: 'quick',
    records: 100_000,
    rounds: 2,
    commitIntervalMs: 1_000,
    node: 'v24',
    brokers: ['b:9092'],
    workloads: [],
    runs: [],
    driver: undefined,
    restore: undefined,
    restoreRuns: [],
    latency: undefined,
    latencyRuns: [],
    ...parts,
  };
}

/** The table's row starting with `name`, split into its cells (two or more spaces apart). */
const row = (table: string, name: string): string[] =>
  table
    .split('\n')
    .find((l) => l.startsWith(`${name}  `))!
    .trim()
    .split(/\s{2,}/);

describe('the bench table', () => {
  it('prints records/s and peak RSS of every broker row against Kafka Streams', () => {
    const runs = [
      brokerRun('raw-kafkajs', 50_000, 400),
      brokerRun('tributary', 60_000, 300),
      brokerRun('kafka-streams-java', 120_000, 200),
    ];
    const table = formatReport(report({ workloads: [summarise('stateless', runs)], runs }));
    expect(table.split('\n')[0]).toContain('RSS vs Kafka Streams');
    expect(row(table, '  Tributary')).toEqual([
      'Tributary',
      '100,000',
      '60,000',
      '1.20x',
      '0.50x',
      '0.1 s',
      '300 MiB',
      '1.50x',
    ]);
    expect(row(table, '  raw kafkajs (baseline)')).toContain('2.00x');
    expect(row(table, '  Kafka Streams (Java)').slice(-4)).toEqual(['1.00x', '0.1 s', '200 MiB', '1.00x']);
  });

  it('compares restoration with Kafka Streams restoring the same changelog (best of rounds, peak RSS over them)', () => {
    const runs = [
      restoreRun('tributary', 1, 150_000, 300),
      restoreRun('kafka-streams-java', 1, 90_000, 400),
      restoreRun('tributary', 2, 180_000, 320),
      restoreRun('kafka-streams-java', 2, 120_000, 380),
    ];
    const restore = summariseRestore(runs)!;
    expect(restore.bestRecordsPerSecond).toBe(180_000);
    expect(restore.kafkaStreamsJava?.bestRecordsPerSecond).toBe(120_000);
    const table = formatReport(report({ restore, restoreRuns: runs }));
    expect(row(table, '  Tributary (level)')).toEqual([
      'Tributary (level)',
      '100,000',
      '180,000',
      '-',
      '1.50x',
      '0.2 s',
      '320 MiB',
      '0.80x',
    ]);
    expect(row(table, '  Kafka Streams (Java, RocksDB)')).toContain('120,000');
  });

  it("prints p50 / p99 latency with the p99 ratio to Kafka Streams, taking each side's lowest-p99 round", () => {
    const runs = [
      latencyRun('tributary', 1, 80, 250),
      latencyRun('kafka-streams-java', 1, 200, 300),
      latencyRun('tributary', 2, 40, 260),
      latencyRun('kafka-streams-java', 2, 160, 280),
    ];
    const latency = summariseLatency(runs, { ratePerSecond: 10_000, seconds: 5, warmupSeconds: 1 })!;
    expect(latency.tributary.allP99Ms).toEqual([80, 40]);
    const table = formatReport(report({ latency, latencyRuns: runs }));
    expect(table).toContain('latency at 10,000 records/s');
    expect(row(table, '  Tributary')).toEqual([
      'Tributary',
      '36,000',
      'p50 5 ms / p99 40 ms',
      '-',
      '0.25x p99',
      '0.1 s',
      '260 MiB',
      '0.87x',
    ]);
    expect(row(table, '  Kafka Streams (Java)')).toContain('p50 5 ms / p99 160 ms');
  });

  it('shows "-" against Kafka Streams when Java did not run', () => {
    const latency = summariseLatency([latencyRun('tributary', 1, 80, 250)], {
      ratePerSecond: 10_000,
      seconds: 5,
      warmupSeconds: 1,
    })!;
    const restoreRuns = [restoreRun('tributary', 1, 150_000, 300)];
    const table = formatReport(report({ latency, restore: summariseRestore(restoreRuns), restoreRuns }));
    expect(row(table, '  Tributary (level)').slice(-4)).toEqual(['-', '0.2 s', '300 MiB', '-']);
    expect(row(table, '  Tributary').slice(-4)).toEqual(['-', '0.1 s', '250 MiB', '-']);
    expect(table).not.toContain('Kafka Streams (Java');
  });

  it('summarises no latency or restoration when Tributary did not run them', () => {
    expect(summariseLatency([], { ratePerSecond: 10_000, seconds: 5, warmupSeconds: 1 })).toBeUndefined();
    expect(summariseRestore([])).toBeUndefined();
  });
});

describe('bench options for the new rows', () => {
  it('runs everything by default, with a 20 s latency load (5 s quick) after a 5 s (1 s) warm-up', () => {
    const full = parseArgs([]);
    expect([full.broker, full.restore, full.latency, full.driver]).toEqual([true, true, true, true]);
    expect([full.latencyRate, full.latencySeconds, full.latencyWarmupSeconds]).toEqual([10_000, 20, 5]);
    const quick = parseArgs(['--quick']);
    expect([quick.latencySeconds, quick.latencyWarmupSeconds]).toEqual([5, 1]);
  });

  it('--only selects suites, and --no-latency still turns latency off', () => {
    const only = parseArgs(['--only', 'restore,latency']);
    expect([only.broker, only.restore, only.latency, only.driver]).toEqual([false, true, true, false]);
    expect(parseArgs(['--only', 'latency', '--no-latency']).latency).toBe(false);
    expect(parseArgs(['--no-latency']).broker).toBe(true);
  });

  it('names the culprit of a bad --only or --latency-seconds', () => {
    expect(() => parseArgs(['--only', 'restore,latncy'])).toThrow(/got latncy/);
    expect(() => parseArgs(['--latency-seconds', '0'])).toThrow(
      /--latency-seconds must be a positive integer/,
    );
  });
});
