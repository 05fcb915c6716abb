import { afterEach, describe, expect, it } from 'vitest';
import {
  Serdes,
  StreamsBuilder,
  Topology,
  type Cancellable,
  type ProcessorContext,
  type PunctuationType,
} from '../../../src/index.js';
import type { TopologyTestDriver } from '../../../src/testing/index.js';
import { driverFor } from './support/harness.js';

let driver: TopologyTestDriver | undefined;
afterEach(() => driver?.close());

interface Ticker {
  fired: number[];
  cancellable: Cancellable | undefined;
}

/**
 * source 'input' → processor 'ticker' (schedules `intervalMs` on `type`, forwards a 'tick' per
 * punctuation, cancels after `cancelAfter` ticks, or when it sees the value 'cancel') → sink 'ticks'.
 */
function tickerTopology(
  type: PunctuationType,
  intervalMs: number,
  cancelAfter = Infinity,
): { topology: Topology; ticker: Ticker } {
  const ticker: Ticker = { fired: [], cancellable: undefined };
  const topology = new Topology()
    .addSource('in', 'input', { key: Serdes.string(), value: Serdes.string() })
    .addProcessor<string, string, string, string>(
      'ticker',
      () => {
        let ctx: ProcessorContext<string, string>;
        return {
          init: (c) => {
            ctx = c;
            ticker.cancellable = c.schedule(intervalMs, type, (ts) => {
              ticker.fired.push(ts);
              ctx.forward({ key: 'tick', value: String(ts) });
              if (ticker.fired.length >= cancelAfter) ticker.cancellable!.cancel();
            });
          },
          process: (r) => {
            if (r.value === 'cancel') ticker.cancellable!.cancel();
          },
        };
      },
      'in',
    )
    .addSink('out', 'ticks', { key: Serdes.string(), value: Serdes.string() }, 'ticker');
  return { topology, ticker };
}

describe('stream-time punctuation', () => {
  it('fires as record timestamps advance, aligned to 0, with the stream time', () => {
    const { topology, ticker } = tickerTopology('stream-time', 10);
    driver = driverFor(topology);
    const input = driver.createInputTopic('input', Serdes.string(), Serdes.string());
    input.pipeInput('k', 'v', 0);
    input.pipeInput('k', 'v', 5);
    input.pipeInput('k', 'v', 10);
    input.pipeInput('k', 'v', 19);
    input.pipeInput('k', 'v', 21);
    expect(ticker.fired).toEqual([0, 10, 21]);
  });

  it('fires only once when stream time jumps several intervals, then realigns to the grid', () => {
    const { topology, ticker } = tickerTopology('stream-time', 10);
    driver = driverFor(topology);
    const input = driver.createInputTopic('input', Serdes.string(), Serdes.string());
    input.pipeInput('k', 'v', 0);
    input.pipeInput('k', 'v', 45);
    input.pipeInput('k', 'v', 49);
    input.pipeInput('k', 'v', 50);
    expect(ticker.fired).toEqual([0, 45, 50]);
  });

  it('does not move back with an out-of-order record, and wall-clock time does not fire it', () => {
    const { topology, ticker } = tickerTopology('stream-time', 10);
    driver = driverFor(topology);
    const input = driver.createInputTopic('input', Serdes.string(), Serdes.string());
    input.pipeInput('k', 'v', 15);
    input.pipeInput('k', 'v', 3);
    driver.advanceWallClockTime(1_000_000);
    input.pipeInput('k', 'v', 19);
    expect(ticker.fired).toEqual([15]);
  });

  it('records forwarded from a punctuator get the punctuation time as timestamp', () => {
    const { topology } = tickerTopology('stream-time', 10);
    driver = driverFor(topology);
    driver.createInputTopic('input', Serdes.string(), Serdes.string()).pipeInput('k', 'v', 12);
    expect(driver.createOutputTopic('ticks', Serdes.string(), Serdes.string()).readRecordsToList()).toEqual([
      { key: 'tick', value: '12', timestamp: 12 },
    ]);
  });

  it('is cancellable from the punctuator itself and from process()', () => {
    const fromPunctuator = tickerTopology('stream-time', 10, 2);
    driver = driverFor(fromPunctuator.topology);
    const input = driver.createInputTopic('input', Serdes.string(), Serdes.string());
    for (const ts of [0, 10, 20, 30]) input.pipeInput('k', 'v', ts);
    expect(fromPunctuator.ticker.fired).toEqual([0, 10]);
    driver.close();

    const fromProcess = tickerTopology('stream-time', 10);
    driver = driverFor(fromProcess.topology);
    const input2 = driver.createInputTopic('input', Serdes.string(), Serdes.string());
    input2.pipeInput('k', 'v', 0);
    input2.pipeInput('k', 'cancel', 5);
    input2.pipeInput('k', 'v', 30);
    expect(fromProcess.ticker.fired).toEqual([0]);
  });

  it('stream time is per task: a downstream sub-topology only sees the records that reach it', () => {
    const seen: { upstream: number[]; downstream: number[] } = { upstream: [], downstream: [] };
    const builder = new StreamsBuilder();
    builder
      .stream('input', { key: Serdes.string(), value: Serdes.string() })
      .peek(() => undefined)
      .processValues<string>(() => {
        let ctx: ProcessorContext<string, string>;
        return {
          init: (c) => void (ctx = c),
          process: (r) => {
            seen.upstream.push(ctx.currentStreamTimeMs());
            ctx.forward(r);
          },
        };
      })
      .filter((_, v) => v !== 'drop')
      .repartition({ name: 'hop', value: Serdes.string() })
      .processValues<string>(() => {
        let ctx: ProcessorContext<string, string>;
        return {
          init: (c) => void (ctx = c),
          process: () => void seen.downstream.push(ctx.currentStreamTimeMs()),
        };
      });
    driver = driverFor(builder.build());
    const input = driver.createInputTopic('input', Serdes.string(), Serdes.string());
    input.pipeInput('k', 'keep', 10);
    input.pipeInput('k', 'drop', 100);
    input.pipeInput('k', 'keep', 20);
    expect(seen.upstream).toEqual([10, 100, 100]);
    expect(seen.downstream).toEqual([10, 20]);
  });
});

describe('wall-clock punctuation', () => {
  it('fires only when the driver clock is advanced, an interval after it was scheduled', () => {
    const { topology, ticker } = tickerTopology('wall-clock', 1_000);
    driver = driverFor(topology, {}, 5_000);
    const input = driver.createInputTopic('input', Serdes.string(), Serdes.string());
    input.pipeInput('k', 'v', 999_999);
    expect(ticker.fired).toEqual([]);
    driver.advanceWallClockTime(999);
    expect(ticker.fired).toEqual([]);
    driver.advanceWallClockTime(1);
    expect(ticker.fired).toEqual([6_000]);
    driver.advanceWallClockTime(1_000);
    expect(ticker.fired).toEqual([6_000, 7_000]);
  });

  it('fires once after a long gap, and the forwarded records reach the sink with the wall-clock time', () => {
    const { topology, ticker } = tickerTopology('wall-clock', 1_000);
    driver = driverFor(topology, {}, 0);
    driver.advanceWallClockTime(3_500);
    driver.advanceWallClockTime(400);
    driver.advanceWallClockTime(100);
    expect(ticker.fired).toEqual([3_500, 4_000]);
    expect(driver.createOutputTopic('ticks', Serdes.string(), Serdes.string()).readRecordsToList()).toEqual([
      { key: 'tick', value: '3500', timestamp: 3_500 },
      { key: 'tick', value: '4000', timestamp: 4_000 },
    ]);
  });

  it('stops after cancel()', () => {
    const { topology, ticker } = tickerTopology('wall-clock', 100, 1);
    driver = driverFor(topology, {}, 0);
    driver.advanceWallClockTime(100);
    driver.advanceWallClockTime(100);
    driver.advanceWallClockTime(100);
    expect(ticker.fired).toEqual([100]);
  });

  it('records a wall-clock punctuator forwards into a repartition are processed downstream at once', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('input', { key: Serdes.string(), value: Serdes.string() })
      .process<string, string>(() => {
        let ctx: ProcessorContext<string, string>;
        return {
          init: (c) => {
            ctx = c;
            c.schedule(10, 'wall-clock', (ts) => ctx.forward({ key: 'clock', value: String(ts) }));
          },
          process: () => undefined,
        };
      })
      .groupByKey({ key: Serdes.string(), value: Serdes.string() })
      .count({ name: 'ticks' });
    driver = driverFor(builder.build(), {}, 0);
    driver.advanceWallClockTime(10);
    driver.advanceWallClockTime(10);
    expect(driver.getKeyValueStore<string, number>('ticks').get('clock')).toBe(2);
  });
});
