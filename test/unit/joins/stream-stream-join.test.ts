import { describe, expect, it } from 'vitest';
import { JoinWindows, Serdes, StreamsBuilder } from '../../../src/index.js';
import { joinDriver, str } from './support.js';

type Mode = 'join' | 'leftJoin' | 'outerJoin';

function streams(mode: Mode, windows: JoinWindows) {
  const b = new StreamsBuilder();
  const left = b.stream('left', { key: str, value: str });
  const right = b.stream('right', { key: str, value: str });
  const joiner = (l: string | null, r: string | null) => `${l ?? '-'}+${r ?? '-'}`;
  const joined =
    mode === 'join'
      ? left.join(right, joiner, windows)
      : mode === 'leftJoin'
        ? left.leftJoin(right, joiner, windows)
        : left.outerJoin(right, joiner, windows);
  joined.to('out', { key: str, value: str });
  const driver = joinDriver(b.build());
  const out = driver.createOutputTopic('out', str, str);
  return {
    driver,
    left: driver.createInputTopic('left', str, str),
    right: driver.createInputTopic('right', str, str),
    /** Results as `key value @timestamp`, in emission order. */
    results: () => out.readRecordsToList().map((r) => `${r.key} ${r.value} @${r.timestamp}`),
  };
}

describe('stream–stream inner join', () => {
  it('joins records with the same key within the window; each pair once; result time is the later one', () => {
    const { driver, left, right, results } = streams('join', JoinWindows.ofTimeDifferenceAndGrace(10, 5));
    // window ±10 ms, grace 5 ms
    // t=100 L a:L1
    // t=105 R a:R1   → L1+R1 @105   (|105-100| ≤ 10)
    // t=115 R a:R2   → nothing       (|115-100| = 15)
    // t=112 L a:L2   → L2+R1 @112, L2+R2 @115  (out of order, both partners within 10)
    left.pipeInput('a', 'L1', 100);
    right.pipeInput('a', 'R1', 105);
    right.pipeInput('a', 'R2', 115);
    left.pipeInput('a', 'L2', 112);
    expect(results()).toEqual(['a L1+R1 @105', 'a L2+R1 @112', 'a L2+R2 @115']);
    driver.close();
  });

  it('joins an out-of-order record within grace, drops one beyond retention (window + grace)', () => {
    const { driver, left, right, results } = streams('join', JoinWindows.ofTimeDifferenceAndGrace(10, 5));
    // stores keep before + after + grace = 25 ms behind the newest record they hold
    // t=200 L b:Lb
    // t=192 R b:Rb   → Lb+Rb @200 (late by 8, partner still held)
    // t=300 L c:Lc   → left store now keeps only t ≥ 275
    // t=205 R b:Rb2  → nothing (Lb@200 has expired from the left store)
    left.pipeInput('b', 'Lb', 200);
    right.pipeInput('b', 'Rb', 192);
    left.pipeInput('c', 'Lc', 300);
    right.pipeInput('b', 'Rb2', 205);
    expect(results()).toEqual(['b Lb+Rb @200']);
    driver.close();
  });

  it('drops null keys and null values; keys must be equal', () => {
    const { driver, left, right, results } = streams('join', JoinWindows.ofTimeDifferenceWithNoGrace(10));
    left.pipeInput(null, 'x', 1);
    right.pipeInput(null, 'y', 1);
    left.pipeInput('a', null, 1);
    right.pipeInput('a', 'r', 2);
    right.pipeInput('b', 'r', 2);
    left.pipeInput('b', 'l', 3);
    expect(results()).toEqual(['b l+r @3']);
    driver.close();
  });

  it('honours asymmetric windows: before(0) joins only right records at or after the left one', () => {
    const { driver, left, right, results } = streams(
      'join',
      JoinWindows.ofTimeDifferenceWithNoGrace(10).before(0),
    );
    // left at t joins right in [t, t+10]
    right.pipeInput('a', 'early', 95);
    left.pipeInput('a', 'L', 100); // right@95 is before → no join
    right.pipeInput('a', 'late', 104); // within [100, 110] → L+late
    expect(results()).toEqual(['a L+late @104']);
    driver.close();
  });
});

describe('stream–stream left join', () => {
  it('emits unmatched left records with null only when their window closes (t + after + grace < stream time)', () => {
    const { driver, left, right, results } = streams('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(10, 5));
    // t=100 L a:A    parked
    // t=108 R a:Ra   → A+Ra @108 (A is matched: never emitted with null)
    // t=110 L b:B    parked, closes after 110+10+5 = 125
    // t=114 L c:C    parked, closes after 129
    // t=116 R x:X    right records never produce a left-join result on their own
    // t=126 L z:Z    Z parked; nothing yet: as in Kafka Streams a side scans for closed windows only
    //                once its own look-ahead plus grace passed the last record it looked at (114 + 15)
    // t=130 R y:Y    130 > 129 → B+- @110 and C+- @114 (both closed by now); Z still open
    left.pipeInput('a', 'A', 100);
    right.pipeInput('a', 'Ra', 108);
    left.pipeInput('b', 'B', 110);
    left.pipeInput('c', 'C', 114);
    right.pipeInput('x', 'X', 116);
    expect(results()).toEqual(['a A+Ra @108']);
    left.pipeInput('z', 'Z', 126);
    expect(results()).toEqual([]);
    right.pipeInput('y', 'Y', 130);
    expect(results()).toEqual(['b B+- @110', 'c C+- @114']);
    driver.close();
  });

  it('a partner arriving out of order within grace prevents the null result', () => {
    const { driver, left, right, results } = streams('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(10, 5));
    // t=100 L a:A parked (closes after 115) ; t=112 L q:Q (stream time 112)
    // t=95  R a:Ra (late, within [90, 110] and within grace) → A+Ra @100, A un-parked
    // t=200 L w:W → closes everything older: only Q+- @112 (A was matched)
    left.pipeInput('a', 'A', 100);
    left.pipeInput('q', 'Q', 112);
    right.pipeInput('a', 'Ra', 95);
    left.pipeInput('w', 'W', 200);
    expect(results()).toEqual(['a A+Ra @100', 'q Q+- @112']);
    driver.close();
  });

  it('a left record arriving after its window already ended is emitted with null at once', () => {
    const { driver, left, right, results } = streams('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(10, 5));
    right.pipeInput('x', 'X', 300); // stream time 300
    left.pipeInput('d', 'D', 100); // 100 + 10 < 300: window over → D+- @100 immediately
    expect(results()).toEqual(['d D+- @100']);
    driver.close();
  });

  it('emits each duplicate unmatched record (same key and time)', () => {
    const { driver, left, results } = streams('leftJoin', JoinWindows.ofTimeDifferenceWithNoGrace(10));
    left.pipeInput('a', 'A1', 100);
    left.pipeInput('a', 'A2', 100);
    left.pipeInput('z', 'Z', 111); // 100 + 10 < 111
    expect(results()).toEqual(['a A1+- @100', 'a A2+- @100']);
    driver.close();
  });
});

describe('stream–stream outer join', () => {
  it('emits unmatched records of both sides with null when their windows close', () => {
    const { driver, left, right, results } = streams(
      'outerJoin',
      JoinWindows.ofTimeDifferenceWithNoGrace(10),
    );
    // t=100 L a:A   parked
    // t=105 R b:Rb  parked
    // t=109 R a:Ra  → A+Ra @109 (A un-parked)
    // t=120 L c:C   stream time 120: Rb closes (105 + 10 < 120) → -+Rb @105 ; C parked
    // t=131 R d:Rd  C closes (120 + 10 < 131) → C+- @120 ; Rd parked
    left.pipeInput('a', 'A', 100);
    right.pipeInput('b', 'Rb', 105);
    right.pipeInput('a', 'Ra', 109);
    expect(results()).toEqual(['a A+Ra @109']);
    left.pipeInput('c', 'C', 120);
    expect(results()).toEqual(['b -+Rb @105']);
    right.pipeInput('d', 'Rd', 131);
    expect(results()).toEqual(['c C+- @120']);
    driver.close();
  });

  it('closes right records by `before` and left ones by `after`', () => {
    const { driver, left, right, results } = streams(
      'outerJoin',
      JoinWindows.ofTimeDifferenceWithNoGrace(10).before(2),
    );
    // left at t joins right in [t-2, t+10]; a right record at t waits for left in [t-10, t+2]
    right.pipeInput('r', 'R', 100); // closes after 102
    left.pipeInput('l', 'L', 100); // closes after 110
    // The left side scans only once `after` passed the oldest parked record (100 + 10), as in Kafka Streams.
    left.pipeInput('x', 'X', 103);
    expect(results()).toEqual([]);
    // The right side scans once `before` passed it (100 + 2): R and L closed, X open until 113.
    right.pipeInput('y', 'Y', 111);
    expect(results()).toEqual(['r -+R @100', 'l L+- @100']);
    driver.close();
  });

  it('emits null-key records joined with null at once', () => {
    const { driver, left, right, results } = streams(
      'outerJoin',
      JoinWindows.ofTimeDifferenceWithNoGrace(10),
    );
    left.pipeInput(null, 'L', 1);
    right.pipeInput(null, 'R', 2);
    expect(results()).toEqual(['null L+- @1', 'null -+R @2']);
    driver.close();
  });
});

describe('stream–stream join co-partitioning', () => {
  it('repartitions a side whose key changed (selectKey) through <name>-left-repartition', () => {
    const b = new StreamsBuilder();
    const clicks = b.stream('clicks', { key: str, value: str }).selectKey((_, user) => user);
    const views = b.stream('views', { key: str, value: str });
    clicks
      .join(views, (c, v) => `${c}/${v}`, JoinWindows.ofTimeDifferenceWithNoGrace(1_000), {
        name: 'cv',
        key: str,
      })
      .to('out', { key: str, value: str });
    const driver = joinDriver(b.build());
    driver.createInputTopic('views', str, str).pipeInput('alice', 'home', 10);
    driver.createInputTopic('clicks', str, str).pipeInput('click-1', 'alice', 20);
    expect(driver.createOutputTopic('out', str, str).readKeyValuesToList()).toEqual([
      { key: 'alice', value: 'alice/home' },
    ]);
    expect([...driver.producedTopicNames()]).toContain('app-cv-left-repartition');
    driver.close();
  });

  it('fails at build when a repartitioned side has no key serde', () => {
    const b = new StreamsBuilder();
    const left = b.stream('l', { key: str, value: str }).map((k, v) => [k, v] as const);
    left
      .join(
        b.stream('r', { key: str, value: str }),
        (x, y) => x + y,
        JoinWindows.ofTimeDifferenceWithNoGrace(5),
      )
      .to('out', {
        key: str,
        value: str,
      });
    expect(() => b.build()).toThrow(/key serde is unknown/);
  });

  it('names its stores after the join and keeps them in window stores', () => {
    const b = new StreamsBuilder();
    b.stream('l', { key: str, value: Serdes.float64() })
      .leftJoin(
        b.stream('r', { key: str, value: str }),
        (x, y) => `${x}${y}`,
        JoinWindows.ofTimeDifferenceWithNoGrace(5),
        { name: 'j' },
      )
      .to('out', { key: str, value: str });
    const description = b.build().describe().toString();
    expect(description).toContain('j-this-join-store');
    expect(description).toContain('j-other-join-store');
    expect(description).toContain('j-outer-shared-join-store');
  });
});
