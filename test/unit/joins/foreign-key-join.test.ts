import { describe, expect, it } from 'vitest';
import { Serdes, StreamsBuilder } from '../../../src/index.js';
import { joinDriver, str } from './support.js';

interface Order {
  readonly customer: string | null;
  readonly item: string;
}

const orderSerde = Serdes.json<Order>();
const DELETE = null;
const DELETE_CUSTOMER = null;

/** orders (key: order id) ⋈ customers (key: customer id) on `order.customer`. */
function fkTopology(mode: 'join' | 'leftJoin') {
  const b = new StreamsBuilder();
  const orders = b.table('orders', { key: str, value: orderSerde });
  const customers = b.table('customers', { key: str, value: str });
  const joiner = (order: Order, customer: string | null) => `${order.item} for ${customer ?? '?'}`;
  const options = { name: 'order-customer', materialized: { storeName: 'order-customer-store', value: str } };
  const joined =
    mode === 'join'
      ? orders.join(customers, (order) => order.customer as string, joiner, options)
      : orders.leftJoin(customers, (order) => order.customer as string, joiner, options);
  joined.toStream().to('out', { key: str, value: str });
  const driver = joinDriver(b.build());
  return {
    driver,
    orders: driver.createInputTopic('orders', str, orderSerde),
    customers: driver.createInputTopic('customers', str, str),
    out: driver.createOutputTopic('out', str, str, { tombstones: true }),
    store: () => driver.getKeyValueStore<string, string>('order-customer-store'),
  };
}

describe('foreign-key table–table join', () => {
  it('uses the subscription and response topics and a subscription store', () => {
    const { driver, orders, customers } = fkTopology('join');
    customers.pipeInput('c1', 'Ann', 1);
    orders.pipeInput('o1', { customer: 'c1', item: 'book' }, 2);
    expect([...driver.producedTopicNames()]).toEqual(
      expect.arrayContaining([
        'app-order-customer-subscription-registration-topic',
        'app-order-customer-subscription-response-topic',
      ]),
    );
    expect(driver.getStateStore('order-customer-subscription-store')).toBeDefined();
    driver.close();
  });

  it('inner: joins on the foreign key; right-side changes update exactly the subscribed rows', () => {
    const { driver, orders, customers, out, store } = fkTopology('join');
    // t=1 C c1=Ann
    // t=2 O o1→c1 book            → o1 = book for Ann
    // t=3 O o2→c2 pen             → (no c2) nothing
    // t=4 C c2=Bob                → o2 = pen for Bob   (only o2: o1 is not subscribed to c2)
    // t=5 C c1=Ann B.             → o1 = book for Ann B.
    customers.pipeInput('c1', 'Ann', 1);
    orders.pipeInput('o1', { customer: 'c1', item: 'book' }, 2);
    orders.pipeInput('o2', { customer: 'c2', item: 'pen' }, 3);
    customers.pipeInput('c2', 'Bob', 4);
    customers.pipeInput('c1', 'Ann B.', 5);
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'o1', value: 'book for Ann' },
      { key: 'o2', value: 'pen for Bob' },
      { key: 'o1', value: 'book for Ann B.' },
    ]);
    expect([...store().all()].map(({ key, value }) => [key, value])).toEqual([
      ['o1', 'book for Ann B.'],
      ['o2', 'pen for Bob'],
    ]);
    driver.close();
  });

  it('inner: a foreign-key change retracts the old result and joins the new key; the old key no longer reaches it', () => {
    const { driver, orders, customers, out, store } = fkTopology('join');
    customers.pipeInput('c1', 'Ann', 1);
    customers.pipeInput('c2', 'Bob', 2);
    orders.pipeInput('o1', { customer: 'c1', item: 'book' }, 3); // → book for Ann
    orders.pipeInput('o1', { customer: 'c2', item: 'book' }, 4); // FK c1 → c2 → book for Bob
    customers.pipeInput('c1', 'Ann 2', 5); // o1 left c1: nothing
    orders.pipeInput('o1', { customer: 'c3', item: 'book' }, 6); // FK → c3 (absent) → result deleted
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'o1', value: 'book for Ann' },
      { key: 'o1', value: 'book for Bob' },
      { key: 'o1', value: null },
    ]);
    expect(store().get('o1')).toBeUndefined();
    driver.close();
  });

  it('inner: deletes on either side delete the result', () => {
    const { driver, orders, customers, out, store } = fkTopology('join');
    customers.pipeInput('c1', 'Ann', 1);
    orders.pipeInput('o1', { customer: 'c1', item: 'book' }, 2); // → book for Ann
    orders.pipeInput('o2', { customer: 'c1', item: 'pen' }, 3); // → pen for Ann
    customers.pipeInput('c1', DELETE_CUSTOMER, 4); // right delete → o1, o2 deleted
    customers.pipeInput('c1', 'Ann again', 5); // both back
    orders.pipeInput('o1', DELETE, 6); // left delete → o1 deleted
    customers.pipeInput('c1', 'Ann 3', 7); // only o2 is still subscribed
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'o1', value: 'book for Ann' },
      { key: 'o2', value: 'pen for Ann' },
      { key: 'o1', value: null },
      { key: 'o2', value: null },
      { key: 'o1', value: 'book for Ann again' },
      { key: 'o2', value: 'pen for Ann again' },
      { key: 'o1', value: null },
      { key: 'o2', value: 'pen for Ann 3' },
    ]);
    expect(store().get('o1')).toBeUndefined();
    expect(store().get('o2')).toBe('pen for Ann 3');
    driver.close();
  });

  it('left: rows without a right row or with a null foreign key are joined with null', () => {
    const { driver, orders, customers, out, store } = fkTopology('leftJoin');
    orders.pipeInput('o1', { customer: 'c9', item: 'book' }, 1); // no c9 → book for ?
    orders.pipeInput('o2', { customer: null, item: 'pen' }, 2); // null FK → pen for ?
    customers.pipeInput('c9', 'Zoe', 3); // → book for Zoe
    customers.pipeInput('c9', DELETE_CUSTOMER, 4); // → book for ? (the left row stays)
    // → o1 deleted once: c9 only forgets the row; the answer comes through the (now null) foreign key
    orders.pipeInput('o1', DELETE, 5);
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'o1', value: 'book for ?' },
      { key: 'o2', value: 'pen for ?' },
      { key: 'o1', value: 'book for Zoe' },
      { key: 'o1', value: 'book for ?' },
      { key: 'o1', value: null },
    ]);
    expect(store().get('o2')).toBe('pen for ?');
    driver.close();
  });

  it('left: a foreign-key change emits the row once, joined with the new key (or null when it has no right row)', () => {
    // The old key only forgets the row (as Kafka Streams: DELETE_KEY_NO_PROPAGATE); the new key's
    // answer replaces the result.
    const { driver, orders, customers, out } = fkTopology('leftJoin');
    customers.pipeInput('c1', 'Ann', 1);
    customers.pipeInput('c2', 'Bob', 2);
    orders.pipeInput('o1', { customer: 'c1', item: 'book' }, 3); // → book for Ann @3
    orders.pipeInput('o1', { customer: 'c2', item: 'book' }, 4); // → book for Bob @4
    customers.pipeInput('c1', 'Ann 2', 5); // no longer subscribed: nothing
    orders.pipeInput('o1', { customer: 'c3', item: 'book' }, 6); // → book for ? @6 (no c3)
    expect(out.readRecordsToList().map(({ key, value, timestamp }) => ({ key, value, timestamp }))).toEqual([
      { key: 'o1', value: 'book for Ann', timestamp: 3 },
      { key: 'o1', value: 'book for Bob', timestamp: 4 },
      { key: 'o1', value: 'book for ?', timestamp: 6 },
    ]);
    driver.close();
  });

  it('inner: a row whose foreign key was null joins once it gets one; an unchanged key without a right row emits nothing', () => {
    const { driver, orders, customers, out } = fkTopology('join');
    orders.pipeInput('o1', { customer: null, item: 'book' }, 1); // no foreign key: skipped
    customers.pipeInput('c1', 'Ann', 2); // o1 is not subscribed: nothing
    orders.pipeInput('o1', { customer: 'c1', item: 'book' }, 3); // → book for Ann
    orders.pipeInput('o2', { customer: 'c2', item: 'pen' }, 4); // no c2: nothing
    orders.pipeInput('o2', { customer: 'c2', item: 'ink' }, 5); // same key, still no c2: nothing
    orders.pipeInput('o1', { customer: null, item: 'book' }, 6); // foreign key gone → o1 deleted
    expect(out.readRecordsToList().map(({ key, value, timestamp }) => ({ key, value, timestamp }))).toEqual([
      { key: 'o1', value: 'book for Ann', timestamp: 3 },
      { key: 'o1', value: null, timestamp: 6 },
    ]);
    driver.close();
  });

  it('a left update with the same foreign key re-joins that row only (the stale-hash check is unit-tested in foreign-key-join-internals)', () => {
    const { driver, orders, customers, out } = fkTopology('join');
    customers.pipeInput('c1', 'Ann', 1);
    orders.pipeInput('o1', { customer: 'c1', item: 'book' }, 2);
    orders.pipeInput('o1', { customer: 'c1', item: 'lamp' }, 3);
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'o1', value: 'book for Ann' },
      { key: 'o1', value: 'lamp for Ann' },
    ]);
    driver.close();
  });

  it('fails fast when the serdes the internal topics need are unknown', () => {
    const b = new StreamsBuilder();
    const left = b.table('l', { key: str, value: str });
    const right = b.table<string, string>('r');
    expect(() =>
      left.join(
        right,
        (v) => v,
        (l, r) => l + r,
      ),
    ).toThrow(/key serde of the other table/);
  });
});
