/**
 * `npm run bench`: Tributary against a hand-written raw kafkajs loop on the provisioned broker
 * (stateless and count workloads, alternating A/B rounds, each run in its own process, count also
 * under exactly-once), restoration of a pre-filled changelog and end-to-end latency at a fixed
 * rate (each also by Kafka Streams in Java), plus the in-process
 * TopologyTestDriver benchmarks. Prints a table and writes `bench/results/latest.json`.
 * See docs/benchmarks.md for what is measured and how.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ensureKafka } from '../scripts/kafka/provision.js';
import { USAGE, parseArgs, type BenchOptions } from './lib/args.js';
import { benchKafka, ensureInput, ensureTable } from './lib/broker.js';
import { runBrokerSuite, type MeasuredRun } from './lib/broker-suite.js';
import { hotFrames } from './lib/cpu-profile.js';
import { runLatencySuite, type LatencyRun } from './lib/latency.js';
import { ensureChangelog, runRestoreSuite, type RestoreRun } from './lib/restore.js';
import type { DriverJob, DriverRunResult } from './lib/protocol.js';
import {
  describeSetup,
  formatReport,
  summarise,
  summariseLatency,
  summariseRestore,
  type BenchReport,
} from './lib/report.js';
import { runChild } from './lib/spawn-child.js';

const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
const log = (line: string) => console.error(line);

async function main(options: BenchOptions): Promise<void> {
  const began = Date.now();
  const kafka = await ensureKafka({ log });
  try {
    const client = benchKafka(kafka.brokers, 'tributary-bench');
    const admin = client.admin();
    await admin.connect();
    let runs: MeasuredRun[] = [];
    let restoreRuns: RestoreRun[] = [];
    let latencyRuns: LatencyRun[] = [];
    const profileDir = options.profile ? `${resultsDir}profiles` : undefined;
    try {
      if (options.broker) {
        const inputTopic = await ensureInput(client, options.records, log);
        if (options.workloads.includes('join')) await ensureTable(client, log);
        log(`Broker workloads, ${options.rounds} A/B rounds each:`);
        runs = await runBrokerSuite(options, {
          brokers: kafka.brokers,
          admin,
          inputTopic,
          profileDir,
          java: options.javaBaseline,
          log,
        });
      }
      if (options.restore) {
        log(`Restoration, ${options.rounds} rounds:`);
        await ensureChangelog(client, admin, options.restoreRecords, log);
        restoreRuns = await runRestoreSuite(
          kafka.brokers,
          admin,
          options.restoreRecords,
          options.rounds,
          log,
          options.kafkaClient,
          options.javaBaseline,
        );
      }
      if (options.latency) {
        log(
          `Latency at ${options.latencyRate.toLocaleString('en-US')} records/s for ${options.latencySeconds} s, ${options.rounds} rounds:`,
        );
        latencyRuns = await runLatencySuite(
          client,
          admin,
          kafka.brokers,
          {
            ratePerSecond: options.latencyRate,
            seconds: options.latencySeconds,
            warmupSeconds: options.latencyWarmupSeconds,
            rounds: options.rounds,
            java: options.javaBaseline,
            kafkaClient: options.kafkaClient,
          },
          log,
        );
      }
    } finally {
      await admin.disconnect();
    }
    const driver = options.driver ? await runDriverChild(options) : undefined;
    const report: BenchReport = {
      date: new Date().toISOString(),
      mode:
        options.records === 1_000_000
          ? 'full'
          : options.quick && options.records === 100_000
            ? 'quick'
            : 'custom',
      records: options.records,
      rounds: options.rounds,
      commitIntervalMs: options.commitIntervalMs,
      node: process.version,
      brokers: kafka.brokers,
      workloads: options.broker ? options.workloads.map((w) => summarise(w, runs)) : [],
      runs,
      driver,
      restore: summariseRestore(restoreRuns),
      restoreRuns,
      latency: summariseLatency(latencyRuns, {
        ratePerSecond: options.latencyRate,
        seconds: options.latencySeconds,
        warmupSeconds: options.latencyWarmupSeconds,
      }),
      latencyRuns,
    };
    console.log(`\n${describeSetup(options)}\n\n${formatReport(report)}\n`);
    if (options.profile) printProfiles(runs);
    await writeJson(report, options.jsonFile);
    log(`Done in ${((Date.now() - began) / 1000).toFixed(0)} s.`);
  } finally {
    await kafka.stop();
  }
}

function runDriverChild(options: BenchOptions): Promise<DriverRunResult> {
  log('In-process driver benchmarks…');
  const job: DriverJob = options.quick
    ? { kind: 'driver', records: 100_000, joinRecords: 50_000, windowedRecords: 50_000, runs: 2 }
    : { kind: 'driver', records: 500_000, joinRecords: 200_000, windowedRecords: 200_000, runs: 3 };
  return runChild<DriverRunResult>(job);
}

function printProfiles(runs: readonly MeasuredRun[]): void {
  for (const run of runs) {
    if (run.profile === undefined || !existsSync(run.profile)) continue;
    console.log(
      `Hottest self-time frames, ${run.workload} round ${run.round} (processing window), ${run.profile}:`,
    );
    for (const f of hotFrames(run.profile, 10, run.windowMicros)) {
      console.log(
        `  ${f.selfPercent.toFixed(1).padStart(5)}%  ${String(f.selfMs).padStart(6)} ms  ${f.frame}`,
      );
    }
    console.log('');
  }
}

async function writeJson(report: BenchReport, extraFile: string | undefined): Promise<void> {
  await mkdir(resultsDir, { recursive: true });
  const text = `${JSON.stringify(report, null, 2)}\n`;
  await writeFile(`${resultsDir}latest.json`, text);
  if (extraFile !== undefined) await writeFile(extraFile, text);
  log(`Figures written to bench/results/latest.json${extraFile === undefined ? '' : ` and ${extraFile}`}.`);
}

let options: BenchOptions;
try {
  options = parseArgs(process.argv.slice(2));
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
if (process.argv.includes('--help')) console.log(USAGE);
else await main(options);
