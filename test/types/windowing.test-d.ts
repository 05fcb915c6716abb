import { describe, expectTypeOf, it } from 'vitest';
import { Serdes, SessionWindows, SlidingWindows, StreamsBuilder, TimeWindows } from '../../src/index.js';
import type { KTable, SessionWindowedKStream, TimeWindowedKStream, Windowed } from '../../src/index.js';

describe('windowing types', () => {
  const grouped = new StreamsBuilder()
    .stream('in', { key: Serdes.string(), value: Serdes.float64() })
    .groupByKey();

  it('windowedBy(TimeWindows | SlidingWindows) gives a TimeWindowedKStream', () => {
    expectTypeOf(grouped.windowedBy(TimeWindows.ofSizeWithNoGrace(1_000))).toEqualTypeOf<
      TimeWindowedKStream<string, number>
    >();
    expectTypeOf(grouped.windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(1_000))).toEqualTypeOf<
      TimeWindowedKStream<string, number>
    >();
  });

  it('windowedBy(SessionWindows) gives a SessionWindowedKStream', () => {
    expectTypeOf(grouped.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(1_000))).toEqualTypeOf<
      SessionWindowedKStream<string, number>
    >();
  });

  it('aggregations give tables keyed by Windowed<K>', () => {
    const windowed = grouped.windowedBy(TimeWindows.ofSizeWithNoGrace(1_000));
    expectTypeOf(windowed.count()).toEqualTypeOf<KTable<Windowed<string>, number>>();
    expectTypeOf(windowed.reduce((a, b) => a + b)).toEqualTypeOf<KTable<Windowed<string>, number>>();
    expectTypeOf(
      windowed.aggregate(
        () => '',
        (_k, v, agg) => agg + String(v),
      ),
    ).toEqualTypeOf<KTable<Windowed<string>, string>>();
    const sessions = grouped.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(1_000));
    expectTypeOf(
      sessions.aggregate(
        () => 0,
        (_k, v, agg) => agg + v,
        (_k, a, b) => a + b,
      ),
    ).toEqualTypeOf<KTable<Windowed<string>, number>>();
  });
});
