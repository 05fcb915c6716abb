/**
 * The Kafka Streams (Java) baseline of the broker benchmarks: builds the
 * Maven project in `bench/kafka-streams/` into a fat jar once, runs it as a child JVM on the
 * workload of `bench/workload.md`, and reads back the one JSON line it prints.
 * Run alone (`npx tsx bench/java-baseline.ts [records]`) it measures both workloads once.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureKafka } from '../scripts/kafka/provision.js';
import { benchKafka, ensureInput, removeRunArtifacts } from './lib/broker.js';
import { WORKLOADS, expectedPurchases, type Workload } from './lib/workload.js';

const PROJECT_DIR = fileURLToPath(new URL('./kafka-streams/', import.meta.url));
const JAR = join(PROJECT_DIR, 'target', 'kafka-streams-bench.jar');
/** The JVM heap of every Kafka Streams run. */
export const JAVA_HEAP = '-Xmx1g';

/**
 * When a run is over. `output`: the output topic holds `expectedOutput` records; `committed`: the
 * group's committed offsets cover every input record; `consumed`: the app consumed them all.
 */
export type KafkaStreamsCompletion = 'consumed' | 'output' | 'committed';

/** Options of `runKafkaStreamsBaseline`. */
export interface KafkaStreamsBaselineOptions {
  brokers: string[];
  workload: Workload;
  /** An existing topic holding exactly `expected` input records. */
  input: string;
  /** Created with the input's partition count when missing. */
  output: string;
  /** Input records: the run ends once they are all processed (see `until`). */
  expected: number;
  /**
   * Defaults to what `bench/lib/completion.ts` uses for the other contenders: `output` for
   * stateless, `committed` for count (whose output size depends on caching).
   */
  until?: KafkaStreamsCompletion;
  /** With `until: 'output'`: defaults to the stateless workload's purchases among `expected`. */
  expectedOutput?: number;
  /**
   * Defaults to a fresh `ks-bench-<workload>-<time>`. Afterwards its group and every topic named
   * `<applicationId>-…` (Kafka Streams' internal topics, and so an output named that way) are deleted.
   */
  applicationId?: string;
  timeoutSeconds?: number;
  log?: (line: string) => void;
}

/** A measured run: throughput counts from the first assignment to completion. */
export interface KafkaStreamsBaselineResult {
  records: number;
  recordsPerSecond: number;
  seconds: number;
  /** From the JVM's `main` to the first assignment (the JVM's own boot is not included). */
  startupSeconds: number;
  /** Peak resident set size of the JVM (VmHWM). */
  maxRssBytes: number;
  outputRecords: number;
  until: KafkaStreamsCompletion;
}

/** Why the baseline did not run (no Java, no Maven, a failed build or run). */
export interface KafkaStreamsBaselineSkipped {
  skipped: string;
}

/**
 * Runs the Kafka Streams baseline once; never throws for a missing toolchain or a failed build or
 * run, it reports `{ skipped }` instead.
 * @example
 * const r = await runKafkaStreamsBaseline({ brokers, workload: 'count', input, output, expected: 100_000 });
 * if (!('skipped' in r)) console.log(r.recordsPerSecond);
 */
export async function runKafkaStreamsBaseline(
  opts: KafkaStreamsBaselineOptions,
): Promise<KafkaStreamsBaselineResult | KafkaStreamsBaselineSkipped> {
  const log = opts.log ?? (() => undefined);
  const built = await buildKafkaStreamsJar(log);
  if (typeof built !== 'string') return built;

  const until = opts.until ?? (opts.workload === 'stateless' ? 'output' : 'committed');
  const expectedOutput = until === 'output' ? expectedOutputOf(opts) : undefined;
  const applicationId = opts.applicationId ?? `ks-bench-${opts.workload}-${Date.now()}`;
  const stateDir = await mkdtemp(join(tmpdir(), 'ks-bench-'));
  const args = [
    JAVA_HEAP,
    '-jar',
    built,
    ...['--brokers', opts.brokers.join(','), '--workload', opts.workload],
    ...['--input', opts.input, '--output', opts.output, '--application-id', applicationId],
    ...['--state-dir', stateDir, '--until', until, '--expected', String(opts.expected)],
    ...(expectedOutput === undefined ? [] : ['--expected-output', String(expectedOutput)]),
    ...['--timeout-seconds', String(opts.timeoutSeconds ?? 600)],
  ];
  try {
    const run = await execute('java', args);
    if (run.code !== 0)
      return { skipped: `Kafka Streams run failed (exit ${run.code}): ${lastLines(run.stderr)}` };
    const line = run.stdout.split('\n').findLast((l) => l.startsWith('{'));
    if (line === undefined)
      return { skipped: `Kafka Streams run printed no result: ${lastLines(run.stdout)}` };
    return JSON.parse(line) as KafkaStreamsBaselineResult;
  } finally {
    await rm(stateDir, { recursive: true, force: true });
    await removeApplication(opts.brokers, applicationId).catch((e: unknown) =>
      log(`cleanup failed: ${String(e)}`),
    );
  }
}

function expectedOutputOf(opts: KafkaStreamsBaselineOptions): number {
  if (opts.expectedOutput !== undefined) return opts.expectedOutput;
  if (opts.workload === 'stateless') return expectedPurchases(opts.expected);
  throw new Error(`until: 'output' needs expectedOutput for the ${opts.workload} workload.`);
}

async function removeApplication(brokers: string[], applicationId: string): Promise<void> {
  const admin = benchKafka(brokers, `${applicationId}-cleanup`).admin();
  await admin.connect();
  try {
    await removeRunArtifacts(admin, [`${applicationId}-`], [applicationId]);
  } finally {
    await admin.disconnect();
  }
}

let building: Promise<string | KafkaStreamsBaselineSkipped> | undefined;

/**
 * Builds the fat jar unless it is newer than every source (offline first, then online, since the
 * first build downloads the dependencies); resolves with its path, or why it cannot be had.
 * Concurrent and repeated calls share one build.
 * @example
 * const jar = await buildKafkaStreamsJar(console.log);
 */
export function buildKafkaStreamsJar(
  log: (line: string) => void = () => undefined,
): Promise<string | KafkaStreamsBaselineSkipped> {
  building ??= build(log);
  return building;
}

async function build(log: (line: string) => void): Promise<string | KafkaStreamsBaselineSkipped> {
  const java = await execute('java', ['-version']);
  if (java.code !== 0) return { skipped: `no Java: ${lastLines(java.stderr)}` };
  if (await jarIsFresh()) return JAR;

  const began = Date.now();
  log('Building the Kafka Streams baseline jar (mvn package)…');
  let mvn = await execute('mvn', ['-q', '-o', 'package'], PROJECT_DIR);
  if (mvn.code !== 0 && !mvn.notStarted) {
    log('Offline build failed; building online (downloads the dependencies once)…');
    mvn = await execute('mvn', ['-q', 'package'], PROJECT_DIR);
  }
  if (mvn.code !== 0) return { skipped: `Maven build failed: ${lastLines(mvn.stderr + mvn.stdout)}` };
  log(`Built ${JAR} in ${((Date.now() - began) / 1000).toFixed(1)} s.`);
  return JAR;
}

async function jarIsFresh(): Promise<boolean> {
  const jarTime = await stat(JAR).then(
    (s) => s.mtimeMs,
    () => -1,
  );
  if (jarTime < 0) return false;
  const sources = [join(PROJECT_DIR, 'pom.xml'), ...(await filesUnder(join(PROJECT_DIR, 'src')))];
  const times = await Promise.all(sources.map(async (f) => (await stat(f)).mtimeMs));
  return times.every((t) => t < jarTime);
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** How a command ended. */
export interface Execution {
  /** -1 when the command could not be started (`notStarted`) or was killed. */
  code: number;
  stdout: string;
  stderr: string;
  /** The command is not installed (or not executable). */
  notStarted?: true;
}

/**
 * Runs a command to its end; never rejects.
 * @example
 * const { code, stdout } = await execute('java', ['-version']);
 */
export function execute(command: string, args: string[], cwd?: string): Promise<Execution> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', (error) =>
      resolve({ code: -1, stdout, stderr: `cannot run ${command}: ${error.message}`, notStarted: true }),
    );
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The last lines of a command's output, on one line, for an error message. */
export function lastLines(text: string, count = 5): string {
  return text.trim().split('\n').slice(-count).join(' | ');
}

async function main(records: number): Promise<void> {
  const kafka = await ensureKafka({ log: console.error });
  try {
    const client = benchKafka(kafka.brokers, 'ks-bench-main');
    const input = await ensureInput(client, records, console.error);
    for (const workload of WORKLOADS) {
      const output = `ks-bench-${workload}-out-${Date.now()}`;
      const result = await runKafkaStreamsBaseline({
        brokers: kafka.brokers,
        workload,
        input,
        output,
        expected: records,
        log: console.error,
      });
      console.log(`${workload}: ${JSON.stringify(result)}`);
      const admin = client.admin();
      await admin.connect();
      await removeRunArtifacts(admin, [output], []).finally(() => admin.disconnect());
    }
  } finally {
    await kafka.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main(Number(process.argv[2] ?? 100_000));
}
