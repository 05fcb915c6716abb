/** The benchmark's figures: summarised per workload, printed as a table, written as JSON. */
import type { BenchOptions } from './args.js';
import type { MeasuredRun } from './broker-suite.js';
import type { DriverRunResult } from './protocol.js';
import type { RestoreRun } from './restore.js';
import type { Workload } from './workload.js';

/** One workload's result: best records/s of each contender over the rounds, and their ratio. */
export interface WorkloadSummary {
  readonly workload: Workload;
  readonly records: number;
  readonly rawKafkajs: ContenderSummary;
  readonly tributary: ContenderSummary;
  /** Tributary under `processingGuarantee: 'exactly_once'` (count, unless `--no-eos`). */
  readonly tributaryExactlyOnce: ContenderSummary | undefined;
  /** Kafka Streams in Java, when it could run here. */
  readonly kafkaStreamsJava: ContenderSummary | undefined;
  /** Tributary's best records/s divided by raw kafkajs's best records/s. */
  readonly ratio: number;
  /** The same ratio for each round on its own (how much it moves says how noisy the run was). */
  readonly ratioPerRound: number[];
  /** Exactly-once Tributary's best records/s divided by raw kafkajs's best, when it ran. */
  readonly exactlyOnceRatio: number | undefined;
  /** That ratio for each round on its own (empty when exactly-once did not run). */
  readonly exactlyOnceRatioPerRound: number[];
}

/** Restoration from the broker: the best of the rounds. */
export interface RestoreSummary {
  readonly records: number;
  readonly bestRecordsPerSecond: number;
  readonly allRecordsPerSecond: number[];
  readonly medianStartupMs: number;
  readonly peakRssMb: number;
}

export interface ContenderSummary {
  readonly bestRecordsPerSecond: number;
  readonly allRecordsPerSecond: number[];
  readonly medianStartupMs: number;
  readonly peakRssMb: number;
}

export interface BenchReport {
  readonly date: string;
  readonly mode: 'quick' | 'full' | 'custom';
  readonly records: number;
  readonly rounds: number;
  readonly commitIntervalMs: number;
  readonly node: string;
  readonly brokers: string[];
  readonly workloads: WorkloadSummary[];
  readonly runs: MeasuredRun[];
  readonly driver: DriverRunResult | undefined;
  readonly restore: RestoreSummary | undefined;
  readonly restoreRuns: RestoreRun[];
}

export function summarise(workload: Workload, runs: readonly MeasuredRun[]): WorkloadSummary {
  const of = (contender: MeasuredRun['contender']) =>
    runs.filter((r) => r.workload === workload && r.contender === contender);
  const raw = of('raw-kafkajs');
  const tributary = of('tributary');
  const rawSummary = contenderSummary(raw);
  const tributarySummary = contenderSummary(tributary);
  const java = of('kafka-streams-java');
  const eos = of('tributary-eos');
  const eosSummary = eos.length > 0 ? contenderSummary(eos) : undefined;
  return {
    workload,
    records: raw[0]?.records ?? tributary[0]?.records ?? 0,
    rawKafkajs: rawSummary,
    tributary: tributarySummary,
    tributaryExactlyOnce: eosSummary,
    kafkaStreamsJava: java.length > 0 ? contenderSummary(java) : undefined,
    ratio: round2(tributarySummary.bestRecordsPerSecond / rawSummary.bestRecordsPerSecond),
    ratioPerRound: ratiosPerRound(tributary, raw),
    exactlyOnceRatio: eosSummary && round2(eosSummary.bestRecordsPerSecond / rawSummary.bestRecordsPerSecond),
    exactlyOnceRatioPerRound: ratiosPerRound(eos, raw),
  };
}

function ratiosPerRound(runs: readonly MeasuredRun[], baseline: readonly MeasuredRun[]): number[] {
  return runs.map((run) => {
    const partner = baseline.find((b) => b.round === run.round);
    return partner ? round2(run.recordsPerSecond / partner.recordsPerSecond) : Number.NaN;
  });
}

export function summariseRestore(runs: readonly RestoreRun[]): RestoreSummary | undefined {
  if (runs.length === 0) return undefined;
  return { records: runs[0]!.records, ...contenderSummary(runs) };
}

function contenderSummary(
  runs: readonly Pick<MeasuredRun, 'recordsPerSecond' | 'startupMs' | 'peakRssMb'>[],
): ContenderSummary {
  const startups = runs.map((r) => r.startupMs).sort((a, b) => a - b);
  return {
    bestRecordsPerSecond: Math.max(...runs.map((r) => r.recordsPerSecond)),
    allRecordsPerSecond: runs.map((r) => r.recordsPerSecond),
    medianStartupMs: startups[Math.floor(startups.length / 2)] ?? 0,
    peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
  };
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ratio = (n: number, base: number | undefined) =>
  base === undefined ? '-' : `${(n / base).toFixed(2)}x`;

/** The table `npm run bench` prints. */
export function formatReport(report: BenchReport): string {
  const rows: string[][] = [];
  for (const w of report.workloads) {
    const base = w.rawKafkajs.bestRecordsPerSecond;
    const label =
      w.workload === 'stateless'
        ? 'stateless (filter → mapValues → to)'
        : w.workload === 'windowed'
          ? 'windowed count (groupByKey → 1-minute tumbling windows → count → to)'
          : w.workload === 'join'
            ? 'stream–table join (100,000-key table → join → to)'
            : 'count (groupByKey → count → toStream → to)';
    const java = w.kafkaStreamsJava?.bestRecordsPerSecond;
    rows.push([`broker ${label}`, '', '', '', '', '', '']);
    rows.push(contenderRow('  raw kafkajs (baseline)', w.records, w.rawKafkajs, base, java));
    const store = w.workload === 'count' || w.workload === 'windowed' ? ', persistent store' : '';
    rows.push(contenderRow(`  Tributary${store}`, w.records, w.tributary, base, java));
    if (w.tributaryExactlyOnce)
      rows.push(
        contenderRow(`  Tributary, exactly-once${store}`, w.records, w.tributaryExactlyOnce, base, java),
      );
    if (w.kafkaStreamsJava)
      rows.push(contenderRow('  Kafka Streams (Java)', w.records, w.kafkaStreamsJava, base, java));
  }
  if (report.restore) {
    rows.push(['broker restoration (changelog → level store, fresh state dir)', '', '', '', '', '', '']);
    const r = report.restore;
    rows.push(contenderRow('  Tributary', r.records, r, undefined, undefined));
  }
  if (report.driver) {
    rows.push(['in-process TopologyTestDriver (no broker)', '', '', '', '', '', '']);
    for (const f of report.driver.figures) {
      rows.push([
        `  ${f.name}`,
        int(f.records),
        int(f.recordsPerSecond),
        ratio(f.recordsPerSecond, f.baselineRecordsPerSecond),
        '-',
        '-',
        '-',
      ]);
    }
    const baseline = report.driver.figures.find(
      (f) => f.baselineRecordsPerSecond !== undefined,
    )?.baselineRecordsPerSecond;
    if (baseline !== undefined)
      rows.push([
        '  driver baseline: JSON parse → map → stringify',
        '',
        int(baseline),
        '1.00x',
        '-',
        '-',
        '-',
      ]);
    rows.push([
      '  (all driver benchmarks in one child)',
      '',
      '',
      '',
      '',
      '',
      `${report.driver.peakRssMb} MiB`,
    ]);
  }
  const header = [
    'benchmark',
    'records',
    'records/s (best)',
    'vs baseline',
    'vs Kafka Streams',
    'start-up',
    'peak RSS',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function contenderRow(
  name: string,
  records: number,
  c: ContenderSummary,
  base: number | undefined,
  kafkaStreams: number | undefined,
): string[] {
  return [
    name,
    int(records),
    int(c.bestRecordsPerSecond),
    ratio(c.bestRecordsPerSecond, base),
    ratio(c.bestRecordsPerSecond, kafkaStreams),
    seconds(c.medianStartupMs),
    `${c.peakRssMb} MiB`,
  ];
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** A short note under the table: what was measured, so the figures are not misread. */
export function describeSetup(options: BenchOptions): string {
  return [
    `${options.records.toLocaleString('en-US')} JSON records (~200 B) on a 4-partition topic, 100,000 keys; ${options.rounds} A/B rounds (raw kafkajs, then Tributary), best shown.`,
    `Tributary on the ${options.kafkaClient} client: commitIntervalMs ${options.commitIntervalMs} (default 30000), count on the default persistent (level) store with the default cache.`,
    'records/s = input records / (completion − group assignment); start-up (client + join + restore) is excluded and shown apart. Peak RSS: each run in its own process.',
    ...(options.exactlyOnce
      ? [
          `Exactly-once: the same count app with processingGuarantee 'exactly_once', commitIntervalMs ${options.commitIntervalMs} too (Kafka Streams' EOS default is 100).`,
        ]
      : []),
    ...(options.restore
      ? [
          `Restoration: ${options.restoreRecords.toLocaleString('en-US')} changelog records (~100 B values, distinct keys, 4 partitions) restored by a fresh instance; records/s = restored / (last restore-end − first restore-start); start-up = start() → first restore-start.`,
        ]
      : []),
  ].join('\n');
}
