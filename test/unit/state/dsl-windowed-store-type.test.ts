import { describe, expect, it } from 'vitest';
import { Serdes, SessionWindows, StreamsBuilder, TimeWindows } from '../../../src/index.js';
import type { Topology, WindowedMaterialized } from '../../../src/index.js';
import { TopologyTestDriver } from '../../../src/testing/index.js';
import { storeBuilderOf, type DslStoreType } from '../../../src/topology/node-defs.js';

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
function builtPersistent(topology: Topology, name: string, defaultDslStore: DslStoreType): boolean {
  const entry = topology.stores.get(name);
  if (entry === undefined) throw new Error(`no store ${name}`);
  return storeBuilderOf(entry, defaultDslStore).build().persistent;
}

describe('windowed DSL stores follow defaultDslStore', () => {
  it('are persistent in a running app (defaultDslStore: persistent)', () => {
    const topology = windowedCounts();
    expect(builtPersistent(topology, 'per-minute', 'persistent')).toBe(true);
    expect(builtPersistent(topology, 'sessions', 'persistent')).toBe(true);
  });

  it('are in-memory with defaultDslStore: in-memory, and in the TopologyTestDriver', () => {
    const topology = windowedCounts();
    expect(builtPersistent(topology, 'sessions', 'in-memory')).toBe(false);
    const driver = new TopologyTestDriver(topology, { applicationId: 'clicks' });
    const input = driver.createInputTopic('clicks', Serdes.string(), Serdes.string());
    input.pipeInput('alice', 'x', 1_000);
    expect(driver.getWindowStore<string, number>('per-minute').fetch('alice', 0)).toBe(1);
    expect(driver.getWindowStore<string, number>('per-minute').persistent).toBe(false);
    driver.close();
    // The driver picked in-memory stores without changing the topology: an app still gets persistent ones.
    expect(builtPersistent(topology, 'sessions', 'persistent')).toBe(true);
  });

  it('materialized.storeType overrides the default either way', () => {
    const pinnedInMemory = windowedCounts({ storeType: 'in-memory' });
    expect(builtPersistent(pinnedInMemory, 'per-minute', 'persistent')).toBe(false);
    expect(builtPersistent(pinnedInMemory, 'sessions', 'persistent')).toBe(false);

    const pinnedPersistent = windowedCounts({ storeType: 'persistent' });
    expect(builtPersistent(pinnedPersistent, 'per-minute', 'in-memory')).toBe(true);
    expect(builtPersistent(pinnedPersistent, 'sessions', 'in-memory')).toBe(true);
  });
});

/** The retention of the store a task would build for `name`. */
function builtRetention(
  topology: Topology,
  name: string,
  defaultDslStore: DslStoreType = 'in-memory',
): number {
  const entry = topology.stores.get(name);
  if (entry === undefined) throw new Error(`no store ${name}`);
  const store = storeBuilderOf(entry, defaultDslStore).build();
  return (store as unknown as { retentionPeriodMs: number }).retentionPeriodMs;
}

describe('windowed DSL store retention', () => {
  it("in memory: Kafka Streams' default, size + grace (session: gap + grace)", () => {
    const topology = windowedCounts();
    expect(builtRetention(topology, 'per-minute')).toBe(60_000);
    expect(builtRetention(topology, 'sessions')).toBe(30_000);
  });

  it('persistent: at least a day, so emit-on-close finds closed windows in the exactly-expiring level store', () => {
    const topology = windowedCounts();
    expect(builtRetention(topology, 'per-minute', 'persistent')).toBe(86_400_000);
    expect(builtRetention(topology, 'sessions', 'persistent')).toBe(86_400_000);
  });

  it('materialized.retentionMs is used for either store type', () => {
    const topology = windowedCounts({ retentionMs: 120_000 });
    expect(builtRetention(topology, 'per-minute')).toBe(120_000);
    expect(builtRetention(topology, 'sessions', 'persistent')).toBe(120_000);
  });
});
