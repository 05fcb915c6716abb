/**
 * The Kafka Streams (Java) baseline of `bench/java-baseline.ts`, run as a third contender of each
 * A/B round on its own fresh output topic and application id. A missing toolchain or a failed
 * build leaves it out of the table (logged once) instead of failing the benchmark.
 */
import type { Admin } from 'kafkajs';
import { runKafkaStreamsBaseline } from '../java-baseline.js';
import { createTopic, removeRunArtifacts } from './broker.js';
import type { Workload } from './workload.js';

/** One Kafka Streams run, in the units of the other contenders. */
export interface JavaRun {
  readonly workload: Workload;
  readonly round: number;
  readonly recordsPerSecond: number;
  readonly processingMs: number;
  readonly startupMs: number;
  readonly peakRssMb: number;
  readonly outputRecords: number;
}

export interface JavaRunRequest {
  readonly brokers: string[];
  readonly admin: Admin;
  readonly inputTopic: string;
  readonly records: number;
  readonly workload: Workload;
  readonly round: number;
  /** Unique per run: names the output topic and the application id. */
  readonly runId: string;
  /** How long one run may take before Kafka Streams gives up. */
  readonly timeoutSeconds: number;
  readonly log: (line: string) => void;
}

let unavailable: string | undefined;

/** Runs Kafka Streams once; `undefined` when it cannot run on this machine. */
export async function runJava(request: JavaRunRequest): Promise<JavaRun | undefined> {
  if (unavailable !== undefined) return undefined;
  const output = `${request.runId}-output`;
  await createTopic(request.admin, output);
  try {
    const result = await runKafkaStreamsBaseline({
      brokers: request.brokers,
      workload: request.workload,
      input: request.inputTopic,
      output,
      expected: request.records,
      applicationId: request.runId,
      timeoutSeconds: request.timeoutSeconds,
      log: request.log,
    });
    if ('skipped' in result) {
      unavailable = result.skipped;
      request.log(`Kafka Streams (Java) baseline left out: ${result.skipped}`);
      return undefined;
    }
    return {
      workload: request.workload,
      round: request.round,
      recordsPerSecond: Math.round(result.recordsPerSecond),
      processingMs: Math.round(result.seconds * 1000),
      startupMs: Math.round(result.startupSeconds * 1000),
      peakRssMb: Math.round(result.maxRssBytes / 2 ** 20),
      outputRecords: result.outputRecords,
    };
  } finally {
    await removeRunArtifacts(request.admin, [output], []);
  }
}
