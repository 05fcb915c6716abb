import { describe, expect, it } from 'vitest';
import { Serdes } from '../../../src/index.js';
import { ktableFkJoinResponse } from '../../../src/topology/processors/ktable-fk-join-response.js';
import { ktableFkJoinSubscriptionReceive } from '../../../src/topology/processors/ktable-fk-join-subscription-receive.js';
import { ktableFkJoinSubscriptionSend } from '../../../src/topology/processors/ktable-fk-join-subscription-send.js';
import {
  combinedKeySerde,
  foreignKeyPrefixSerde,
  subscriptionResponseSerde,
  subscriptionWrapperSerde,
  valueHash,
} from '../../../src/topology/processors/ktable-fk-join-wrappers.js';
import { fakeProcessorContext } from './support.js';

const str = Serdes.string();

describe('foreign-key join internals', () => {
  it('response join drops a response whose hash belongs to an outdated left value', () => {
    // left row o1 is now 'lamp'; a response computed for the earlier value 'book' is stale
    const left = new Map<unknown, { value: unknown; timestamp: number }>([
      ['o1', { value: 'lamp', timestamp: 5 }],
    ]);
    const { context, forwarded } = fakeProcessorContext({ left });
    const processor = ktableFkJoinResponse<string, string, string, string>(
      'left',
      str,
      (v, fv) => `${v}/${fv}`,
      false,
    )();
    processor.init!(context);
    processor.process({
      key: 'o1',
      value: { hash: valueHash('book', str), foreignValue: 'Ann', primaryPartition: 0 },
      timestamp: 6,
    });
    expect(forwarded).toEqual([]);
    processor.process({
      key: 'o1',
      value: { hash: valueHash('lamp', str), foreignValue: 'Ann', primaryPartition: 0 },
      timestamp: 7,
    });
    expect(forwarded).toEqual([{ key: 'o1', value: 'lamp/Ann', timestamp: 7, child: undefined }]);
  });

  it('response join of an inner join turns a missing right row into a delete', () => {
    const left = new Map<unknown, { value: unknown; timestamp: number }>([
      ['o1', { value: 'lamp', timestamp: 5 }],
    ]);
    const { context, forwarded } = fakeProcessorContext({ left });
    const processor = ktableFkJoinResponse<string, string, string, string>(
      'left',
      str,
      (v, fv) => `${v}/${fv}`,
      false,
    )();
    processor.init!(context);
    processor.process({
      key: 'o1',
      value: { hash: valueHash('lamp', str), foreignValue: null, primaryPartition: 0 },
      timestamp: 7,
    });
    expect(forwarded.map((f) => f.value)).toEqual([null]);
  });

  it('send: a foreign-key change unsubscribes the old key and subscribes the new one, with the new value hash', () => {
    const { context, forwarded } = fakeProcessorContext({});
    const send = ktableFkJoinSubscriptionSend<string, string, string>(
      (v) => v.split(':')[0]!,
      str,
      str,
      false,
    )();
    send.init!(context);
    send.process({ key: 'o1', value: { newValue: 'c2:book', oldValue: 'c1:book' }, timestamp: 1 });
    const hash = valueHash('c2:book', str);
    expect(forwarded).toEqual([
      {
        key: 'c1',
        value: { hash, instruction: 'delete-no-propagate', primaryKey: 'o1', primaryPartition: 3 },
        timestamp: 1,
        child: undefined,
      },
      {
        key: 'c2',
        value: { hash, instruction: 'propagate-null-if-absent', primaryKey: 'o1', primaryPartition: 3 },
        timestamp: 1,
        child: undefined,
      },
    ]);
  });

  it('send (inner): a new row subscribes only-if-present; a delete unsubscribes and propagates', () => {
    const { context, forwarded } = fakeProcessorContext({});
    const send = ktableFkJoinSubscriptionSend<string, string, string>((v) => v, str, str, false)();
    send.init!(context);
    send.process({ key: 'o1', value: { newValue: 'c1', oldValue: null }, timestamp: 1 });
    send.process({ key: 'o1', value: { newValue: null, oldValue: 'c1' }, timestamp: 2 });
    expect(
      forwarded.map((f) => [
        f.key,
        (f.value as { instruction: string }).instruction,
        (f.value as { hash: unknown }).hash,
      ]),
    ).toEqual([
      ['c1', 'propagate-only-if-present', valueHash('c1', str)],
      ['c1', 'delete-and-propagate', null],
    ]);
  });

  it('send (left): a null foreign key still subscribes, keyed null, for the right side to answer with null', () => {
    const { context, forwarded } = fakeProcessorContext({});
    const send = ktableFkJoinSubscriptionSend<string, { fk: string | null }, string>(
      (v) => v.fk as string,
      str,
      Serdes.json(),
      true,
    )();
    send.init!(context);
    send.process({ key: 'o1', value: { newValue: { fk: null }, oldValue: null }, timestamp: 1 });
    send.process({ key: 'o1', value: { newValue: null, oldValue: { fk: 'c1' } }, timestamp: 2 });
    const hash = valueHash({ fk: null }, Serdes.json());
    expect(forwarded.map((f) => [f.key, f.value, f.timestamp])).toEqual([
      [null, { hash, instruction: 'propagate-null-if-absent', primaryKey: 'o1', primaryPartition: 3 }, 1],
      // a delete: the old key forgets the row, the answer comes through the null key
      ['c1', { hash: null, instruction: 'delete-no-propagate', primaryKey: 'o1', primaryPartition: 3 }, 2],
      [
        null,
        { hash: null, instruction: 'propagate-null-if-absent', primaryKey: 'o1', primaryPartition: 3 },
        2,
      ],
    ]);
  });

  it('receive: a null-key subscription is answered with null and not stored; other null-key instructions are dropped', () => {
    const subscriptions = new Map<unknown, { value: unknown; timestamp: number }>();
    const { context, forwarded } = fakeProcessorContext({ subs: subscriptions, right: new Map() });
    const receive = ktableFkJoinSubscriptionReceive<string, string, string>('subs', 'right')();
    receive.init!(context);
    const hash = valueHash('x', str);
    receive.process({
      key: null,
      value: { hash, instruction: 'propagate-null-if-absent', primaryKey: 'o1', primaryPartition: 2 },
      timestamp: 4,
    });
    receive.process({
      key: null,
      value: { hash, instruction: 'propagate-only-if-present', primaryKey: 'o2', primaryPartition: 2 },
      timestamp: 5,
    });
    expect(forwarded).toEqual([
      { key: 'o1', value: { hash, foreignValue: null, primaryPartition: 2 }, timestamp: 4, child: undefined },
    ]);
    expect(subscriptions.size).toBe(0);
  });

  it('wire formats round-trip, and the foreign-key prefix is a byte prefix of the combined key', () => {
    const wrapper = subscriptionWrapperSerde(str);
    const w = {
      hash: valueHash('v', str),
      instruction: 'propagate-only-if-present' as const,
      primaryKey: 'pk',
      primaryPartition: 7,
    };
    expect(wrapper.deserialize(wrapper.serialize(w))).toEqual(w);
    const noHash = { ...w, hash: null, instruction: 'delete-and-propagate' as const };
    expect(wrapper.deserialize(wrapper.serialize(noHash))).toEqual(noHash);

    const response = subscriptionResponseSerde(Serdes.float64());
    for (const r of [
      { hash: valueHash('v', str), foreignValue: 1.5, primaryPartition: 2 },
      { hash: null, foreignValue: null, primaryPartition: 0 },
    ]) {
      expect(response.deserialize(response.serialize(r))).toEqual(r);
    }

    const combined = combinedKeySerde(str, str);
    const key = { foreignKey: 'ab', primaryKey: 'cd' };
    const bytes = combined.serialize(key)!;
    expect(combined.deserialize(bytes)).toEqual(key);
    expect(bytes.subarray(0, 6)).toEqual(foreignKeyPrefixSerde(str).serialize('ab'));
    // 'a' must not match the subscriptions of 'ab': the length prefix keeps them apart
    expect(bytes.subarray(0, 5).equals(foreignKeyPrefixSerde(str).serialize('a')!)).toBe(false);
  });
});
