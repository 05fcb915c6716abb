import { describe, expect, it } from 'vitest';
import {
  BufferConfig,
  ConfigError,
  Serdes,
  SessionWindows,
  SlidingWindows,
  StreamsBuilder,
  StreamsError,
  Suppressed,
  TimeWindows,
  TopologyError,
} from '../../../src/index.js';
import type { KGroupedStream, KTable, Serde, Windowed } from '../../../src/index.js';
import { TopologyTestDriver } from '../../../src/testing/index.js';

const win = (key: string, start: number, end: number): Windowed<string> => ({ key, window: { start, end } });
const windowedKey = Serdes.windowed(Serdes.string(), { windowSizeMs: 10 });

function windowedCounts(suppressed: Suppressed) {
  const b = new StreamsBuilder();
  b.stream('input', { key: Serdes.string(), value: Serdes.string() })
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
    .count()
    .suppress(suppressed)
    .toStream()
    .to('output', { key: windowedKey, value: Serdes.long() });
  const driver = new TopologyTestDriver(b.build(), {}, 0);
  return {
    driver,
    input: driver.createInputTopic('input', Serdes.string(), Serdes.string()),
    output: driver.createOutputTopic('output', windowedKey, Serdes.long()),
  };
}

/** `input` → groupByKey → `count(grouped)` → suppress(untilWindowCloses) → `output`. */
function finalCounts(
  count: (grouped: KGroupedStream<string, string>) => KTable<Windowed<string>, number>,
  keySerde: Serde<Windowed<string>>,
) {
  const b = new StreamsBuilder();
  count(b.stream('input', { key: Serdes.string(), value: Serdes.string() }).groupByKey())
    .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
    .toStream()
    .to('output', { key: keySerde, value: Serdes.long() });
  const driver = new TopologyTestDriver(b.build(), {}, 0);
  const output = driver.createOutputTopic('output', keySerde, Serdes.long());
  return {
    input: driver.createInputTopic('input', Serdes.string(), Serdes.string()),
    /** Emitted records as `[key, value, timestamp]`. */
    emitted: () => output.readRecordsToList().map((r) => [r.key, r.value, r.timestamp]),
  };
}

function tableCounts(suppressed: Suppressed) {
  const b = new StreamsBuilder();
  b.stream('input', { key: Serdes.string(), value: Serdes.string() })
    .groupByKey()
    .count()
    .suppress(suppressed)
    .toStream()
    .to('output', { key: Serdes.string(), value: Serdes.long() });
  const driver = new TopologyTestDriver(b.build(), {}, 0);
  return {
    input: driver.createInputTopic('input', Serdes.string(), Serdes.string()),
    output: driver.createOutputTopic('output', Serdes.string(), Serdes.long()),
  };
}

describe('suppress(untilWindowCloses)', () => {
  it('emits exactly one final result per window, when stream time reaches its end', () => {
    const { input, output } = windowedCounts(Suppressed.untilWindowCloses(BufferConfig.unbounded()));
    input.pipeInput('a', 'x', 1); // [0,10) a=1 buffered
    input.pipeInput('a', 'x', 5); // [0,10) a=2 replaces it
    input.pipeInput('b', 'x', 7); // [0,10) b=1 buffered
    expect(output.readKeyValuesToList()).toEqual([]);
    input.pipeInput('a', 'x', 12); // stream time 12 >= 10: [0,10) closed, emitted in order
    expect(output.readKeyValuesToList()).toEqual([
      { key: win('a', 0, 10), value: 2 },
      { key: win('b', 0, 10), value: 1 },
    ]);
    input.pipeInput('a', 'x', 13); // [10,20) a=2, still open
    expect(output.readKeyValuesToList()).toEqual([]);
    input.pipeInput('a', 'x', 25); // [10,20) closes
    expect(output.readKeyValuesToList()).toEqual([{ key: win('a', 10, 20), value: 2 }]);
  });

  it('emits windows closing at the same time by key bytes, not arrival order', () => {
    // Kafka Streams' InMemoryTimeOrderedKeyValueChangeBuffer sorts by BufferKey: time, then key bytes.
    const { input, output } = windowedCounts(Suppressed.untilWindowCloses(BufferConfig.unbounded()));
    input.pipeInput('b', 'x', 1); // [0,10) b=1, due 10
    input.pipeInput('ab', 'x', 2); // [0,10) ab=1, due 10
    input.pipeInput('a', 'x', 3); // [0,10) a=1, due 10
    input.pipeInput('z', 'x', 10); // stream time 10: all three due at once
    expect(output.readKeyValuesToList()).toEqual([
      { key: win('a', 0, 10), value: 1 },
      { key: win('ab', 0, 10), value: 1 },
      { key: win('b', 0, 10), value: 1 },
    ]);
  });

  it('session windows: emits when stream time reaches end + gap + grace', () => {
    // Kafka Streams: GraphGraceSearchUtil gives a session suppression grace + gap; the buffer time
    // is the session end (TimeDefinitions.WindowEndTimeDefinition). Gap 10, grace 2: delay 12.
    const { input, emitted } = finalCounts(
      (g) => g.windowedBy(SessionWindows.ofInactivityGapAndGrace(10, 2)).count(),
      Serdes.sessionWindowed(Serdes.string()),
    );
    // record  stream time  buffered / emitted
    input.pipeInput('a', 'x', 0); //  0   [0,0]=1
    input.pipeInput('a', 'x', 5); //  5   [0,0] tombstone, [0,5]=2 (due 5 + 12 = 17)
    input.pipeInput('b', 'x', 16); // 16  b [16,16]=1; the [0,0] tombstone expires unseen
    expect(emitted()).toEqual([]);
    input.pipeInput('b', 'x', 17); // 17  → a [0,5]=2, timestamped with its last update (5)
    expect(emitted()).toEqual([[win('a', 0, 5), 2, 5]]);
  });

  it('sliding windows: emits when stream time reaches end + grace (the end is not shifted)', () => {
    // Kafka Streams' sliding windows are TimeWindow(start, start + d) and the suppression buffer
    // time is window.end(): [0,10] is final at stream time 10, as a time window [0,10) would be.
    const { input, emitted } = finalCounts(
      (g) => g.windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(10)).count(),
      Serdes.windowed(Serdes.string(), { windowSizeMs: 10 }),
    );
    input.pipeInput('b', 'x', 5); //  stream time 5: b [0,10]=1
    input.pipeInput('a', 'x', 9); //  stream time 9: a [0,10]=1
    expect(emitted()).toEqual([]);
    input.pipeInput('c', 'x', 10); // stream time 10: c [0,10]=1; all three [0,10] due, by key
    expect(emitted()).toEqual([
      [win('a', 0, 10), 1, 9],
      [win('b', 0, 10), 1, 5],
      [win('c', 0, 10), 1, 10],
    ]);
  });

  it('fails with a StreamsError naming the suppression when a shutDownWhenFull buffer is full', () => {
    const { input } = windowedCounts(
      Suppressed.untilWindowCloses(BufferConfig.maxRecords(1).shutDownWhenFull()).withName('final-counts'),
    );
    input.pipeInput('a', 'x', 1);
    let error: unknown;
    try {
      input.pipeInput('b', 'x', 2);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StreamsError);
    expect((error as StreamsError).node).toBe('final-counts');
    expect((error as StreamsError).message).toMatch(/final-counts.*full/);
  });

  it('is only allowed on windowed tables and with a strict buffer', () => {
    const table = new StreamsBuilder()
      .stream('input', { key: Serdes.string(), value: Serdes.string() })
      .groupByKey()
      .count();
    expect(() => table.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))).toThrow(
      TopologyError,
    );
    expect(() => Suppressed.untilWindowCloses(BufferConfig.maxRecords(5))).toThrow(ConfigError);
  });
});

describe('suppress(untilTimeLimit)', () => {
  it("emits a key's latest value once the limit has passed since its first update", () => {
    const { input, output } = tableCounts(Suppressed.untilTimeLimit(10, BufferConfig.unbounded()));
    input.pipeInput('a', 'x', 0); // a=1 due at 0 + 10
    input.pipeInput('a', 'x', 5); // a=2 replaces it; the timer is not restarted
    input.pipeInput('b', 'x', 8); // b=1 due at 18
    expect(output.readKeyValuesToList()).toEqual([]);
    input.pipeInput('c', 'x', 10); // stream time 10: a is due
    expect(output.readKeyValuesToList()).toEqual([{ key: 'a', value: 2 }]);
    input.pipeInput('x', 'x', 18); // stream time 18: b is due (c at 20 is not)
    expect(output.readKeyValuesToList()).toEqual([{ key: 'b', value: 1 }]);
  });

  it('emits keys due at the same time by key bytes', () => {
    const { input, output } = tableCounts(Suppressed.untilTimeLimit(10, BufferConfig.unbounded()));
    input.pipeInput('b', 'x', 0);
    input.pipeInput('a', 'x', 0);
    input.pipeInput('c', 'x', 10); // stream time 10: a and b are both due (first updates at 0)
    expect(output.readKeyValuesToList()).toEqual([
      { key: 'a', value: 1 },
      { key: 'b', value: 1 },
    ]);
  });

  it('emits the oldest records early when a bounded buffer is full', () => {
    const { input, output } = tableCounts(
      Suppressed.untilTimeLimit(1_000, BufferConfig.maxRecords(2).emitEarlyWhenFull()),
    );
    input.pipeInput('a', 'x', 0);
    input.pipeInput('b', 'x', 1);
    expect(output.readKeyValuesToList()).toEqual([]);
    input.pipeInput('c', 'x', 2); // three keys > 2: the oldest (a) goes out early
    expect(output.readKeyValuesToList()).toEqual([{ key: 'a', value: 1 }]);
  });
});
