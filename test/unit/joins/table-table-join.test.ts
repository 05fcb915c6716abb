import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../../src/index.js';
import { joinDriver, str } from './support.js';

type Mode = 'join' | 'leftJoin' | 'outerJoin';

/** `left` ⋈ `right` on the primary key; the result's updates go to `out` as `newValue` (deletes as null). */
function tables(mode: Mode) {
  const b = new StreamsBuilder();
  const left = b.table('left', { key: str, value: str });
  const right = b.table('right', { key: str, value: str });
  const joiner = (l: string | null, r: string | null) => `${l ?? '-'}+${r ?? '-'}`;
  const joined =
    mode === 'join'
      ? left.join(right, joiner, { name: 'lr', materialized: { storeName: 'lr-store' } })
      : mode === 'leftJoin'
        ? left.leftJoin(right, joiner, { name: 'lr', materialized: { storeName: 'lr-store' } })
        : left.outerJoin(right, joiner, { name: 'lr', materialized: { storeName: 'lr-store' } });
  joined.toStream().to('out', { key: str, value: str });
  const driver = joinDriver(b.build());
  return {
    driver,
    left: driver.createInputTopic('left', str, str),
    right: driver.createInputTopic('right', str, str),
    out: driver.createOutputTopic('out', str, str, { tombstones: true }),
    store: () => driver.getKeyValueStore<string, string>('lr-store'),
  };
}

const DELETE = null;

describe('table–table join (primary key)', () => {
  it('inner: a result exists while both rows exist; a delete on either side deletes it', () => {
    const { driver, left, right, out, store } = tables('join');
    // t=1 L a=A1             → (no right row) nothing
    // t=2 R a=B1             → a = A1+B1 (t=2)
    // t=3 L a=A2             → a = A2+B1
    // t=4 R a=delete         → a = null (result deleted)
    // t=5 L a=delete         → (no right row, no result) nothing
    left.pipeInput('a', 'A1', 1);
    right.pipeInput('a', 'B1', 2);
    left.pipeInput('a', 'A2', 3);
    right.pipeInput('a', DELETE, 4);
    left.pipeInput('a', DELETE, 5);
    expect(out.readRecordsToList().map(({ key, value, timestamp }) => ({ key, value, timestamp }))).toEqual([
      { key: 'a', value: 'A1+B1', timestamp: 2 },
      { key: 'a', value: 'A2+B1', timestamp: 3 },
      { key: 'a', value: null, timestamp: 4 },
    ]);
    expect(store().get('a')).toBeUndefined();
    driver.close();
  });

  it('inner: result timestamp is the larger of the two rows', () => {
    const { driver, left, right, out } = tables('join');
    right.pipeInput('k', 'R', 50);
    left.pipeInput('k', 'L', 10);
    expect(out.readRecord()).toMatchObject({ key: 'k', value: 'L+R', timestamp: 50 });
    driver.close();
  });

  it('left: every left row is in the result; right updates only matter while a left row exists', () => {
    const { driver, left, right, out, store } = tables('leftJoin');
    // t=1 R a=B0             → no left row: nothing
    // t=2 L a=A1             → A1+B0
    // t=3 R a=delete         → A1+-
    // t=4 L b=X              → X+-
    // t=5 L a=delete         → a deleted
    right.pipeInput('a', 'B0', 1);
    left.pipeInput('a', 'A1', 2);
    right.pipeInput('a', DELETE, 3);
    left.pipeInput('b', 'X', 4);
    left.pipeInput('a', DELETE, 5);
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'a', value: 'A1+B0' },
      { key: 'a', value: 'A1+-' },
      { key: 'b', value: 'X+-' },
      { key: 'a', value: null },
    ]);
    expect(store().get('b')).toBe('X+-');
    expect(store().get('a')).toBeUndefined();
    driver.close();
  });

  it('outer: keys of either side are in the result; deleted when both sides are gone', () => {
    const { driver, left, right, out, store } = tables('outerJoin');
    // t=1 R a=B1 → -+B1 ; t=2 L a=A1 → A1+B1 ; t=3 L a=delete → -+B1 ; t=4 R a=delete → a deleted
    right.pipeInput('a', 'B1', 1);
    left.pipeInput('a', 'A1', 2);
    left.pipeInput('a', DELETE, 3);
    right.pipeInput('a', DELETE, 4);
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'a', value: '-+B1' },
      { key: 'a', value: 'A1+B1' },
      { key: 'a', value: '-+B1' },
      { key: 'a', value: null },
    ]);
    expect(store().get('a')).toBeUndefined();
    driver.close();
  });

  it('forwards correct old values downstream (a re-grouping after the join subtracts the old result)', () => {
    const b = new StreamsBuilder();
    const users = b.table('users', { key: str, value: str }); // user → country
    const plans = b.table('plans', { key: str, value: str }); // user → plan
    users
      .join(plans, (country, plan) => `${country}/${plan}`)
      .groupBy((_, v) => [v, v] as const, { key: str, value: str })
      .count({ name: 'per-country-plan' })
      .toStream()
      .to('counts', { key: str });
    const driver = joinDriver(b.build());
    const usersIn = driver.createInputTopic('users', str, str);
    const plansIn = driver.createInputTopic('plans', str, str);
    usersIn.pipeInput('u1', 'NL', 1);
    plansIn.pipeInput('u1', 'free', 2); // NL/free = 1
    plansIn.pipeInput('u1', 'pro', 3); // NL/free = 0, NL/pro = 1
    const counts = driver.getKeyValueStore<string, number>('per-country-plan');
    expect(counts.get('NL/free')).toBe(0);
    expect(counts.get('NL/pro')).toBe(1);
    driver.close();
  });

  it('joins an unmaterialized table (mapValues) through a store it adds', () => {
    const b = new StreamsBuilder();
    const upper = b.table('left', { key: str, value: str }).mapValues((v) => v.toUpperCase());
    const right = b.table('right', { key: str, value: str });
    upper
      .join(right, (l, r) => `${l}${r}`)
      .toStream()
      .to('out', { key: str, value: str });
    const driver = joinDriver(b.build());
    driver.createInputTopic('left', str, str).pipeInput('k', 'a', 1);
    driver.createInputTopic('right', str, str).pipeInput('k', 'b', 2);
    expect(driver.createOutputTopic('out', str, str, { tombstones: true }).readKeyValuesToList()).toEqual([
      { key: 'k', value: 'Ab' },
    ]);
    driver.close();
  });
});
