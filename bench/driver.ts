/**
 * Driver throughput: how many records per second the in-process TopologyTestDriver pushes through
 * (a) a stateless chain and (b) a count over an in-memory store. Run: `npx tsx bench/driver.ts`.
 * Inputs are serialized up front, so the figures cover the topology (deserialize at the source,
 * operators, store, serialize at the sink), not the test's own serialization.
 */
import { pathToFileURL } from 'node:url';
import { Serdes, StreamsBuilder, type Topology } from '../src/index.js';
import { TopologyTestDriver, type TestOutputTopic } from '../src/testing/index.js';

/** One benchmark's result: best of `runs` timed runs after one warm-up run. */
export interface DriverBenchResult {
  readonly name: string;
  readonly records: number;
  readonly runs: number;
  readonly bestRecordsPerSecond: number;
  readonly allRecordsPerSecond: readonly number[];
}

/** Options of `runDriverBench`; defaults measure 500,000 records per run over 100,000 keys. */
export interface DriverBenchOptions {
  readonly records?: number;
  readonly distinctKeys?: number;
  readonly runs?: number;
}

interface Event {
  id: number;
  user: string;
  kind: string;
  amount: number;
  tags: string[];
  note: string;
}

const APPLICATION_ID = 'bench';
const BASELINE_NAME = 'baseline: JSON parse → map → stringify, no driver';
/** Output records are drained this often so the driver's queues stay small. */
const DRAIN_EVERY = 1_000;

function inputs(records: number, distinctKeys: number): { keys: Buffer[]; values: Buffer[] } {
  const keys: Buffer[] = [];
  const values: Buffer[] = [];
  for (let i = 0; i < records; i++) {
    const event: Event = {
      id: i,
      user: `user-${i % distinctKeys}`,
      kind: i % 10 === 0 ? 'refund' : 'purchase',
      amount: (i % 997) + 0.5,
      tags: ['bench', 'driver', `shard-${i % 16}`],
      note: 'x'.repeat(90),
    };
    keys.push(Buffer.from(`key-${i % distinctKeys}`));
    values.push(Buffer.from(JSON.stringify(event)));
  }
  return { keys, values };
}

function statelessTopology(): Topology {
  const b = new StreamsBuilder();
  b.stream('events', { key: Serdes.string(), value: Serdes.json<Event>() })
    .filter((_, e) => e.kind === 'purchase')
    .mapValues((e) => ({ user: e.user, amount: e.amount }))
    .mapValues((e) => ({ ...e, cents: Math.round(e.amount * 100) }))
    .to('purchases', { value: Serdes.json() });
  return b.build();
}

function countTopology(): Topology {
  const b = new StreamsBuilder();
  b.stream('events', { key: Serdes.string(), value: Serdes.json<Event>() })
    .groupByKey()
    .count({ name: 'counts', materialized: { storeType: 'in-memory' } });
  return b.build();
}

/**
 * The same work as the stateless chain without a topology: JSON.parse, the two mappings,
 * JSON.stringify. The driver can never beat it; results are also shown as a ratio to it, since
 * the machines are shared and absolute numbers drift.
 */
function timeBaseline(values: Buffer[]): number {
  let bytes = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < values.length; i++) {
    const e = JSON.parse(values[i]!.toString('utf8')) as Event;
    if (e.kind !== 'purchase') continue;
    const m = { user: e.user, amount: e.amount };
    bytes += Buffer.from(JSON.stringify({ ...m, cents: Math.round(m.amount * 100) }), 'utf8').length;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (bytes < 0) throw new Error('unreachable: keeps the loop from being optimized away');
  return values.length / seconds;
}

/** Pipes every input once; returns records per second. */
function timeOneRun(
  topology: Topology,
  outputTopics: readonly string[],
  keys: Buffer[],
  values: Buffer[],
): number {
  const driver = new TopologyTestDriver(topology, { applicationId: APPLICATION_ID }, 0);
  const input = driver.createInputTopic('events', Serdes.buffer(), Serdes.buffer());
  const outputs: TestOutputTopic<Buffer, Buffer | null>[] = outputTopics.map((t) =>
    driver.createOutputTopic(t, Serdes.buffer(), Serdes.buffer(), { tombstones: true }),
  );
  const drain = () => {
    for (const output of outputs) while (!output.isEmpty()) output.readValue();
  };
  const start = process.hrtime.bigint();
  for (let i = 0; i < keys.length; i++) {
    input.pipeInput(keys[i]!, values[i]!, i);
    if (i % DRAIN_EVERY === 0) drain();
  }
  drain();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  driver.close();
  return keys.length / seconds;
}

function bestOf(name: string, records: number, runs: number, once: () => number): DriverBenchResult {
  once(); // warm-up
  const all: number[] = [];
  for (let r = 0; r < runs; r++) all.push(once());
  return { name, records, runs, bestRecordsPerSecond: Math.max(...all), allRecordsPerSecond: all };
}

function measure(
  name: string,
  makeTopology: () => Topology,
  outputTopics: readonly string[],
  data: ReturnType<typeof inputs>,
  runs: number,
): DriverBenchResult {
  return bestOf(name, data.keys.length, runs, () =>
    timeOneRun(makeTopology(), outputTopics, data.keys, data.values),
  );
}

/**
 * Runs both driver benchmarks and the baseline they are compared with, and returns their figures
 * (for `bench/run.ts`): `[stateless, count, baseline]`.
 * @example `const [stateless, count, baseline] = runDriverBench({ records: 200_000 })`
 */
export function runDriverBench(options: DriverBenchOptions = {}): DriverBenchResult[] {
  const records = options.records ?? 500_000;
  const distinctKeys = options.distinctKeys ?? 100_000;
  const runs = options.runs ?? 3;
  const data = inputs(records, distinctKeys);
  return [
    measure('stateless: filter → mapValues → mapValues → to', statelessTopology, ['purchases'], data, runs),
    measure(
      'groupByKey().count() (in-memory store)',
      countTopology,
      [`${APPLICATION_ID}-counts-changelog`],
      data,
      runs,
    ),
    bestOf(BASELINE_NAME, records, runs, () => timeBaseline(data.values)),
  ];
}

/** A small fixed-width table of the results. */
export function formatDriverBench(results: readonly DriverBenchResult[]): string {
  const baseline = results.find((r) => r.name === BASELINE_NAME)?.bestRecordsPerSecond;
  const rows = results.map((r) => [
    r.name,
    r.records.toLocaleString('en-US'),
    Math.round(r.bestRecordsPerSecond).toLocaleString('en-US'),
    baseline === undefined ? '-' : `${(r.bestRecordsPerSecond / baseline).toFixed(2)}x`,
  ]);
  const header = [
    'benchmark (TopologyTestDriver)',
    'records/run',
    `best records/s (of ${results[0]?.runs ?? 0})`,
    'vs baseline',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const sample = inputs(1, 1).values[0]!.length;
  console.log(`JSON values of ~${sample} bytes, 100,000 distinct keys, best of 3 after a warm-up run.\n`);
  console.log(formatDriverBench(runDriverBench()));
}
