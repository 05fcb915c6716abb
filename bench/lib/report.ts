/** The benchmark's figures: summarised per workload, printed as a table, written as JSON. */
import type { BenchOptions } from './args.js';
import type { MeasuredRun } from './broker-suite.js';
import type { LatencyRun } from './latency.js';
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

/** Restoration from the broker: Tributary's best of the rounds (top level) and Kafka Streams'. */
export interface RestoreSummary {
  readonly records: number;
  readonly bestRecordsPerSecond: number;
  readonly allRecordsPerSecond: number[];
  readonly medianStartupMs: number;
  readonly peakRssMb: number;
  /** Kafka Streams restoring the same changelog into RocksDB in the same rounds, when Java ran. */
  readonly kafkaStreamsJava: ContenderSummary | undefined;
}

/** One latency contender over the rounds: the round with the lowest p99 is its best. */
export interface LatencyContenderSummary {
  readonly measured: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly allP99Ms: number[];
  readonly medianStartupMs: number;
  readonly peakRssMb: number;
}

/** End-to-end latency at a fixed input rate, Tributary and Kafka Streams on their defaults. */
export interface LatencySummary {
  readonly ratePerSecond: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly tributary: LatencyContenderSummary;
  readonly kafkaStreamsJava: LatencyContenderSummary | undefined;
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
  readonly latency: LatencySummary | undefined;
  readonly latencyRuns: LatencyRun[];
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
  const tributary = runs.filter((r) => r.contender === 'tributary');
  if (tributary.length === 0) return undefined;
  const java = runs.filter((r) => r.contender === 'kafka-streams-java');
  return {
    records: tributary[0]!.records,
    ...contenderSummary(tributary),
    kafkaStreamsJava: java.length > 0 ? contenderSummary(java) : undefined,
  };
}

/** Summarises the latency rounds (`undefined` when Tributary's did not run). */
export function summariseLatency(
  runs: readonly LatencyRun[],
  settings: { ratePerSecond: number; seconds: number; warmupSeconds: number },
): LatencySummary | undefined {
  const of = (contender: LatencyRun['contender']): LatencyContenderSummary | undefined => {
    const mine = runs.filter((r) => r.contender === contender);
    if (mine.length === 0) return undefined;
    const best = mine.reduce((a, b) => (b.p99Ms < a.p99Ms ? b : a));
    const startups = mine.map((r) => r.startupMs).sort((a, b) => a - b);
    return {
      measured: best.measured,
      p50Ms: best.p50Ms,
      p99Ms: best.p99Ms,
      maxMs: best.maxMs,
      allP99Ms: mine.map((r) => r.p99Ms),
      medianStartupMs: startups[Math.floor(startups.length / 2)]!,
      peakRssMb: Math.max(...mine.map((r) => r.peakRssMb)),
    };
  };
  const tributary = of('tributary');
  return tributary && { ...settings, tributary, kafkaStreamsJava: of('kafka-streams-java') };
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
/** `n / base`; `-` when there is no base (not measured in this run, or zero). */
const ratio = (n: number, base: number | undefined) =>
  base === undefined || base <= 0 ? '-' : `${(n / base).toFixed(2)}x`;

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
    const java = w.kafkaStreamsJava;
    rows.push(section(`broker ${label}`));
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
    rows.push(section('broker restoration (changelog → store, fresh state dir)'));
    const r = report.restore;
    const java = r.kafkaStreamsJava;
    rows.push(contenderRow('  Tributary (level)', r.records, r, undefined, java));
    if (java) rows.push(contenderRow('  Kafka Streams (Java, RocksDB)', r.records, java, undefined, java));
  }
  if (report.latency) {
    const l = report.latency;
    rows.push(
      section(
        `broker latency at ${int(l.ratePerSecond)} records/s, stateless, each system's defaults (p50 / p99 end-to-end)`,
      ),
    );
    rows.push(latencyRow('  Tributary', l.tributary, l.kafkaStreamsJava));
    if (l.kafkaStreamsJava)
      rows.push(latencyRow('  Kafka Streams (Java)', l.kafkaStreamsJava, l.kafkaStreamsJava));
  }
  if (report.driver) {
    rows.push(['in-process TopologyTestDriver (no broker)', '', '', '', '', '', '']);
    for (const f of report.driver.figures) {
      rows.push([
        `  ${f.name}`,
        int(f.records),
        int(f.recordsPerSecond),
        ratio(f.recordsPerSecond, f.baselineRecordsPerSecond),
        NO_DRIVER_COUNTERPART,
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
        NO_DRIVER_COUNTERPART,
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
      NO_DRIVER_COUNTERPART,
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
    'RSS vs Kafka Streams',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The driver runs in-process with no broker: there is no Kafka Streams run to compare with. */
const NO_DRIVER_COUNTERPART = 'n/a';

const section = (title: string): string[] => [title, '', '', '', '', '', '', ''];

function contenderRow(
  name: string,
  records: number,
  c: ContenderSummary,
  base: number | undefined,
  kafkaStreams: ContenderSummary | undefined,
): string[] {
  return [
    name,
    int(records),
    int(c.bestRecordsPerSecond),
    ratio(c.bestRecordsPerSecond, base),
    ratio(c.bestRecordsPerSecond, kafkaStreams?.bestRecordsPerSecond),
    seconds(c.medianStartupMs),
    `${c.peakRssMb} MiB`,
    ratio(c.peakRssMb, kafkaStreams?.peakRssMb),
  ];
}

/** A latency row: the records column counts the measured records, `vs Kafka Streams` is of p99. */
function latencyRow(
  name: string,
  c: LatencyContenderSummary,
  kafkaStreams: LatencyContenderSummary | undefined,
): string[] {
  return [
    name,
    int(c.measured),
    `p50 ${int(c.p50Ms)} ms / p99 ${int(c.p99Ms)} ms`,
    '-',
    kafkaStreams === undefined ? '-' : `${ratio(c.p99Ms, kafkaStreams.p99Ms)} p99`,
    seconds(c.medianStartupMs),
    `${c.peakRssMb} MiB`,
    ratio(c.peakRssMb, kafkaStreams?.peakRssMb),
  ];
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** A short note under the table: what was measured, so the figures are not misread. */
export function describeSetup(options: BenchOptions): string {
  return [
    ...(options.broker
      ? [
          `${options.records.toLocaleString('en-US')} JSON records (~200 B) on a 4-partition topic, 100,000 keys; ${options.rounds} A/B rounds (raw kafkajs, then Tributary), best shown.`,
          `Tributary on the ${options.kafkaClient} client: commitIntervalMs ${options.commitIntervalMs} (default 30000), count on the default persistent (level) store with the default cache.`,
          'records/s = input records / (completion − group assignment); start-up (client + join + restore) is excluded and shown apart.',
        ]
      : []),
    'Peak RSS: each run in its own process (Node maxRSS, the JVM VmHWM).',
    ...(options.broker && options.exactlyOnce
      ? [
          `Exactly-once: the same count app with processingGuarantee 'exactly_once', commitIntervalMs ${options.commitIntervalMs} too (Kafka Streams' EOS default is 100).`,
        ]
      : []),
    ...(options.restore
      ? [
          `Restoration: ${options.restoreRecords.toLocaleString('en-US')} changelog records (~100 B values, distinct keys, 4 partitions) restored by a fresh instance (Tributary into level, then Kafka Streams into RocksDB, alternating); records/s = restored / (last restore-end − first restore-start); start-up = start() → first restore-start.`,
        ]
      : []),
    ...(options.latency
      ? [
          `Latency: stateless app, each system on its defaults (Tributary commitIntervalMs 30000, maxBufferedRecords 10000; Kafka Streams commit.interval.ms 30000, producer linger.ms 100); ${options.latencyRate.toLocaleString('en-US')} records/s for ${options.latencySeconds} s into a fresh topic, the first ${options.latencyWarmupSeconds} s not measured; latency = output append time (LogAppendTime) − input send time; best round (lowest p99) shown, vs Kafka Streams is the p99 ratio.`,
        ]
      : []),
    'RSS vs Kafka Streams: peak RSS of the process divided by the Kafka Streams JVM peak RSS (VmHWM) in the same section.',
  ].join('\n');
}
