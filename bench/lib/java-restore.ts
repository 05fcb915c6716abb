/**
 * The restoration benchmark's Kafka Streams (Java) side: a fresh Kafka Streams instance of the
 * count app, with its store named `counts` like Tributary's, restores the same pre-filled
 * `<applicationId>-counts-changelog` into RocksDB. Timed by its restore listener (first
 * `onRestoreStart` → last `onRestoreEnd`), as Tributary's side is timed by its restore events.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JAVA_HEAP, buildKafkaStreamsJar, execute, lastLines } from '../java-baseline.js';
import type { RestoreRunResult } from './protocol.js';

/** The topics of the restoration app (see `restoreTopics` in restore.ts). */
export interface RestoreApp {
  readonly applicationId: string;
  readonly input: string;
  readonly output: string;
}

/** What `BenchApp --until restored` prints. */
interface JavaRestoreLine {
  records: number;
  restoredRecords: number;
  restoreSeconds: number;
  recordsPerSecond: number;
  startupSeconds: number;
  maxRssBytes: number;
}

/**
 * Restores `records` changelog records with Kafka Streams once, in a fresh state directory;
 * `{ skipped }` when Java cannot run here (the caller leaves it out of the table). The caller
 * removes the app's group afterwards (the changelog topic stays for the next round).
 * @example
 * const run = await runKafkaStreamsRestore(brokers, restoreTopics(1_000_000), 1_000_000, console.error);
 */
export async function runKafkaStreamsRestore(
  brokers: string[],
  app: RestoreApp,
  records: number,
  log: (line: string) => void,
): Promise<RestoreRunResult | { skipped: string }> {
  const jar = await buildKafkaStreamsJar(log);
  if (typeof jar !== 'string') return jar;
  const stateDir = await mkdtemp(join(tmpdir(), 'ks-bench-restore-'));
  try {
    const run = await execute('java', [
      JAVA_HEAP,
      '-jar',
      jar,
      ...['--brokers', brokers.join(','), '--workload', 'restore'],
      ...['--input', app.input, '--output', app.output, '--application-id', app.applicationId],
      ...['--state-dir', stateDir, '--until', 'restored', '--expected', String(records)],
      ...['--timeout-seconds', String(Math.max(120, Math.ceil(records / 2_000)))],
    ]);
    if (run.code !== 0) {
      return { skipped: `Kafka Streams restore failed (exit ${run.code}): ${lastLines(run.stderr)}` };
    }
    const line = run.stdout.split('\n').findLast((l) => l.startsWith('{'));
    if (line === undefined)
      return { skipped: `Kafka Streams restore printed no result: ${lastLines(run.stdout)}` };
    const r = JSON.parse(line) as JavaRestoreLine;
    return {
      records: r.records,
      restoredRecords: r.restoredRecords,
      startupMs: Math.round(r.startupSeconds * 1000),
      restoreMs: Math.round(r.restoreSeconds * 1000),
      recordsPerSecond: Math.round(r.recordsPerSecond),
      peakRssMb: Math.round(r.maxRssBytes / 2 ** 20),
    };
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
}
