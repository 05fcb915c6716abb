import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  KafkaStreams,
  Serdes,
  SessionWindows,
  SlidingWindows,
  Stores,
  StreamsBuilder,
  TimeWindows,
} from '../../../src/index.js';
import type { Serde, StateStore, StreamsConfig, Topology, Windowed } from '../../../src/index.js';
import { createEmbeddedKafka } from '../../../src/kafka/index.js';
import type { Change } from '../../../src/topology/change.js';
import type { ForwardedRecord, Processor, ProcessorContext } from '../../../src/topology/processor.js';
import { kstreamSessionWindowAggregate } from '../../../src/topology/processors/kstream-session-window-aggregate.js';
import { kstreamSlidingWindowAggregate } from '../../../src/topology/processors/kstream-sliding-window-aggregate.js';
import { kstreamWindowAggregate } from '../../../src/topology/processors/kstream-window-aggregate.js';
import { FakeStoreContext } from '../state/support/fake-store-context.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const DAY = 86_400_000;
const MINUTE = 60_000;

type Out = ForwardedRecord<Windowed<string>, Change<number>>;

/**
 * Runs a windowed aggregation processor over a store the way a task does: `flush()` is the
 * commit, and with a cache the records come from the cache's flush listener.
 */
function harness(
  processor: Processor<string, string, Windowed<string>, Change<number>>,
  store: StateStore,
  cacheMaxBytes: number,
) {
  const forwarded: Out[] = [];
  const storeContext = new FakeStoreContext({ cacheMaxBytes });
  void store.init(storeContext, store);
  const context = {
    applicationId: 'app',
    taskId: '0_0',
    topic: 'in',
    partition: 0,
    offset: 0,
    recordMetadata: () => undefined,
    forward: (record: Out) => forwarded.push(record),
    schedule: () => ({ cancel() {} }),
    getStateStore: () => store,
    currentStreamTimeMs: () => storeContext.timestamp,
    currentSystemTimeMs: () => 0,
    commit() {},
  } as unknown as ProcessorContext<Windowed<string>, Change<number>>;
  processor.init?.(context);
  return {
    forwarded,
    process(key: string, timestamp: number) {
      storeContext.timestamp = timestamp;
      processor.process({ key, value: 'x', timestamp, headers: undefined });
    },
    commit: () => void store.flush(),
  };
}

const count = (_key: string, _value: string, aggregate: number | undefined) => (aggregate ?? 0) + 1;

function windowStore(name: string, sizeMs: number) {
  return Stores.timestampedWindowStoreBuilder(
    Stores.inMemoryWindowStore(name, DAY, sizeMs, false),
    Serdes.string(),
    Serdes.long(),
  )
    .withCachingEnabled()
    .build();
}

function sessionStore(name: string) {
  return Stores.sessionStoreBuilder(Stores.inMemorySessionStore(name, DAY), Serdes.string(), Serdes.long())
    .withCachingEnabled()
    .build();
}

const id = ({ key, window }: Windowed<string>) => `${key}[${window.start},${window.end}]`;
const summary = (records: Out[]) =>
  records.map((r) => `${id(r.key)} ${r.value.oldValue} -> ${r.value.newValue} @${r.timestamp}`);

/** The table a stream of updates describes: the last value per windowed key, deletes removed. */
function tableOf(records: Out[]): Map<string, number> {
  const table = new Map<string, number>();
  for (const { key, value } of records) {
    if (value.newValue === null) table.delete(id(key));
    else table.set(id(key), value.newValue);
  }
  return table;
}

describe('windowed aggregations over a caching store', () => {
  const timeAggregate = (windows: TimeWindows, emitOnWindowClose = false) =>
    kstreamWindowAggregate<string, string, number>({
      nodeName: 'agg',
      storeName: 'agg',
      windows,
      fold: count,
      emitOnWindowClose,
    })();

  it('time windows: many updates of one window between commits are forwarded once, with the final count', () => {
    const run = harness(
      timeAggregate(TimeWindows.ofSizeWithNoGrace(MINUTE)),
      windowStore('agg', MINUTE),
      1024 * 1024,
    );
    for (let i = 0; i < 1000; i++) run.process('alice', 1_000 + i);
    run.process('bob', 5_000);
    expect(run.forwarded).toEqual([]);
    run.commit();
    expect(summary(run.forwarded)).toEqual([
      'alice[0,60000] null -> 1000 @1999',
      'bob[0,60000] null -> 1 @5000',
    ]);
    run.process('alice', 2_500);
    run.process('alice', 2_600);
    run.commit();
    expect(summary(run.forwarded.slice(2))).toEqual(['alice[0,60000] 1000 -> 1002 @2600']);
    run.commit();
    expect(run.forwarded).toHaveLength(3);
  });

  it('time windows: without a cache budget every update is forwarded, as in the test driver', () => {
    const run = harness(timeAggregate(TimeWindows.ofSizeWithNoGrace(MINUTE)), windowStore('agg', MINUTE), 0);
    for (let i = 0; i < 50; i++) run.process('alice', 1_000 + i);
    expect(run.forwarded).toHaveLength(50);
    expect(summary(run.forwarded.slice(-1))).toEqual(['alice[0,60000] 49 -> 50 @1049']);
    run.commit();
    expect(run.forwarded).toHaveLength(50);
  });

  it('hopping and sliding windows: one record per window per commit, equal to the last uncached update', () => {
    const hopping = TimeWindows.ofSizeWithNoGrace(MINUTE).advanceBy(20_000);
    const sliding = SlidingWindows.ofTimeDifferenceWithNoGrace(10_000);
    const makers = [
      () => ({ processor: timeAggregate(hopping), store: () => windowStore('agg', MINUTE) }),
      () => ({
        processor: kstreamSlidingWindowAggregate<string, string, number>({
          nodeName: 'agg',
          storeName: 'agg',
          windows: sliding,
          fold: count,
          emitOnWindowClose: false,
        })(),
        store: () => windowStore('agg', 10_000),
      }),
    ];
    const times = [3_000, 9_000, 14_000, 14_000, 2_000, 30_000, 31_000, 45_000, 44_000, 70_000];
    for (const make of makers) {
      const uncached = (() => {
        const { processor, store } = make();
        return harness(processor, store(), 0);
      })();
      const cached = (() => {
        const { processor, store } = make();
        return harness(processor, store(), 1024 * 1024);
      })();
      const commits: number[] = [];
      for (const [i, t] of times.entries()) {
        uncached.process(i % 3 === 0 ? 'bob' : 'alice', t);
        cached.process(i % 3 === 0 ? 'bob' : 'alice', t);
        if (i === 4) {
          cached.commit();
          commits.push(cached.forwarded.length);
        }
      }
      cached.commit();
      expect(cached.forwarded.length).toBeLessThan(uncached.forwarded.length);
      expect(tableOf(cached.forwarded)).toEqual(tableOf(uncached.forwarded));
      // Per commit, each window is forwarded at most once.
      for (const commit of [cached.forwarded.slice(0, commits[0]), cached.forwarded.slice(commits[0])]) {
        expect(commit.length).toBeGreaterThan(0);
        expect(new Set(commit.map((r) => id(r.key))).size).toBe(commit.length);
      }
    }
  });

  it('emit on window close forwards closed windows itself; the cache forwards nothing at commit', () => {
    const windows = TimeWindows.ofSizeWithNoGrace(10_000);
    const cached = harness(timeAggregate(windows, true), windowStore('agg', 10_000), 1024 * 1024);
    const uncached = harness(timeAggregate(windows, true), windowStore('agg', 10_000), 0);
    for (const run of [cached, uncached]) {
      run.process('alice', 1_000);
      run.process('alice', 2_000);
      run.commit();
      run.process('alice', 12_000); // closes [0, 10000)
      run.process('bob', 25_000); // closes [10000, 20000)
      run.commit();
    }
    expect(summary(cached.forwarded)).toEqual([
      'alice[0,10000] null -> 2 @2000',
      'alice[10000,20000] null -> 1 @12000',
    ]);
    expect(cached.forwarded).toEqual(uncached.forwarded);
  });

  it('sessions: merges between commits forward only the final session; a flushed session merged later becomes a tombstone', () => {
    const aggregate = () =>
      kstreamSessionWindowAggregate<string, string, number>({
        nodeName: 'agg',
        storeName: 'agg',
        windows: SessionWindows.ofInactivityGapWithNoGrace(5_000),
        fold: count,
        merge: (_key, a, b) => (a ?? 0) + b,
        emitOnWindowClose: false,
      })();
    const cached = harness(aggregate(), sessionStore('agg'), 1024 * 1024);
    const uncached = harness(aggregate(), sessionStore('agg'), 0);
    for (const run of [cached, uncached]) {
      for (const t of [1_000, 2_000, 3_000]) run.process('alice', t);
      run.process('bob', 1_500);
      run.commit();
      for (const t of [6_000, 9_000]) run.process('alice', t);
      run.process('bob', 30_000); // a new session: bob's first stays
      run.commit();
    }
    expect(summary(cached.forwarded)).toEqual([
      'alice[1000,3000] null -> 3 @3000',
      'bob[1500,1500] null -> 1 @1500',
      // Key order of the flush: alice's old session (end 3000) sorts before the merged one.
      'alice[1000,3000] 3 -> null @3000',
      'alice[1000,9000] null -> 5 @9000',
      'bob[30000,30000] null -> 1 @30000',
    ]);
    // Uncached: every update, with a tombstone per merged-away session.
    // alice: 1 + 2 + 2, bob: 1, alice: 2 + 2, bob: 1.
    expect(uncached.forwarded).toHaveLength(11);
    expect(tableOf(cached.forwarded)).toEqual(tableOf(uncached.forwarded));
  });
});

async function readOutput<K>(
  kafka: ReturnType<typeof createEmbeddedKafka>,
  topic: string,
  keySerde: Serde<Windowed<K>>,
): Promise<[string, number | null][]> {
  const admin = await kafka.admin();
  const [end] = await admin.listOffsets([{ topic, partition: 0 }]);
  await admin.close();
  const out: [string, number | null][] = [];
  const reader = kafka.partitionReader({
    groupIdPrefix: 'verify',
    partitions: [{ topic, partition: 0, fromOffset: '0', untilOffset: end!.end }],
  });
  await reader.run({
    eachBatch: async (batch) => {
      for (const m of batch.messages) {
        const key = keySerde.deserialize(m.key!, topic) as Windowed<K>;
        const value = m.value === null ? null : Number(Serdes.long().deserialize(m.value, topic));
        out.push([`${String(key.key)}[${key.window.start},${key.window.end}]`, value]);
      }
    },
  });
  await reader.close();
  return out;
}

/**
 * 100 clicks (alice 75, bob 25) one millisecond apart, counted by `topology`; the app runs with a
 * long commit interval, so everything is processed between two commits (the last one at close).
 */
async function runClicks(
  topology: (b: StreamsBuilder) => void,
  config: Partial<StreamsConfig>,
  outputKey: Serde<Windowed<string>>,
): Promise<[string, number | null][]> {
  const kafka = createEmbeddedKafka();
  const admin = await kafka.admin();
  await admin.createTopics([
    { topic: 'clicks', partitions: 1 },
    { topic: 'counts', partitions: 1 },
  ]);
  await admin.close();
  const producer = await kafka.producer();
  await producer.send(
    Array.from({ length: 100 }, (_, i) => ({
      topic: 'clicks',
      key: Buffer.from(i % 4 === 0 ? 'bob' : 'alice'),
      value: Buffer.from('click'),
      timestamp: 1_000 + i,
    })),
  );
  await producer.close();
  const b = new StreamsBuilder();
  topology(b);
  const built: Topology = b.build();
  const stateDir = await mkdtemp(join(tmpdir(), 'trib-wcache-'));
  const app = new KafkaStreams(built, {
    applicationId: 'wcache',
    kafka,
    stateDir,
    commitIntervalMs: 60_000,
    logger: quiet,
    ...config,
  });
  try {
    await app.start();
    await new Promise((r) => setTimeout(r, 300));
    await app.close();
    return await readOutput(kafka, 'counts', outputKey);
  } finally {
    await kafka.close();
    await rm(stateDir, { recursive: true, force: true });
  }
}

const tumblingCount = (b: StreamsBuilder) =>
  b
    .stream('clicks', { key: Serdes.string(), value: Serdes.string() })
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeWithNoGrace(MINUTE))
    .count({ name: 'clicks-per-minute' })
    .toStream()
    .to('counts', { key: Serdes.windowed(Serdes.string(), { windowSizeMs: MINUTE }), value: Serdes.long() });

const sessionCount = (b: StreamsBuilder) =>
  b
    .stream('clicks', { key: Serdes.string(), value: Serdes.string() })
    .groupByKey()
    .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10_000))
    .count({ name: 'click-sessions' })
    .toStream()
    .to('counts', { key: Serdes.sessionWindowed(Serdes.string()), value: Serdes.long() });

describe('windowed counts in a running app', () => {
  it('with caching on, a tumbling window updated many times between commits is emitted once with its final count', async () => {
    const out = await runClicks(
      tumblingCount,
      {},
      Serdes.windowed(Serdes.string(), { windowSizeMs: MINUTE }),
    );
    expect(out.sort()).toEqual([
      ['alice[0,60000]', 75],
      ['bob[0,60000]', 25],
    ]);
  });

  it('with cacheMaxBytes 0, every update of the tumbling window is emitted', async () => {
    const out = await runClicks(
      tumblingCount,
      { cacheMaxBytes: 0 },
      Serdes.windowed(Serdes.string(), { windowSizeMs: MINUTE }),
    );
    expect(out).toHaveLength(100);
    expect(out.filter(([key]) => key === 'alice[0,60000]').map(([, n]) => n)).toEqual(
      Array.from({ length: 75 }, (_, i) => i + 1),
    );
    expect(out.filter(([key]) => key === 'bob[0,60000]').map(([, n]) => n)).toEqual(
      Array.from({ length: 25 }, (_, i) => i + 1),
    );
  });

  it('with materialized caching false, every update of that windowed aggregation is emitted', async () => {
    const uncachedCount = (b: StreamsBuilder) =>
      b
        .stream('clicks', { key: Serdes.string(), value: Serdes.string() })
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeWithNoGrace(MINUTE))
        .count({ name: 'clicks-per-minute', materialized: { caching: false } })
        .toStream()
        .to('counts', {
          key: Serdes.windowed(Serdes.string(), { windowSizeMs: MINUTE }),
          value: Serdes.long(),
        });
    const out = await runClicks(
      uncachedCount,
      {},
      Serdes.windowed(Serdes.string(), { windowSizeMs: MINUTE }),
    );
    expect(out).toHaveLength(100);
  });

  it('with caching on, a session that grows between commits is emitted once, final, with no tombstones', async () => {
    const out = await runClicks(sessionCount, {}, Serdes.sessionWindowed(Serdes.string()));
    expect(out.sort()).toEqual([
      ['alice[1001,1099]', 75],
      ['bob[1000,1096]', 25],
    ]);
  });

  it('with cacheMaxBytes 0, every session update is emitted, each merge as a tombstone plus the new session', async () => {
    const out = await runClicks(sessionCount, { cacheMaxBytes: 0 }, Serdes.sessionWindowed(Serdes.string()));
    const alice = out.filter(([key]) => key.startsWith('alice'));
    expect(alice).toHaveLength(1 + 2 * 74);
    expect(alice.slice(0, 3)).toEqual([
      ['alice[1001,1001]', 1],
      ['alice[1001,1001]', null],
      ['alice[1001,1002]', 2],
    ]);
    expect(alice.at(-1)).toEqual(['alice[1001,1099]', 75]);
    expect(out.filter(([key]) => key.startsWith('bob'))).toHaveLength(1 + 2 * 24);
  });
});
