import { describe, expect, it } from 'vitest';
import { Serdes, SessionWindows, StreamsBuilder, TimeWindows } from '../../../src/index.js';
import type { Topology, WindowedMaterialized } from '../../../src/index.js';
import { TopologyTestDriver } from '../../../src/testing/index.js';

/** A topology with one windowed count ('per-minute') and one session count ('sessions'). */
function windowedCounts(materialized: WindowedMaterialized<string, number> = {}): Topology {
  const b = new StreamsBuilder();
  const grouped = b.stream('clicks', { key: Serdes.string(), value: Serdes.string() }).groupByKey();
  grouped.windowedBy(TimeWindows.ofSizeWithNoGrace(60_000)).count({ name: 'per-minute', materialized });
  grouped
    .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(30_000))
    .count({ name: 'sessions', materialized });
  return b.build();
}

/** Whether the store a task would build for `name` keeps its data on disk. */
function builtPersistent(topology: Topology, name: string): boolean {
  const entry = topology.stores.get(name);
  if (entry === undefined) throw new Error(`no store ${name}`);
  return entry.builder.build().persistent;
}

describe('windowed DSL stores follow defaultDslStore', () => {
  it('are persistent in a running app (defaultDslStore: persistent)', () => {
    const topology = windowedCounts();
    topology.defaultDslStore = 'persistent';
    expect(builtPersistent(topology, 'per-minute')).toBe(true);
    expect(builtPersistent(topology, 'sessions')).toBe(true);
  });

  it('are in-memory with defaultDslStore: in-memory, and in the TopologyTestDriver', () => {
    const topology = windowedCounts();
    topology.defaultDslStore = 'persistent';
    const driver = new TopologyTestDriver(topology, { applicationId: 'clicks' });
    const input = driver.createInputTopic('clicks', Serdes.string(), Serdes.string());
    input.pipeInput('alice', 'x', 1_000);
    expect(driver.getWindowStore<string, number>('per-minute').fetch('alice', 0)).toBe(1);
    expect(driver.getWindowStore<string, number>('per-minute').persistent).toBe(false);
    driver.close();
    expect(topology.defaultDslStore).toBe('in-memory');
    expect(builtPersistent(topology, 'sessions')).toBe(false);
  });

  it('materialized.storeType overrides the default either way', () => {
    const pinnedInMemory = windowedCounts({ storeType: 'in-memory' });
    pinnedInMemory.defaultDslStore = 'persistent';
    expect(builtPersistent(pinnedInMemory, 'per-minute')).toBe(false);
    expect(builtPersistent(pinnedInMemory, 'sessions')).toBe(false);

    const pinnedPersistent = windowedCounts({ storeType: 'persistent' });
    expect(pinnedPersistent.defaultDslStore).toBe('in-memory');
    expect(builtPersistent(pinnedPersistent, 'per-minute')).toBe(true);
    expect(builtPersistent(pinnedPersistent, 'sessions')).toBe(true);
  });
});

/** The retention of the store a task would build for `name`. */
function builtRetention(topology: Topology, name: string): number {
  const entry = topology.stores.get(name);
  if (entry === undefined) throw new Error(`no store ${name}`);
  return (entry.builder.build() as unknown as { retentionPeriodMs: number }).retentionPeriodMs;
}

describe('windowed DSL store retention', () => {
  it("in memory: Kafka Streams' default, size + grace (session: gap + grace)", () => {
    const topology = windowedCounts();
    expect(builtRetention(topology, 'per-minute')).toBe(60_000);
    expect(builtRetention(topology, 'sessions')).toBe(30_000);
  });

  it('persistent: at least a day, so emit-on-close finds closed windows in the exactly-expiring level store', () => {
    const topology = windowedCounts();
    topology.defaultDslStore = 'persistent';
    expect(builtRetention(topology, 'per-minute')).toBe(86_400_000);
    expect(builtRetention(topology, 'sessions')).toBe(86_400_000);
  });

  it('materialized.retentionMs is used for either store type', () => {
    const topology = windowedCounts({ retentionMs: 120_000 });
    expect(builtRetention(topology, 'per-minute')).toBe(120_000);
    topology.defaultDslStore = 'persistent';
    expect(builtRetention(topology, 'sessions')).toBe(120_000);
  });
});
