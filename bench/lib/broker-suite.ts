/**
 * The broker benchmark: for each workload, alternating rounds of raw kafkajs and Tributary, each
 * in its own child process, on fresh output topics and a fresh consumer group, all reading the
 * same pre-produced input topic.
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Admin } from 'kafkajs';
import type { BenchOptions } from './args.js';
import { createTopic, removeRunArtifacts } from './broker.js';
import { runJava } from './java.js';
import type { BrokerJob, BrokerRunResult, Contender } from './protocol.js';
import { runChild } from './spawn-child.js';
import type { Workload } from './workload.js';

/**
 * Contenders in the order each round runs them (A/B, exactly-once Tributary on count unless
 * `--no-eos`, then Kafka Streams when it can run).
 */
function contendersOf(workload: Workload, options: BenchOptions): Contender[] {
  const eos = workload === 'count' && options.exactlyOnce;
  return eos ? ['raw-kafkajs', 'tributary', 'tributary-eos'] : ['raw-kafkajs', 'tributary'];
}

/** Every contender of the table: the child-process ones and Kafka Streams in a JVM. */
export type SuiteContender = Contender | 'kafka-streams-java';

export interface BrokerSuiteContext {
  readonly brokers: string[];
  readonly admin: Admin;
  readonly inputTopic: string;
  /** Where `--cpu-prof` profiles go; profiling is off without it. */
  readonly profileDir: string | undefined;
  /** Also run the Kafka Streams (Java) baseline in each round. */
  readonly java: boolean;
  readonly log: (line: string) => void;
}

/** A run's figures plus the profile file it wrote, if profiled. */
export interface MeasuredRun extends Omit<BrokerRunResult, 'contender' | 'windowMicros'> {
  readonly contender: SuiteContender;
  readonly round: number;
  readonly windowMicros?: readonly [number, number];
  readonly profile?: string;
}

export async function runBrokerSuite(
  options: BenchOptions,
  context: BrokerSuiteContext,
): Promise<MeasuredRun[]> {
  const runs: MeasuredRun[] = [];
  const stamp = Date.now().toString(36);
  for (const workload of options.workloads) {
    for (let round = 1; round <= options.rounds; round++) {
      for (const contender of contendersOf(workload, options)) {
        const run = await runOnce(options, context, { workload, contender, round, stamp });
        logRun(context, run);
        runs.push(run);
      }
      if (context.java) {
        const runId = `tributary-bench-${stamp}-${workload}-kafka-streams-${round}`;
        const timeoutSeconds = Math.max(60, Math.ceil(options.records / 5_000));
        const java = await runJava({
          ...context,
          records: options.records,
          workload,
          round,
          runId,
          timeoutSeconds,
        });
        if (java !== undefined) {
          const run: MeasuredRun = { ...java, contender: 'kafka-streams-java', records: options.records };
          logRun(context, run);
          runs.push(run);
        }
      }
    }
  }
  return runs;
}

function logRun(context: BrokerSuiteContext, run: MeasuredRun): void {
  context.log(
    `  ${run.workload} round ${run.round} ${run.contender.padEnd(18)} ${run.recordsPerSecond.toLocaleString('en-US').padStart(9)} records/s` +
      `  (${(run.processingMs / 1000).toFixed(1)} s, start-up ${(run.startupMs / 1000).toFixed(1)} s, peak RSS ${run.peakRssMb} MiB)`,
  );
}

interface RunId {
  workload: Workload;
  contender: Contender;
  round: number;
  stamp: string;
}

async function runOnce(options: BenchOptions, context: BrokerSuiteContext, id: RunId): Promise<MeasuredRun> {
  const groupId = `tributary-bench-${id.stamp}-${id.workload}-${id.contender}-${id.round}`;
  const job: BrokerJob = {
    kind: 'broker',
    contender: id.contender,
    workload: id.workload,
    brokers: context.brokers,
    inputTopic: context.inputTopic,
    outputTopic: `${groupId}-output`,
    groupId,
    records: options.records,
    commitIntervalMs: options.commitIntervalMs,
    stateDir: join(tmpdir(), groupId),
    kafkaClient: options.kafkaClient,
  };
  const profileName = `${id.workload}-${id.contender}-${id.round}.cpuprofile`;
  const profiled = context.profileDir !== undefined && id.contender !== 'raw-kafkajs';
  const flags = profiled
    ? ['--cpu-prof', `--cpu-prof-dir=${context.profileDir}`, `--cpu-prof-name=${profileName}`]
    : [];
  await createTopic(context.admin, job.outputTopic);
  try {
    const result = await runChild<BrokerRunResult>(job, flags);
    return {
      ...result,
      round: id.round,
      ...(profiled ? { profile: resolve(context.profileDir!, profileName) } : {}),
    };
  } finally {
    await removeRunArtifacts(context.admin, [groupId], [groupId]);
    await rm(job.stateDir, { recursive: true, force: true });
  }
}
