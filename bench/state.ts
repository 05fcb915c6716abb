/**
 * State store throughput: put/get/range operations per second through the full key-value layer
 * stack (metered → caching → change-logging → inner, with a changelog that goes nowhere) and
 * without the cache, over the in-memory and the `level` inner stores; and how fast a `level` store
 * restores 1,000,000 changelog records through its restore callback plus a flush per batch (what
 * the runtime does per fetched batch; reading the changelog from a broker is measured elsewhere).
 * Run: `npx tsx bench/state.ts`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Serdes, Stores } from '../src/index.js';
import type { KeyValueStore } from '../src/index.js';
import type { ChangelogRecord, StateStore, StateStoreContext } from '../src/state/store.js';

/** One figure: `operations` done at `perSecond`. */
export interface StateBenchResult {
  readonly name: string;
  readonly operations: number;
  readonly perSecond: number;
  /** What one operation is. */
  readonly unit: string;
}

/** Options of `runStateBench`; the defaults are the figures in docs/state.md. */
export interface StateBenchOptions {
  /** Puts and gets per stack. */
  readonly operations?: number;
  /** Distinct keys written (puts beyond that are updates). */
  readonly distinctKeys?: number;
  /** Range scans per stack, each over `rangeLength` consecutive keys. */
  readonly ranges?: number;
  readonly rangeLength?: number;
  /** Changelog records restored into a `level` store. */
  readonly restoreRecords?: number;
  /** Records per restore batch (each followed by a flush). */
  readonly restoreBatch?: number;
  /** Puts between two flushes (a commit). */
  readonly flushEvery?: number;
}

const VALUE = 'v'.repeat(100);
const CACHE_BYTES = 10 * 1024 * 1024;

/** A task context whose changelog goes nowhere and which hands out the restore callback. */
class BenchStoreContext implements StateStoreContext {
  readonly applicationId = 'bench';
  readonly taskId = '0_0';
  readonly partition = 0;
  restore: ((batch: readonly ChangelogRecord[]) => void) | undefined;
  constructor(
    readonly taskDir: string,
    readonly cacheMaxBytes: number,
  ) {}
  currentTimestamp(): number {
    return 0;
  }
  logChange(): void {}
  register(_store: StateStore, restore: (batch: readonly ChangelogRecord[]) => void): void {
    this.restore = restore;
  }
}

const key = (i: number): string => `key-${String(i).padStart(8, '0')}`;

async function openStack(
  inner: 'in-memory' | 'level',
  caching: boolean,
  taskDir: string,
): Promise<{ store: KeyValueStore<string, string>; context: BenchStoreContext }> {
  const supplier =
    inner === 'level' ? Stores.persistentKeyValueStore('kv') : Stores.inMemoryKeyValueStore('kv');
  const builder = Stores.keyValueStoreBuilder(supplier, Serdes.string(), Serdes.string());
  if (!caching) builder.withCachingDisabled();
  const store = builder.build();
  const context = new BenchStoreContext(taskDir, caching ? CACHE_BYTES : 0);
  await store.init(context, store);
  return { store, context };
}

function perSecond(operations: number, startNs: bigint): number {
  return operations / (Number(process.hrtime.bigint() - startNs) / 1e9);
}

async function measureStack(
  inner: 'in-memory' | 'level',
  caching: boolean,
  o: Required<StateBenchOptions>,
): Promise<StateBenchResult[]> {
  const taskDir = await mkdtemp(join(tmpdir(), 'tributary-bench-state-'));
  const label = `${inner}, ${caching ? 'metered → caching → logging' : 'metered → logging (no cache)'}`;
  try {
    const { store } = await openStack(inner, caching, taskDir);
    let start = process.hrtime.bigint();
    for (let i = 0; i < o.operations; i++) {
      // A stride through the key space, so updates and new keys interleave as in real traffic.
      store.put(key((i * 7919) % o.distinctKeys), VALUE);
      if ((i + 1) % o.flushEvery === 0) await store.flush();
    }
    await store.flush();
    const puts = perSecond(o.operations, start);

    start = process.hrtime.bigint();
    let found = 0;
    for (let i = 0; i < o.operations; i++) {
      if (store.get(key((i * 104_729) % o.distinctKeys)) !== undefined) found++;
    }
    const gets = perSecond(o.operations, start);
    if (found !== o.operations) throw new Error(`bench: ${found} of ${o.operations} gets hit`);

    start = process.hrtime.bigint();
    let scanned = 0;
    for (let i = 0; i < o.ranges; i++) {
      const from = (i * 7919) % (o.distinctKeys - o.rangeLength);
      for (const _ of store.range(key(from), key(from + o.rangeLength - 1))) scanned++;
    }
    const ranges = perSecond(o.ranges, start);
    if (scanned !== o.ranges * o.rangeLength) throw new Error(`bench: scanned ${scanned} entries`);
    await store.close();
    return [
      { name: `${label}: put`, operations: o.operations, perSecond: puts, unit: 'put' },
      { name: `${label}: get`, operations: o.operations, perSecond: gets, unit: 'get' },
      {
        name: `${label}: range of ${o.rangeLength}`,
        operations: o.ranges,
        perSecond: ranges,
        unit: 'scan',
      },
    ];
  } finally {
    await rm(taskDir, { recursive: true, force: true });
  }
}

async function measureRestore(
  inner: 'in-memory' | 'level',
  o: Required<StateBenchOptions>,
): Promise<StateBenchResult> {
  const taskDir = await mkdtemp(join(tmpdir(), 'tributary-bench-restore-'));
  try {
    const { store, context } = await openStack(inner, true, taskDir);
    const value = Buffer.from(VALUE);
    const batches: ChangelogRecord[][] = [];
    for (let first = 0; first < o.restoreRecords; first += o.restoreBatch) {
      const batch: ChangelogRecord[] = [];
      for (let i = first; i < Math.min(first + o.restoreBatch, o.restoreRecords); i++) {
        batch.push({ key: Buffer.from(key(i)), value, timestamp: i, offset: String(i) });
      }
      batches.push(batch);
    }
    const restore = context.restore!;
    const start = process.hrtime.bigint();
    for (const batch of batches) {
      restore(batch);
      await store.flush();
    }
    const rate = perSecond(o.restoreRecords, start);
    if (store.approximateNumEntries() !== o.restoreRecords) throw new Error('bench: restore lost records');
    await store.close();
    return {
      name: `restore ${o.restoreRecords.toLocaleString('en-US')} changelog records into ${inner} (batches of ${o.restoreBatch.toLocaleString('en-US')}, flush each)`,
      operations: o.restoreRecords,
      perSecond: rate,
      unit: 'record',
    };
  } finally {
    await rm(taskDir, { recursive: true, force: true });
  }
}

/**
 * Runs every measurement once and returns the figures.
 *
 * @example
 * ```ts
 * const results = await runStateBench({ operations: 50_000, restoreRecords: 100_000 });
 * console.log(formatStateBench(results));
 * ```
 */
export async function runStateBench(options: StateBenchOptions = {}): Promise<StateBenchResult[]> {
  const o: Required<StateBenchOptions> = {
    operations: options.operations ?? 200_000,
    distinctKeys: options.distinctKeys ?? 100_000,
    ranges: options.ranges ?? 10_000,
    rangeLength: options.rangeLength ?? 100,
    restoreRecords: options.restoreRecords ?? 1_000_000,
    restoreBatch: options.restoreBatch ?? 10_000,
    flushEvery: options.flushEvery ?? 10_000,
  };
  // Warm-up: let the JIT compile every path before anything is timed.
  const warmUp = { ...o, operations: 20_000, distinctKeys: 10_000, ranges: 1_000 };
  for (const inner of ['in-memory', 'level'] as const) {
    for (const caching of [true, false]) await measureStack(inner, caching, warmUp);
  }
  const results: StateBenchResult[] = [];
  for (const inner of ['in-memory', 'level'] as const) {
    for (const caching of [true, false]) results.push(...(await measureStack(inner, caching, o)));
  }
  results.push(await measureRestore('level', o));
  results.push(await measureRestore('in-memory', o));
  return results;
}

/** A small fixed-width table of the results. */
export function formatStateBench(results: readonly StateBenchResult[]): string {
  const rows = results.map((r) => [
    r.name,
    r.operations.toLocaleString('en-US'),
    `${Math.round(r.perSecond).toLocaleString('en-US')} ${r.unit}s/s`,
  ]);
  const header = ['benchmark (string keys, 100-byte values)', 'operations', 'rate'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(formatStateBench(await runStateBench()));
}
