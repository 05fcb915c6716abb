import { afterEach, describe, expect, it } from 'vitest';
import { Serdes, StreamsBuilder } from '../../../src/index.js';
import type { TopologyTestDriver } from '../../../src/testing/index.js';
import { driverFor } from './support/harness.js';

let driver: TopologyTestDriver | undefined;
afterEach(() => driver?.close());

interface Order {
  customer: string;
  region: string;
  total: number;
}

function orders() {
  const builder = new StreamsBuilder();
  return { builder, input: builder.stream('orders', { key: Serdes.string(), value: Serdes.json<Order>() }) };
}

const o = (customer: string, region: string, total: number): Order => ({ customer, region, total });

describe('KGroupedStream aggregations', () => {
  it('count() emits every update (caching disabled), with the max timestamp so far', () => {
    const { builder, input } = orders();
    input
      .groupByKey()
      .count({ name: 'orders-per-customer' })
      .toStream()
      .to('counts', { value: Serdes.long() });
    driver = driverFor(builder.build());
    const in_ = driver.createInputTopic('orders', Serdes.string(), Serdes.json<Order>());
    in_.pipeInput('alice', o('alice', 'eu', 1), 100);
    in_.pipeInput('bob', o('bob', 'us', 1), 50);
    in_.pipeInput('alice', o('alice', 'eu', 1), 80);
    in_.pipeInput('alice', o('alice', 'eu', 1), 120);
    const out = driver.createOutputTopic('counts', Serdes.string(), Serdes.long());
    expect(out.readRecordsToList()).toEqual([
      { key: 'alice', value: 1, timestamp: 100 },
      { key: 'bob', value: 1, timestamp: 50 },
      { key: 'alice', value: 2, timestamp: 100 },
      { key: 'alice', value: 3, timestamp: 120 },
    ]);
    const store = driver.getKeyValueStore<string, number>('orders-per-customer');
    expect(store.get('alice')).toBe(3);
    expect(store.get('carol')).toBeUndefined();
    expect(driver.getTimestampedKeyValueStore<string, number>('orders-per-customer').get('alice')).toEqual({
      value: 3,
      timestamp: 120,
    });
    // groupByKey after a source needs no repartition; the store is change-logged under its name.
    expect([...driver.producedTopicNames()].sort()).toEqual(['app-orders-per-customer-changelog', 'counts']);
  });

  it('skips records with a null key or a null value', () => {
    const { builder, input } = orders();
    input.groupByKey().count({ name: 'c' }).toStream().to('counts', { value: Serdes.long() });
    driver = driverFor(builder.build());
    const in_ = driver.createInputTopic('orders', Serdes.string(), Serdes.json<Order>());
    in_.pipeInput(null, o('x', 'eu', 1), 1);
    in_.pipeInput('alice', null, 2);
    in_.pipeInput('alice', o('alice', 'eu', 1), 3);
    expect(driver.createOutputTopic('counts', Serdes.string(), Serdes.long()).readKeyValuesToList()).toEqual([
      { key: 'alice', value: 1 },
    ]);
  });

  it('groupBy() repartitions by the new key through <applicationId>-<name>-repartition', () => {
    const { builder, input } = orders();
    input
      .groupBy((_, order) => order.region, { key: Serdes.string(), name: 'by-region' })
      .count({ name: 'orders-per-region' })
      .toStream()
      .to('counts', { value: Serdes.long() });
    driver = driverFor(builder.build());
    const in_ = driver.createInputTopic('orders', Serdes.string(), Serdes.json<Order>());
    in_.pipeInput('alice', o('alice', 'eu', 5), 1);
    in_.pipeInput('bob', o('bob', 'us', 5), 2);
    in_.pipeInput('carol', o('carol', 'eu', 5), 3);
    expect(driver.createOutputTopic('counts', Serdes.string(), Serdes.long()).readKeyValuesToList()).toEqual([
      { key: 'eu', value: 1 },
      { key: 'us', value: 1 },
      { key: 'eu', value: 2 },
    ]);
    expect(driver.producedTopicNames()).toContain('app-by-region-repartition');
    expect(driver.producedTopicNames()).toContain('app-orders-per-region-changelog');
  });

  it('names the repartition topic after the aggregation when the grouping is unnamed', () => {
    const { builder, input } = orders();
    input
      .selectKey((_, order) => order.region)
      .groupByKey({ key: Serdes.string() })
      .count({ name: 'per-region' });
    driver = driverFor(builder.build());
    driver
      .createInputTopic('orders', Serdes.string(), Serdes.json<Order>())
      .pipeInput('a', o('a', 'eu', 1), 1);
    expect(driver.producedTopicNames()).toContain('app-per-region-repartition');
    expect(driver.getKeyValueStore<string, number>('per-region').get('eu')).toBe(1);
  });

  it('reduce() starts from the first value and keeps the value serde of the stream', () => {
    const { builder, input } = orders();
    input
      .mapValues((order) => order.total)
      .groupByKey({ value: Serdes.float64() })
      .reduce((sum, v) => sum + v, { name: 'revenue' })
      .toStream()
      .to('revenue');
    driver = driverFor(builder.build());
    const in_ = driver.createInputTopic('orders', Serdes.string(), Serdes.json<Order>());
    in_.pipeInput('alice', o('alice', 'eu', 2.5), 1);
    in_.pipeInput('alice', o('alice', 'eu', 4), 2);
    in_.pipeInput('bob', o('bob', 'eu', 1), 3);
    expect(
      driver.createOutputTopic('revenue', Serdes.string(), Serdes.float64()).readKeyValuesToList(),
    ).toEqual([
      { key: 'alice', value: 2.5 },
      { key: 'alice', value: 6.5 },
      { key: 'bob', value: 1 },
    ]);
  });

  it('aggregate() folds from the initializer into any type, with a materialized value serde', () => {
    const { builder, input } = orders();
    input
      .groupByKey()
      .aggregate(
        () => ({ n: 0, sum: 0 }),
        (_key, order, agg) => ({ n: agg.n + 1, sum: agg.sum + order.total }),
        { name: 'stats', materialized: { value: Serdes.json<{ n: number; sum: number }>() } },
      )
      .toStream()
      .to('stats', { value: Serdes.json() });
    driver = driverFor(builder.build());
    const in_ = driver.createInputTopic('orders', Serdes.string(), Serdes.json<Order>());
    in_.pipeInput('alice', o('alice', 'eu', 10), 1);
    in_.pipeInput('alice', o('alice', 'eu', 20), 2);
    const out = driver.createOutputTopic('stats', Serdes.string(), Serdes.json<{ n: number; sum: number }>());
    expect(out.readKeyValuesToMap()).toEqual(new Map([['alice', { n: 2, sum: 30 }]]));
    expect(driver.getKeyValueStore('stats').get('alice')).toEqual({ n: 2, sum: 30 });
  });

  it('materialized.storeName names the store; logging: false means no changelog', () => {
    const { builder, input } = orders();
    input.groupByKey().count({ materialized: { storeName: 'quiet', logging: false } });
    driver = driverFor(builder.build());
    driver
      .createInputTopic('orders', Serdes.string(), Serdes.json<Order>())
      .pipeInput('a', o('a', 'eu', 1), 1);
    expect(driver.getKeyValueStore<string, number>('quiet').get('a')).toBe(1);
    expect(driver.producedTopicNames().size).toBe(0);
  });

  it('writes the changelog in the store format: 8-byte timestamp then the value (Kafka timestamped store)', () => {
    const { builder, input } = orders();
    input.groupByKey().count({ name: 'c' });
    driver = driverFor(builder.build());
    driver
      .createInputTopic('orders', Serdes.string(), Serdes.json<Order>())
      .pipeInput('a', o('a', 'eu', 1), 77);
    const changelog = driver
      .createOutputTopic('app-c-changelog', Serdes.string(), Serdes.buffer())
      .readRecord();
    expect(changelog.key).toBe('a');
    expect(changelog.timestamp).toBe(77);
    expect(changelog.value.readBigInt64BE(0)).toBe(77n);
    expect(changelog.value.readBigInt64BE(8)).toBe(1n);
  });

  it('toTable() upserts and deletes (a null value is a tombstone)', () => {
    const { builder, input } = orders();
    input
      .mapValues((order) => (order === null ? null : order.total))
      .toTable({ name: 'latest', materialized: { value: Serdes.float64() } })
      .toStream()
      .to('latest', { value: Serdes.float64() });
    driver = driverFor(builder.build());
    const in_ = driver.createInputTopic('orders', Serdes.string(), Serdes.json<Order>());
    in_.pipeInput('a', o('a', 'eu', 1), 1);
    in_.pipeInput('a', o('a', 'eu', 2), 2);
    in_.pipeInput('a', null, 3);
    expect(
      driver
        .createOutputTopic('latest', Serdes.string(), Serdes.float64(), { tombstones: true })
        .readKeyValuesToList(),
    ).toEqual([
      { key: 'a', value: 1 },
      { key: 'a', value: 2 },
      { key: 'a', value: null },
    ]);
    expect(driver.getKeyValueStore('latest').get('a')).toBeUndefined();
  });
});
