/**
 * Stream–stream join throughput through the in-process TopologyTestDriver: records per second
 * for an inner and a left join over in-memory window stores. Run: `npx tsx bench/driver-join.ts`.
 * Inputs are serialized up front; left and right records alternate, and each left record has
 * exactly one right partner (same key, 1 ms later), so every second input produces one result.
 */
import { pathToFileURL } from 'node:url';
import { JoinWindows, Serdes, StreamsBuilder, type Topology } from '../src/index.js';
import { TopologyTestDriver } from '../src/testing/index.js';

/** One benchmark's result: best of `runs` timed runs after one warm-up run. */
export interface JoinBenchResult {
  readonly name: string;
  readonly records: number;
  readonly results: number;
  readonly bestRecordsPerSecond: number;
}

const DRAIN_EVERY = 1_000;

function inputs(records: number, distinctKeys: number): { keys: Buffer[]; values: Buffer[] } {
  const keys: Buffer[] = [];
  const values: Buffer[] = [];
  for (let i = 0; i < records; i++) {
    keys.push(Buffer.from(`key-${(i >> 1) % distinctKeys}`));
    values.push(Buffer.from(JSON.stringify({ seq: i, amount: (i % 997) + 0.5, note: 'x'.repeat(40) })));
  }
  return { keys, values };
}

function joinTopology(kind: 'join' | 'leftJoin'): Topology {
  const b = new StreamsBuilder();
  const left = b.stream('left', { key: Serdes.string(), value: Serdes.json<{ amount: number }>() });
  const right = b.stream('right', { key: Serdes.string(), value: Serdes.json<{ amount: number }>() });
  const windows = JoinWindows.ofTimeDifferenceAndGrace(100, 10);
  const joiner = (l: { amount: number }, r: { amount: number } | null) => ({
    total: l.amount + (r?.amount ?? 0),
  });
  (kind === 'join' ? left.join(right, joiner, windows) : left.leftJoin(right, joiner, windows)).to('joined', {
    key: Serdes.string(),
    value: Serdes.json(),
  });
  return b.build();
}

function timeOneRun(
  topology: Topology,
  keys: Buffer[],
  values: Buffer[],
): { perSecond: number; results: number } {
  const driver = new TopologyTestDriver(topology, { applicationId: 'bench' }, 0);
  const left = driver.createInputTopic('left', Serdes.buffer(), Serdes.buffer());
  const right = driver.createInputTopic('right', Serdes.buffer(), Serdes.buffer());
  const output = driver.createOutputTopic('joined', Serdes.buffer(), Serdes.buffer(), { tombstones: true });
  let results = 0;
  const drain = () => {
    while (!output.isEmpty()) {
      output.readValue();
      results++;
    }
  };
  const start = process.hrtime.bigint();
  for (let i = 0; i < keys.length; i++) {
    (i % 2 === 0 ? left : right).pipeInput(keys[i]!, values[i]!, i);
    if (i % DRAIN_EVERY === 0) drain();
  }
  drain();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  driver.close();
  return { perSecond: keys.length / seconds, results };
}

/**
 * Runs the join benchmarks.
 * @example `const [inner, left] = runJoinBench(100_000)`
 */
export function runJoinBench(records = 200_000, distinctKeys = 10_000, runs = 3): JoinBenchResult[] {
  const data = inputs(records, distinctKeys);
  return (['join', 'leftJoin'] as const).map((kind) => {
    timeOneRun(joinTopology(kind), data.keys, data.values); // warm-up
    let best = 0;
    let results = 0;
    for (let r = 0; r < runs; r++) {
      const run = timeOneRun(joinTopology(kind), data.keys, data.values);
      best = Math.max(best, run.perSecond);
      results = run.results;
    }
    return {
      name: `stream–stream ${kind} (±100 ms, in-memory window stores)`,
      records,
      results,
      bestRecordsPerSecond: best,
    };
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log('TopologyTestDriver, 200,000 input records over 10,000 keys, best of 3 after a warm-up run.\n');
  for (const r of runJoinBench()) {
    console.log(
      `${r.name.padEnd(58)} ${Math.round(r.bestRecordsPerSecond).toLocaleString('en-US').padStart(10)} records/s  (${r.results.toLocaleString('en-US')} results)`,
    );
  }
}
