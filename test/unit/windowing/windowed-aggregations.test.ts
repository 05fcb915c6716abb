import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  EmitStrategy,
  Serdes,
  SessionWindows,
  SlidingWindows,
  StreamsBuilder,
  TimeWindows,
} from '../../../src/index.js';
import type { KGroupedStream, KTable, Serde, Windowed } from '../../../src/index.js';
import { TopologyTestDriver } from '../../../src/testing/index.js';

const win = (key: string, start: number, end: number): Windowed<string> => ({ key, window: { start, end } });

/** Builds `input` → groupByKey → `aggregate(grouped)` → `output` (counts, as longs), and a driver for it. */
function run<V>(
  aggregate: (grouped: KGroupedStream<string, string>) => KTable<Windowed<string>, V>,
  keySerde: Serde<Windowed<string>> = Serdes.windowed(Serdes.string(), { windowSizeMs: 10 }),
) {
  const b = new StreamsBuilder();
  const grouped = b.stream('input', { key: Serdes.string(), value: Serdes.string() }).groupByKey();
  aggregate(grouped)
    .toStream()
    .to('output', { key: keySerde, value: Serdes.long() as unknown as Serde<V> });
  const driver = new TopologyTestDriver(b.build(), { applicationId: 'w' }, 0);
  const input = driver.createInputTopic('input', Serdes.string(), Serdes.string());
  const output = driver.createOutputTopic('output', keySerde, Serdes.long(), { tombstones: true });
  return { driver, input, output };
}

describe('tumbling windows', () => {
  it('counts out-of-order records within grace and drops (and counts) records beyond it', () => {
    const { driver, input, output } = run((g) =>
      g.windowedBy(TimeWindows.ofSizeAndGrace(10, 5)).count({ name: 'counts' }),
    );
    // record t | stream time | close time (st - grace) | emitted
    input.pipeInput('a', 'x', 1); //   1 |  1 | -4 | [0,10)=1
    input.pipeInput('a', 'x', 12); // 12 | 12 |  7 | [10,20)=1
    input.pipeInput('a', 'x', 8); //   8 | 12 |  7 | [0,10)=2  (late but 10 > 7: inside grace)
    input.pipeInput('a', 'x', 16); // 16 | 16 | 11 | [10,20)=2
    input.pipeInput('a', 'x', 9); //   9 | 16 | 11 | nothing: [0,10) closed (10 <= 11), dropped
    expect(output.readKeyValuesToList()).toEqual([
      { key: win('a', 0, 10), value: 1 },
      { key: win('a', 10, 20), value: 1 },
      { key: win('a', 0, 10), value: 2 },
      { key: win('a', 10, 20), value: 2 },
    ]);
    const store = driver.getWindowStore<string, number>('counts');
    expect(store.fetch('a', 0)).toBe(2);
    expect(store.metrics().droppedRecords).toBe(1);
    driver.close();
  });

  it('writes windowed keys with the table key serde when to() gets none', () => {
    const b = new StreamsBuilder();
    b.stream('input', { key: Serdes.string(), value: Serdes.string() })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .count()
      .toStream()
      .to('output', { value: Serdes.long() });
    const driver = new TopologyTestDriver(b.build(), {}, 0);
    driver.createInputTopic('input', Serdes.string(), Serdes.string()).pipeInput('k', 'v', 25);
    const output = driver.createOutputTopic(
      'output',
      Serdes.windowed(Serdes.string(), { windowSizeMs: 10 }),
      Serdes.long(),
      { tombstones: true },
    );
    expect(output.readKeyValuesToList()).toEqual([{ key: win('k', 20, 30), value: 1 }]);
    driver.close();
  });

  it('drops windows past retention from the store', () => {
    const { driver, input } = run((g) =>
      g
        .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
        .count({ materialized: { storeName: 'counts', retentionMs: 20 } }),
    );
    input.pipeInput('a', 'x', 5); // window start 0
    input.pipeInput('a', 'x', 15); // window start 10: starts <= 10 - 20 are dropped (none)
    expect(driver.getWindowStore<string, number>('counts').fetch('a', 0)).toBe(1);
    input.pipeInput('a', 'x', 45); // window start 40: starts <= 40 - 20 = 20 are dropped
    const store = driver.getWindowStore<string, number>('counts');
    expect(store.fetch('a', 0)).toBeUndefined();
    expect([...store.all()].map((e) => e.key.window.start)).toEqual([40]);
    driver.close();
  });

  it('rejects a retention shorter than size + grace', () => {
    const grouped = new StreamsBuilder()
      .stream('input', { key: Serdes.string(), value: Serdes.string() })
      .groupByKey();
    expect(() =>
      grouped.windowedBy(TimeWindows.ofSizeAndGrace(10, 5)).count({ materialized: { retentionMs: 14 } }),
    ).toThrow(ConfigError);
  });
});

describe('hopping windows', () => {
  it('adds a record to size / advance windows', () => {
    const { input, output } = run((g) =>
      g.windowedBy(TimeWindows.ofSizeWithNoGrace(10).advanceBy(5)).count(),
    );
    // t=12 lies in [5,15) and [10,20)
    input.pipeInput('a', 'x', 12);
    expect(output.readKeyValuesToList()).toEqual([
      { key: win('a', 5, 15), value: 1 },
      { key: win('a', 10, 20), value: 1 },
    ]);
  });

  it('validates the advance', () => {
    expect(() => TimeWindows.ofSizeWithNoGrace(10).advanceBy(11)).toThrow(/advanceMs/);
    expect(() => TimeWindows.ofSizeWithNoGrace(10).advanceBy(0)).toThrow(/advanceMs/);
    expect(() => TimeWindows.ofSizeAndGrace(0, 1)).toThrow(/sizeMs/);
    expect(TimeWindows.ofSizeWithNoGrace(10).advanceBy(3).windowsFor(12)).toEqual([
      { start: 3, end: 13 },
      { start: 6, end: 16 },
      { start: 9, end: 19 },
      { start: 12, end: 22 },
    ]);
  });
});

describe('sliding windows (time difference 10)', () => {
  it('creates left and right windows as in Kafka Streams', () => {
    const { driver, input, output } = run((g) =>
      g.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 5)).count({ name: 'sliding' }),
    );
    // grace 5: a window accepts records while its (inclusive) end >= stream time - 5
    // t=20: its left window [10,20] = {20}
    input.pipeInput('a', 'x', 20);
    // t=25: right window of 20 is [21,31] = {25}; left window [15,25] = {20,25}
    input.pipeInput('a', 'x', 25);
    // t=22 (out of order, stream time 25, close time 20): updates [21,31] -> {22,25} and [15,25] -> {20,22,25},
    // creates its left window [12,22] = {20,22} and its right window [23,33] = {25}
    input.pipeInput('a', 'x', 22);
    // t=5: even its right window [6,16] ended before close time 20: dropped
    input.pipeInput('a', 'x', 5);
    expect(output.readKeyValuesToList().map(({ key, value }) => [key.window.start, value])).toEqual([
      [10, 1],
      [21, 1],
      [15, 2],
      [21, 2],
      [15, 3],
      [12, 2],
      [23, 1],
    ]);
    expect(driver.getWindowStore('sliding').metrics().droppedRecords).toBe(1);
    driver.close();
  });

  it('puts records earlier than the time difference into [0, d]', () => {
    const { input, output } = run((g) =>
      g.windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(10)).count(),
    );
    input.pipeInput('a', 'x', 3); // [0,10] = {3}
    input.pipeInput('a', 'x', 6); // [0,10] = {3,6}; right window of 3: [4,14] = {6}
    expect(output.readKeyValuesToList().map(({ key, value }) => [key.window.start, value])).toEqual([
      [0, 1],
      [4, 1],
      [0, 2],
    ]);
  });
});

describe('session windows (gap 10)', () => {
  it('merges sessions, forwarding a tombstone for each replaced one', () => {
    const { driver, input, output } = run(
      (g) => g.windowedBy(SessionWindows.ofInactivityGapAndGrace(10, 20)).count({ name: 'sessions' }),
      Serdes.sessionWindowed(Serdes.string()),
    );
    input.pipeInput('a', 'x', 0); //  session [0,0] = 1
    input.pipeInput('a', 'x', 30); // session [30,30] = 1
    input.pipeInput('a', 'x', 15); // late but within grace 20; more than 10 from both: [15,15] = 1
    input.pipeInput('a', 'x', 22); // within 10 of [15,15] and [30,30]: both replaced by [15,30] = 3
    // Sessions close at end + gap + grace (KStreamSessionWindowAggregate, KAFKA-12718): close
    // time = stream time - 20 - 10. The store keeps gap + grace (30) behind its latest session end.
    input.pipeInput('b', 'x', 1); //  close time 0: [1,1] = 1 is still open
    input.pipeInput('c', 'x', 41); // close time 11; sessions ending at or before 11 leave the store
    input.pipeInput('b', 'x', 10); // [1,1] is gone, so [10,10]: ends before 11, dropped
    input.pipeInput('b', 'x', 11); // [11,11]: ends at the close time, accepted
    expect(output.readKeyValuesToList()).toEqual([
      { key: win('a', 0, 0), value: 1 },
      { key: win('a', 30, 30), value: 1 },
      { key: win('a', 15, 15), value: 1 },
      { key: win('a', 15, 15), value: null },
      { key: win('a', 30, 30), value: null },
      { key: win('a', 15, 30), value: 3 },
      { key: win('b', 1, 1), value: 1 },
      { key: win('c', 41, 41), value: 1 },
      { key: win('b', 11, 11), value: 1 },
    ]);
    const store = driver.getSessionStore<string, number>('sessions');
    expect([...store.fetch('a')].map((e) => [e.key.window, e.value])).toEqual([[{ start: 15, end: 30 }, 3]]);
    expect(store.metrics().droppedRecords).toBe(1);
    driver.close();
  });

  it('timestamps each session with its end, and each tombstone with the replaced session end', () => {
    // As Kafka Streams' KStreamSessionWindowAggregate.maybeForwardUpdate: window().end().
    const { input, output } = run(
      (g) => g.windowedBy(SessionWindows.ofInactivityGapAndGrace(10, 20)).count(),
      Serdes.sessionWindowed(Serdes.string()),
    );
    input.pipeInput('a', 'x', 0);
    input.pipeInput('a', 'x', 20);
    input.pipeInput('a', 'x', 10); // record at 10 bridges [0,0] and [20,20]
    expect(output.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      [win('a', 0, 0), 1, 0],
      [win('a', 20, 20), 1, 20],
      [win('a', 0, 0), null, 0],
      [win('a', 20, 20), null, 20],
      [win('a', 0, 20), 3, 20],
    ]);
  });

  it('does not merge a session that has left the store (retention gap + grace, as Kafka Streams)', () => {
    const { input, output } = run(
      (g) => g.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10)).count(),
      Serdes.sessionWindowed(Serdes.string()),
    );
    input.pipeInput('a', 'x', 0);
    input.pipeInput('a', 'x', 20); // the store keeps sessions ending after 20 - 10: [0,0] is gone
    input.pipeInput('a', 'x', 10); // so this only joins [20,20]
    expect(output.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      [win('a', 0, 0), 1, 0],
      [win('a', 20, 20), 1, 20],
      [win('a', 20, 20), null, 20],
      [win('a', 10, 20), 2, 20],
    ]);
  });

  it('aggregates with a merger', () => {
    const b = new StreamsBuilder();
    b.stream('input', { key: Serdes.string(), value: Serdes.string() })
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(10, 20))
      .aggregate(
        () => '',
        (_k, v, agg) => agg + v,
        (_k, a, c) => a + c,
        { materialized: { value: Serdes.string() } },
      )
      .toStream()
      .to('output', { value: Serdes.string() });
    const driver = new TopologyTestDriver(b.build(), {}, 0);
    const input = driver.createInputTopic('input', Serdes.string(), Serdes.string());
    const output = driver.createOutputTopic(
      'output',
      Serdes.sessionWindowed(Serdes.string()),
      Serdes.string(),
      { tombstones: true },
    );
    input.pipeInput('k', 'a', 0);
    input.pipeInput('k', 'c', 20);
    input.pipeInput('k', 'b', 10); // bridges [0,0] and [20,20]
    expect(output.readKeyValuesToList().at(-1)).toEqual({ key: win('k', 0, 20), value: 'acb' });
    driver.close();
  });
});

describe('emitStrategy(onWindowClose)', () => {
  it('emits each window once, when stream time passes its end + grace', () => {
    const { input, output } = run((g) =>
      g.windowedBy(TimeWindows.ofSizeAndGrace(10, 2)).emitStrategy(EmitStrategy.onWindowClose()).count(),
    );
    input.pipeInput('a', 'x', 1);
    input.pipeInput('a', 'x', 3);
    input.pipeInput('b', 'x', 9);
    input.pipeInput('a', 'x', 11); // close time 9: [0,10) still open
    expect(output.readKeyValuesToList()).toEqual([]);
    input.pipeInput('a', 'x', 12); // close time 10: [0,10) closes
    expect(output.readKeyValuesToList()).toEqual([
      { key: win('a', 0, 10), value: 2 },
      { key: win('b', 0, 10), value: 1 },
    ]);
    input.pipeInput('a', 'x', 13); // close time 11: nothing new closed
    input.pipeInput('a', 'x', 25); // close time 23: [10,20) closes
    expect(output.readKeyValuesToList()).toEqual([{ key: win('a', 10, 20), value: 3 }]);
  });

  it('emits a session once stream time passes its end + gap + grace', () => {
    // KStreamSessionWindowAggregate: close time = stream time - grace - gap; a session is final
    // once its (inclusive) end is before it.
    const { input, output } = run(
      (g) =>
        g
          .windowedBy(SessionWindows.ofInactivityGapAndGrace(10, 2))
          .emitStrategy(EmitStrategy.onWindowClose())
          // Longer than the default gap + grace: by the time a session closes, a store that keeps
          // only gap + grace has dropped it (so does Kafka Streams' in-memory store), docs/windowing.md.
          .count({ materialized: { retentionMs: 100 } }),
      Serdes.sessionWindowed(Serdes.string()),
    );
    input.pipeInput('a', 'x', 0);
    input.pipeInput('a', 'x', 3); // [0,3] = 2
    input.pipeInput('b', 'x', 15); // close time 3: [0,3] still open (a@13 could still extend it)
    expect(output.readKeyValuesToList()).toEqual([]);
    input.pipeInput('b', 'x', 16); // close time 4: [0,3] is final
    expect(output.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      [win('a', 0, 3), 2, 3],
    ]);
  });
});
