/** Command-line options of `npm run bench`. */
import { WORKLOADS, type Workload } from './workload.js';

export interface BenchOptions {
  /** Input records of the broker workloads: 1,000,000, or 100,000 with `--quick`. */
  readonly records: number;
  readonly quick: boolean;
  /** A/B rounds per workload: each round runs raw kafkajs, then Tributary. */
  readonly rounds: number;
  readonly workloads: readonly Workload[];
  readonly commitIntervalMs: number;
  /** Also write the figures here (`bench/results/latest.json` is always written). */
  readonly jsonFile: string | undefined;
  /** Run Tributary's children under `--cpu-prof` and print their hottest frames. */
  readonly profile: boolean;
  readonly driver: boolean;
  readonly javaBaseline: boolean;
  /** Also run count under `processingGuarantee: 'exactly_once'` (off with `--no-eos`). */
  readonly exactlyOnce: boolean;
  /** Also measure restoration from a changelog (off with `--no-restore`). */
  readonly restore: boolean;
  /** Changelog records restored: 1,000,000, or 100,000 with `--quick`. */
  readonly restoreRecords: number;
  /** The client library under Tributary (`--client`, default `kafkajs`); raw-kafkajs stays kafkajs. */
  readonly kafkaClient: 'kafkajs' | 'platformatic';
  /** Run the broker throughput workloads (off unless `--only` names `broker`). */
  readonly broker: boolean;
  /** Measure end-to-end latency at a fixed rate (off with `--no-latency`). */
  readonly latency: boolean;
  /** The latency benchmark's input rate: 10,000 records/s. */
  readonly latencyRate: number;
  /** How long the latency load runs (`--latency-seconds`): 20 s, 5 s with `--quick`. */
  readonly latencySeconds: number;
  /** The first seconds of the load, not measured (JIT and connection warm-up): 5 s, 1 s with `--quick`. */
  readonly latencyWarmupSeconds: number;
}

/** The parts of the benchmark `--only` can select. */
export const SUITES = ['broker', 'restore', 'latency', 'driver'] as const;
export type Suite = (typeof SUITES)[number];

export const USAGE = `npm run bench -- [--quick] [--json <file>] [--records <n>] [--rounds <n>]
                    [--workload stateless|count|windowed|join] [--profile] [--no-driver] [--no-java]
                    [--no-eos] [--no-restore] [--no-latency] [--latency-seconds <n>]
                    [--only broker,restore,latency,driver] [--client kafkajs|platformatic]`;

export function parseArgs(argv: readonly string[]): BenchOptions {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value.\n${USAGE}`);
    return v;
  };
  const known = [
    '--quick',
    '--json',
    '--records',
    '--rounds',
    '--workload',
    '--profile',
    '--no-driver',
    '--no-java',
    '--no-eos',
    '--no-restore',
    '--client',
    '--no-latency',
    '--latency-seconds',
    '--only',
  ];
  for (const arg of argv) {
    if (arg.startsWith('--') && !known.includes(arg)) throw new Error(`Unknown option ${arg}.\n${USAGE}`);
  }
  const quick = argv.includes('--quick');
  const positive = (flag: string, fallback: number): number => {
    const n = Number(value(flag) ?? fallback);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} must be a positive integer.`);
    return n;
  };
  const workload = value('--workload');
  if (workload !== undefined && !WORKLOADS.includes(workload as Workload)) {
    throw new Error(`--workload must be one of ${WORKLOADS.join(', ')}.`);
  }
  const kafkaClient = value('--client') ?? 'kafkajs';
  if (kafkaClient !== 'kafkajs' && kafkaClient !== 'platformatic') {
    throw new Error(`--client must be kafkajs or platformatic.\n${USAGE}`);
  }
  const only = value('--only')?.split(',');
  const unknownSuite = only?.find((suite) => !SUITES.includes(suite as Suite));
  if (unknownSuite !== undefined) {
    throw new Error(`--only takes a comma-separated list of ${SUITES.join(', ')}; got ${unknownSuite}.`);
  }
  const selected = (suite: Suite, offFlag?: string) =>
    (only === undefined || only.includes(suite)) && (offFlag === undefined || !argv.includes(offFlag));
  const latencySeconds = positive('--latency-seconds', quick ? 5 : 20);
  return {
    kafkaClient,
    broker: selected('broker'),
    latency: selected('latency', '--no-latency'),
    latencyRate: 10_000,
    latencySeconds,
    latencyWarmupSeconds: Math.min(quick ? 1 : 5, latencySeconds - 1),
    records: positive('--records', quick ? 100_000 : 1_000_000),
    quick,
    rounds: positive('--rounds', 2),
    workloads: workload === undefined ? WORKLOADS : [workload as Workload],
    commitIntervalMs: 1_000,
    jsonFile: value('--json'),
    profile: argv.includes('--profile'),
    driver: selected('driver', '--no-driver'),
    javaBaseline: !argv.includes('--no-java'),
    exactlyOnce: !argv.includes('--no-eos'),
    restore: selected('restore', '--no-restore'),
    restoreRecords: quick ? 100_000 : 1_000_000,
  };
}
