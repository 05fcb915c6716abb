/**
 * The latency benchmark's contenders as long-running processes: Tributary in a Node child
 * (`bench/child.ts`, job kind `latency`) and Kafka Streams in a JVM (`BenchApp --until stdin`).
 * Each prints a ready line once it processes, runs while the harness drives the load, and stops
 * and reports its start-up and peak RSS when its stdin is closed.
 */
import { spawn } from 'node:child_process';
import { JAVA_HEAP, buildKafkaStreamsJar } from '../java-baseline.js';
import { READY_MARKER, RESULT_MARKER, type LatencyContenderResult, type LatencyJob } from './protocol.js';
import { QUIET, childScript, repoRoot } from './spawn-child.js';

/** A contender that processes until `stop()`. */
export interface ServingContender {
  /** Resolves once the contender reports that it processes; rejects if it exits first. */
  readonly ready: Promise<void>;
  /** Closes its stdin and resolves with what it reports on exit. */
  stop(): Promise<LatencyContenderResult>;
}

/** Starts Tributary's latency child. */
export function serveTributary(job: LatencyJob): ServingContender {
  return serve(
    'Tributary latency child',
    process.execPath,
    [...QUIET, '--import', 'tsx', childScript, JSON.stringify(job)],
    (stdout) => {
      const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
      return line === undefined
        ? undefined
        : (JSON.parse(line.slice(RESULT_MARKER.length)) as LatencyContenderResult);
    },
  );
}

/** The Kafka Streams latency app's arguments; its own defaults apply (`--streams-defaults true`). */
export interface KafkaStreamsLatencyJob {
  readonly brokers: string[];
  readonly applicationId: string;
  readonly inputTopic: string;
  readonly outputTopic: string;
  readonly stateDir: string;
  readonly timeoutSeconds: number;
}

/** Starts the Kafka Streams latency app; `{ skipped }` when Java cannot run here. */
export async function serveKafkaStreams(
  job: KafkaStreamsLatencyJob,
  log: (line: string) => void,
): Promise<ServingContender | { skipped: string }> {
  const jar = await buildKafkaStreamsJar(log);
  if (typeof jar !== 'string') return jar;
  const args = [
    JAVA_HEAP,
    '-jar',
    jar,
    ...['--brokers', job.brokers.join(','), '--workload', 'stateless', '--streams-defaults', 'true'],
    ...['--input', job.inputTopic, '--output', job.outputTopic, '--application-id', job.applicationId],
    ...['--state-dir', job.stateDir, '--until', 'stdin', '--expected', '0'],
    ...['--timeout-seconds', String(job.timeoutSeconds)],
  ];
  return serve('Kafka Streams latency app', 'java', args, (stdout) => {
    const line = stdout.split('\n').findLast((l) => l.startsWith('{'));
    if (line === undefined) return undefined;
    const r = JSON.parse(line) as { startupSeconds: number; maxRssBytes: number };
    return { startupMs: Math.round(r.startupSeconds * 1000), peakRssMb: Math.round(r.maxRssBytes / 2 ** 20) };
  });
}

function serve(
  name: string,
  command: string,
  args: string[],
  parse: (stdout: string) => LatencyContenderResult | undefined,
): ServingContender {
  const child = spawn(command, args, { cwd: repoRoot, stdio: ['pipe', 'pipe', 'inherit'] });
  let stdout = '';
  let markReady: () => void = () => undefined;
  let failReady: (e: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  const exited = new Promise<number | null>((resolve) => {
    child.on('close', (code) => {
      failReady(new Error(`${name} exited with ${code} before it was ready:\n${stdout.slice(-2000)}`));
      resolve(code);
    });
  });
  // Closing the stdin of a child that already exited must not crash the harness.
  child.stdin.on('error', () => undefined);
  child.on('error', (e) => failReady(new Error(`${name} could not start: ${e.message}`)));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (stdout.includes(`${READY_MARKER}\n`)) markReady();
  });
  return {
    ready,
    async stop() {
      child.stdin.end();
      const code = await exited;
      const result = parse(stdout);
      if (code !== 0 || result === undefined) {
        throw new Error(`${name} exited with ${code} and no result:\n${stdout.slice(-2000)}`);
      }
      return result;
    },
  };
}
