/**
 * Driver throughput of a tumbling-window count: `npx tsx bench/driver-windowed.ts [records]`.
 * Prints records/s through the TopologyTestDriver (deserialize → windowed count → sink), which
 * measures the windowed aggregate and the in-memory window store without a broker.
 */
import { pathToFileURL } from 'node:url';
import { Serdes, StreamsBuilder, TimeWindows } from '../src/index.js';
import { TopologyTestDriver } from '../src/testing/index.js';

/** The figure of one windowed-count run (after a warm-up run). */
export interface WindowedBenchResult {
  readonly name: string;
  readonly records: number;
  readonly recordsPerSecond: number;
}

const keys = 1_000;

/**
 * Runs the tumbling-window count over `records` inputs spread over 1,000 keys.
 * @example `const { recordsPerSecond } = runWindowedBench(100_000)`
 */
export function runWindowedBench(records = 200_000): WindowedBenchResult {
  const builder = new StreamsBuilder();
  builder
    .stream('clicks', { key: Serdes.string(), value: Serdes.string() })
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(60_000, 5_000))
    .count({ name: 'clicks-per-minute', materialized: { logging: false } })
    .toStream()
    .to('counts', { key: Serdes.windowed(Serdes.string(), { windowSizeMs: 60_000 }), value: Serdes.long() });

  const driver = new TopologyTestDriver(builder.build(), { applicationId: 'bench' }, 0);
  const input = driver.createInputTopic('clicks', Serdes.string(), Serdes.string());
  const output = driver.createOutputTopic('counts', Serdes.windowed(Serdes.string()), Serdes.long());
  const names = Array.from({ length: keys }, (_, i) => `user-${i}`);

  const run = (n: number, offset: number): number => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      input.pipeInput(names[i % keys] as string, 'click', (offset + i) * 10);
      if (i % 10_000 === 0) output.readRecordsToList(); // keep the captured output small
    }
    return Number(process.hrtime.bigint() - start) / 1e9;
  };

  run(Math.min(20_000, records), 0); // warm-up
  const seconds = run(records, 20_000);
  driver.close();
  return {
    name: `tumbling-window count (1 min, ${keys.toLocaleString('en-US')} keys, in-memory window store)`,
    records,
    recordsPerSecond: Math.round(records / seconds),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { records, recordsPerSecond } = runWindowedBench(Number(process.argv[2] ?? 200_000));
  console.log(
    `tumbling-window count through the driver: ${recordsPerSecond.toLocaleString('en-US')} records/s (${records} records, ${keys} keys)`,
  );
}
