import { describe, expect, it } from 'vitest';
import { Serdes, StreamsBuilder } from '../../../src/index.js';
import { joinDriver, str } from './support.js';

function orderTopology(kind: 'join' | 'leftJoin') {
  const b = new StreamsBuilder();
  const orders = b.stream('orders', { key: str, value: str });
  const customers = b.table('customers', { key: str, value: str, materialized: { storeName: 'customers' } });
  const joined =
    kind === 'join'
      ? orders.join(customers, (order, customer, key) => `${key}:${order}@${customer}`)
      : orders.leftJoin(customers, (order, customer, key) => `${key}:${order}@${customer ?? 'none'}`);
  joined.to('out', { key: str, value: str });
  const driver = joinDriver(b.build());
  return {
    driver,
    orders: driver.createInputTopic('orders', str, str),
    customers: driver.createInputTopic('customers', str, str),
    out: driver.createOutputTopic('out', str, str),
  };
}

describe('stream–table join', () => {
  it('joins each record with the table row as it is when the record arrives; table updates emit nothing', () => {
    const { driver, orders, customers, out } = orderTopology('join');
    // t=1 order o1 for alice: no alice row yet      → dropped
    // t=2 table alice=gold                          → (table updates never emit)
    // t=3 order o2 for alice                         → alice:o2@gold, t=3
    // t=4 table alice=platinum                       → nothing
    // t=5 order o3 for alice                         → alice:o3@platinum, t=5
    orders.pipeInput('alice', 'o1', 1);
    customers.pipeInput('alice', 'gold', 2);
    expect(out.isEmpty()).toBe(true);
    orders.pipeInput('alice', 'o2', 3);
    customers.pipeInput('alice', 'platinum', 4);
    orders.pipeInput('alice', 'o3', 5);
    expect(out.readRecordsToList().map(({ key, value, timestamp }) => ({ key, value, timestamp }))).toEqual([
      { key: 'alice', value: 'alice:o2@gold', timestamp: 3 },
      { key: 'alice', value: 'alice:o3@platinum', timestamp: 5 },
    ]);
    driver.close();
  });

  it('stops joining after a table tombstone; drops null-key and null-value records', () => {
    const { driver, orders, customers, out } = orderTopology('join');
    customers.pipeInput('bob', 'silver', 1);
    orders.pipeInput('bob', 'o1', 2); // → bob:o1@silver
    customers.pipeInput('bob', null, 3); // delete bob
    orders.pipeInput('bob', 'o2', 4); // → dropped
    orders.pipeInput(null, 'o3', 5); // null key → dropped
    orders.pipeInput('bob', null, 6); // null value → dropped
    expect(out.readValuesToList()).toEqual(['bob:o1@silver']);
    driver.close();
  });

  it('leftJoin joins unmatched records with null and keeps null-key records, but drops null values', () => {
    const { driver, orders, customers, out } = orderTopology('leftJoin');
    orders.pipeInput('carol', 'o1', 1); // no row → carol:o1@none
    customers.pipeInput('carol', 'bronze', 2);
    orders.pipeInput('carol', 'o2', 3); // → carol:o2@bronze
    orders.pipeInput(null, 'o3', 4); // null key kept → null:o3@none
    orders.pipeInput('carol', null, 5); // null value → dropped
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'carol', value: 'carol:o1@none' },
      { key: 'carol', value: 'carol:o2@bronze' },
      { key: null, value: 'null:o3@none' },
    ]);
    driver.close();
  });

  it('repartitions the stream when its key changed upstream (selectKey before join)', () => {
    const b = new StreamsBuilder();
    const customers = b.table('customers', { key: str, value: str });
    b.stream('orders', { key: str, value: str })
      // orders are keyed by order id; the value is "customer,item"
      .selectKey((_, v) => v.split(',')[0]!)
      .join(customers, (order, customer) => `${order.split(',')[1]} for ${customer}`, {
        name: 'enrich',
        key: str,
      })
      .to('out', { key: str, value: str });
    const topology = b.build();
    const driver = joinDriver(topology);
    const orders = driver.createInputTopic('orders', str, str);
    const customersIn = driver.createInputTopic('customers', str, str);
    const out = driver.createOutputTopic('out', str, str);
    customersIn.pipeInput('alice', 'Alice A.', 1);
    orders.pipeInput('order-1', 'alice,book', 2);
    expect(out.readKeyValuesToList()).toEqual([{ key: 'alice', value: 'book for Alice A.' }]);
    expect(driver.producedTopicNames()).toContain('app-enrich-repartition');
    driver.close();
  });

  it('fails at build when the repartition needs a serde nobody gave', () => {
    const b = new StreamsBuilder();
    const customers = b.table('customers', { key: str, value: str });
    b.stream('orders', { key: str, value: str })
      .map((_, v) => [v, v] as const)
      .join(customers, (o, c) => `${o}${c}`)
      .to('out', { key: str, value: str });
    expect(() => b.build()).toThrow(/key serde is unknown/);
  });

  it('materializes an unmaterialized table (filter without store) so that it can be looked up', () => {
    const b = new StreamsBuilder();
    const vip = b.table('customers', { key: str, value: str }).filter((_, tier) => tier === 'gold');
    expect(vip.queryableStoreName).toBeUndefined();
    b.stream('orders', { key: str, value: str })
      .join(vip, (order, tier) => `${order}/${tier}`)
      .to('out', { key: str, value: str });
    const driver = joinDriver(b.build());
    const customers = driver.createInputTopic('customers', str, str);
    const orders = driver.createInputTopic('orders', str, str);
    const out = driver.createOutputTopic('out', str, str);
    customers.pipeInput('alice', 'gold', 1);
    customers.pipeInput('bob', 'silver', 1);
    orders.pipeInput('alice', 'o1', 2); // alice passes the filter → o1/gold
    orders.pipeInput('bob', 'o2', 2); // bob filtered out → dropped
    customers.pipeInput('alice', 'silver', 3); // alice leaves the filtered table
    orders.pipeInput('alice', 'o3', 4); // → dropped
    expect(out.readValuesToList()).toEqual(['o1/gold']);
    driver.close();
  });
});

describe('stream–global-table join', () => {
  function productTopology(kind: 'join' | 'leftJoin') {
    const b = new StreamsBuilder();
    const products = b.globalTable('products', {
      key: str,
      value: Serdes.float64(),
      materialized: { storeName: 'products' },
    });
    const orders = b.stream('orders', {
      key: str,
      value: Serdes.json<{ productId: string | null; qty: number }>(),
    });
    const priced =
      kind === 'join'
        ? orders.join(
            products,
            (_, o) => o.productId,
            (o, price) => o.qty * price,
          )
        : orders.leftJoin(
            products,
            (_, o) => o.productId,
            (o, price) => (price === null ? -1 : o.qty * price),
          );
    priced.to('out', { key: str, value: Serdes.float64() });
    const driver = joinDriver(b.build());
    return {
      driver,
      products: driver.createInputTopic('products', str, Serdes.float64()),
      orders: driver.createInputTopic(
        'orders',
        str,
        Serdes.json<{ productId: string | null; qty: number }>(),
      ),
      out: driver.createOutputTopic('out', str, Serdes.float64()),
    };
  }

  it('looks the row up by the key the selector picks; global updates emit nothing', () => {
    const { driver, products, orders, out } = productTopology('join');
    products.pipeInput('apple', 0.5, 1);
    orders.pipeInput('alice', { productId: 'apple', qty: 4 }, 2); // → 2
    orders.pipeInput('bob', { productId: 'pear', qty: 1 }, 3); // no pear → dropped
    products.pipeInput('pear', 2, 4); // nothing
    orders.pipeInput('bob', { productId: 'pear', qty: 3 }, 5); // → 6
    orders.pipeInput('carol', { productId: null, qty: 3 }, 6); // null join key → dropped
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'alice', value: 2 },
      { key: 'bob', value: 6 },
    ]);
    driver.close();
  });

  it('leftJoin joins records without a row with null, but drops a null join key of a keyed record', () => {
    const { driver, orders, out } = productTopology('leftJoin');
    orders.pipeInput('alice', { productId: 'kiwi', qty: 1 }, 1); // no kiwi → -1
    orders.pipeInput('bob', { productId: null, qty: 1 }, 2); // keyed record, null join key → dropped (as Kafka)
    orders.pipeRecord({ value: { productId: 'kiwi', qty: 1 }, timestamp: 3 }); // null record key → kept → -1
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'alice', value: -1 },
      { key: null, value: -1 },
    ]);
    driver.close();
  });
});
