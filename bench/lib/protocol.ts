/**
 * What the benchmark parent sends to a child process (one contender, one run) and what the child
 * reports back on stdout: one line, `RESULT_MARKER` followed by JSON.
 */
import type { Workload } from './workload.js';

/** `tributary-eos` is Tributary with `processingGuarantee: 'exactly_once'` (count workload only). */
export type Contender = 'raw-kafkajs' | 'tributary' | 'tributary-eos';

/** One measured run of one contender on one workload, on fresh output topics and a fresh group. */
export interface BrokerJob {
  readonly kind: 'broker';
  readonly contender: Contender;
  readonly workload: Workload;
  readonly brokers: string[];
  readonly inputTopic: string;
  readonly outputTopic: string;
  /** Consumer group id, and Tributary's applicationId. */
  readonly groupId: string;
  readonly records: number;
  readonly commitIntervalMs: number;
  /** Tributary's state directory (removed by the parent afterwards). */
  readonly stateDir: string;
  /** The client library under Tributary. */
  readonly kafkaClient: 'kafkajs' | 'platformatic';
}

/** A contender between its start-up and `stop()`. */
export interface RunningContender {
  /** `process.hrtime.bigint()` when the group assigned this member its partitions. */
  readonly processingStarted: Promise<bigint>;
  stop(): Promise<void>;
}

export interface BrokerRunResult {
  readonly contender: Contender;
  readonly workload: Workload;
  readonly records: number;
  /** From creating the client/app to the group assignment: excluded from throughput. */
  readonly startupMs: number;
  /** From the assignment until every input record is reflected in the output (or commits). */
  readonly processingMs: number;
  readonly recordsPerSecond: number;
  readonly outputRecords: number;
  /** `process.resourceUsage().maxRSS` at the end of the child, in MiB. */
  readonly peakRssMb: number;
  /** `process.hrtime` (µs) bounds of the processing window, to cut CPU profiles to it. */
  readonly windowMicros: readonly [number, number];
}

/** All in-process driver benchmarks, run in one child. */
export interface DriverJob {
  readonly kind: 'driver';
  readonly records: number;
  readonly joinRecords: number;
  readonly windowedRecords: number;
  readonly runs: number;
}

export interface DriverFigure {
  readonly name: string;
  readonly records: number;
  readonly recordsPerSecond: number;
  /** The driver baseline (same work without the driver) this figure is compared with, if any. */
  readonly baselineRecordsPerSecond?: number;
}

export interface DriverRunResult {
  readonly figures: DriverFigure[];
  readonly peakRssMb: number;
}

/**
 * One restoration run: a fresh Tributary instance (empty state directory) whose count store's
 * changelog, `<applicationId>-counts-changelog`, already holds `records` records.
 */
export interface RestoreJob {
  readonly kind: 'restore';
  readonly brokers: string[];
  readonly applicationId: string;
  /** An empty topic, so the instance restores and then has nothing to process. */
  readonly inputTopic: string;
  readonly outputTopic: string;
  readonly records: number;
  readonly stateDir: string;
  readonly kafkaClient: 'kafkajs' | 'platformatic';
}

export interface RestoreRunResult {
  readonly records: number;
  /** The sum of `totalRestored` over the `restore-end` events (must equal `records`). */
  readonly restoredRecords: number;
  /** From `start()` to the first `restore-start` event (connect, topics, group join). */
  readonly startupMs: number;
  /** From the first `restore-start` to the last `restore-end` event. */
  readonly restoreMs: number;
  readonly recordsPerSecond: number;
  readonly peakRssMb: number;
}

/**
 * The latency benchmark's Tributary contender: the stateless app with Tributary's defaults (no
 * `commitIntervalMs`, no buffering settings), which prints `READY_MARKER` once assigned and
 * processes until its stdin closes.
 */
export interface LatencyJob {
  readonly kind: 'latency';
  readonly brokers: string[];
  readonly applicationId: string;
  readonly inputTopic: string;
  readonly outputTopic: string;
  readonly stateDir: string;
  readonly kafkaClient: 'kafkajs' | 'platformatic';
}

/** What a latency contender reports once stopped (the latencies are measured outside it). */
export interface LatencyContenderResult {
  /** From creating the app to its first assignment (Kafka Streams: `main` to `RUNNING`). */
  readonly startupMs: number;
  readonly peakRssMb: number;
}

export type ChildJob = BrokerJob | DriverJob | RestoreJob | LatencyJob;

/** The line a latency contender prints on stdout once it processes. */
export const READY_MARKER = '@@bench-ready';

export const RESULT_MARKER = '@@bench-result ';

/** `maxRSS` is in KiB. */
export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
