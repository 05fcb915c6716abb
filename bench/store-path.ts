/**
 * CPU cost per input record of the count workload's own path, without a broker or a client: the
 * bench's count topology (`groupByKey().count({ name: 'counts' }).toStream().to(out, long)`) in
 * four `StreamTask`s over the default persistent (`level`) store with the default 10 MiB record
 * cache and change-logging into a `KafkaRecordCollector`, committed (stores flushed, collected
 * records drained and their changelog offsets noted) every `commitEvery` records, as the runtime
 * does at each commit. It measures `process.cpuUsage()` (every thread: LevelDB's batch writes run
 * off the main thread) around the run, and the same loop doing only the source's `JSON.parse`, so
 * `own µs/record` is what Tributary adds on top of the JSON work every contender does.
 *
 * Run: `npx tsx bench/store-path.ts [--records 400000] [--rounds 3]`; add `--cpu-prof` to node
 * (`node --import tsx --cpu-prof bench/store-path.ts`) for a profile.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { consoleLogger } from '../src/logger.js';
import { KafkaRecordCollector } from '../src/runtime/kafka-record-collector.js';
import { StreamTask, type TaskHost } from '../src/runtime/stream-task.js';
import { TaskStores } from '../src/runtime/task-stores.js';
import type { SentPartition } from '../src/kafka/port.js';
import { benchTopology } from './lib/tributary.js';
import { DISTINCT_KEYS, eventOf, INPUT_PARTITIONS, keyOf } from './lib/workload.js';

/** One round's figures. */
export interface StorePathResult {
  readonly records: number;
  /** CPU (user + system, all threads) per input record through the topology. */
  readonly totalMicrosPerRecord: number;
  /** CPU per record of the source's JSON.parse alone. */
  readonly jsonMicrosPerRecord: number;
  /** The difference: what Tributary's runtime and stores add per record. */
  readonly ownMicrosPerRecord: number;
  readonly recordsSent: number;
}

export interface StorePathOptions {
  readonly records?: number;
  /** Input records between two commits (the runtime commits every second: ~40k records here). */
  readonly commitEvery?: number;
  /** Records per simulated fetch batch. */
  readonly batchSize?: number;
}

const INPUT = 'events';
const OUTPUT = 'counts-out';
const APPLICATION_ID = 'store-path-bench';
const CACHE_BYTES = 10 * 1024 * 1024;

interface Input {
  readonly partition: number;
  readonly key: Buffer;
  readonly value: Buffer;
}

function inputs(records: number): Input[] {
  const out: Input[] = [];
  for (let i = 0; i < records; i++) {
    const key = keyOf(i);
    // A stable partition per key, so each task owns a quarter of the keys as in the broker bench.
    const partition = Number(key.slice(5)) % INPUT_PARTITIONS;
    out.push({ partition, key: Buffer.from(key), value: Buffer.from(JSON.stringify(eventOf(i))) });
  }
  return out;
}

function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

const host: TaskHost = {
  applicationId: APPLICATION_ID,
  defaultKeySerde: undefined,
  defaultValueSerde: undefined,
  wallClockMs: () => Date.now(),
  onDeserializationError: () => 'fail',
  onProcessingError: () => 'fail',
  onProductionError: () => 'fail',
  globalStore: () => undefined,
  requestCommit: () => undefined,
  logger: consoleLogger('warn'),
};

/** Runs `records` inputs through four fresh tasks; returns the CPU spent and the records sent. */
async function runTopology(
  data: readonly Input[],
  options: Required<StorePathOptions>,
): Promise<[number, number]> {
  const topology = benchTopology('count', INPUT, OUTPUT);
  const changelog = topology.changelogTopic(APPLICATION_ID, 'counts') as string;
  const partitionCounts = new Map([
    [INPUT, INPUT_PARTITIONS],
    [OUTPUT, INPUT_PARTITIONS],
    [changelog, INPUT_PARTITIONS],
  ]);
  const dir = await mkdtemp(join(tmpdir(), 'tributary-store-path-'));
  const subtopology = topology.subtopologies()[0]!;
  // One budget shared by every cache of the instance, as KafkaStreams gives its tasks.
  const cacheBudget = { maxBytes: CACHE_BYTES, usedBytes: 0 };
  const tasks: StreamTask[] = [];
  const collectors: KafkaRecordCollector[] = [];
  for (let p = 0; p < INPUT_PARTITIONS; p++) {
    const collector = new KafkaRecordCollector(partitionCounts, new Set([changelog]));
    const stores = new TaskStores(topology, {
      applicationId: APPLICATION_ID,
      taskId: `0_${p}`,
      partition: p,
      taskDir: join(dir, `0_${p}`),
      cacheMaxBytes: CACHE_BYTES,
      cacheBudget,
      collector,
      defaultDslStore: 'persistent', // what KafkaStreams uses by default
    });
    const task = new StreamTask(subtopology.id, p, topology, subtopology.nodes, host, stores, collector);
    await stores.init(task.storeNames());
    task.initProcessors();
    tasks.push(task);
    collectors.push(collector);
  }
  let sent = 0;
  const commit = async () => {
    await Promise.all(tasks.map((t) => t.stores.flush()));
    for (const c of collectors) {
      const batch = c.drain();
      sent += batch.length;
      const partitions: SentPartition[] = [];
      for (let p = 0; p < INPUT_PARTITIONS; p++)
        partitions.push({ topic: changelog, partition: p, baseOffset: String(sent) });
      c.noteChangelogOffsets(batch, partitions);
    }
  };
  const start = cpuMicros();
  let sinceCommit = 0;
  for (let i = 0; i < data.length; i += options.batchSize) {
    const end = Math.min(data.length, i + options.batchSize);
    for (let j = i; j < end; j++) {
      const r = data[j]!;
      tasks[r.partition]!.process(INPUT, j, r.key, r.value, 1_700_000_000_000 + j, undefined);
    }
    sinceCommit += end - i;
    if (sinceCommit >= options.commitEvery) {
      sinceCommit = 0;
      await commit();
    }
  }
  await commit();
  const spent = cpuMicros() - start;
  for (const t of tasks) await t.close();
  await rm(dir, { recursive: true, force: true });
  return [spent, sent];
}

function runJsonOnly(data: readonly Input[]): number {
  const start = cpuMicros();
  let sink = 0;
  for (const r of data) {
    sink += r.key.toString().length;
    sink += (JSON.parse(r.value.toString()) as { id: number }).id;
  }
  const spent = cpuMicros() - start;
  if (sink === -1) console.log(sink);
  return spent;
}

/** One round: the topology, then the JSON-only loop, over the same inputs. */
export async function runStorePathBench(options: StorePathOptions = {}): Promise<StorePathResult> {
  const full: Required<StorePathOptions> = {
    records: options.records ?? 400_000,
    commitEvery: options.commitEvery ?? 40_000,
    batchSize: options.batchSize ?? 500,
  };
  const data = inputs(full.records);
  const [total, sent] = await runTopology(data, full);
  const json = runJsonOnly(data);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    records: full.records,
    totalMicrosPerRecord: round(total / full.records),
    jsonMicrosPerRecord: round(json / full.records),
    ownMicrosPerRecord: round((total - json) / full.records),
    recordsSent: sent,
  };
}

function argument(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const records = argument('--records', 400_000);
  const rounds = argument('--rounds', 3);
  console.log(`count store path, ${records} records over ${DISTINCT_KEYS} keys, ${rounds} rounds`);
  for (let r = 0; r < rounds; r++) console.log(JSON.stringify(await runStorePathBench({ records })));
}
