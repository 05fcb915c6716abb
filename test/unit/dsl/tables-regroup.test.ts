import { afterEach, describe, expect, it } from 'vitest';
import { Serdes, StreamsBuilder } from '../../../src/index.js';
import type { TopologyTestDriver } from '../../../src/testing/index.js';
import { driverFor } from './support/harness.js';

let driver: TopologyTestDriver | undefined;
afterEach(() => driver?.close());

interface User {
  country: string;
  age: number;
}

function users(materializedAs?: string) {
  const builder = new StreamsBuilder();
  const table = builder.table('users', {
    key: Serdes.string(),
    value: Serdes.json<User>(),
    ...(materializedAs === undefined ? {} : { materialized: { storeName: materializedAs } }),
  });
  return { builder, table };
}

function pipeUsers(records: [string, User | null, number][]) {
  const input = driver!.createInputTopic('users', Serdes.string(), Serdes.json<User | null>());
  for (const [key, value, ts] of records) input.pipeInput(key, value, ts);
}

describe('KTable', () => {
  it('builder.table() materializes the latest value per key and forwards every update', () => {
    const { builder, table } = users('users-store');
    expect(table.queryableStoreName).toBe('users-store');
    table.toStream().to('out', { value: Serdes.json() });
    driver = driverFor(builder.build());
    pipeUsers([
      ['alice', { country: 'fr', age: 30 }, 1],
      ['alice', { country: 'de', age: 30 }, 2],
      ['bob', null, 3],
      ['alice', null, 4],
    ]);
    // A tombstone is forwarded even for a key that was never there, as in Kafka Streams.
    expect(
      driver
        .createOutputTopic('out', Serdes.string(), Serdes.json<User | null>(), { tombstones: true })
        .readRecordsToList(),
    ).toEqual([
      { key: 'alice', value: { country: 'fr', age: 30 }, timestamp: 1 },
      { key: 'alice', value: { country: 'de', age: 30 }, timestamp: 2 },
      { key: 'bob', value: null, timestamp: 3 },
      { key: 'alice', value: null, timestamp: 4 },
    ]);
    expect(driver.getKeyValueStore('users-store').approximateNumEntries()).toBe(0);
  });

  it('a source table gets its own changelog, as in Kafka Streams without topology optimization', () => {
    const { builder, table } = users('users-store');
    table.toStream().to('out', { value: Serdes.json() });
    driver = driverFor(builder.build());
    pipeUsers([['alice', { country: 'fr', age: 30 }, 1]]);
    expect([...driver.producedTopicNames()].sort()).toEqual(['app-users-store-changelog', 'out']);
  });

  it('filter() turns rows that do not match into tombstones, like Kafka Streams', () => {
    const { builder, table } = users();
    table
      .filter((_, u) => u.age >= 18)
      .toStream()
      .to('adults', { value: Serdes.json() });
    driver = driverFor(builder.build());
    pipeUsers([
      ['alice', { country: 'fr', age: 30 }, 1],
      ['alice', { country: 'fr', age: 12 }, 2],
      ['bob', { country: 'fr', age: 10 }, 3],
      ['carol', { country: 'fr', age: 40 }, 4],
      ['carol', null, 5],
    ]);
    expect(
      driver
        .createOutputTopic('adults', Serdes.string(), Serdes.json<User | null>(), { tombstones: true })
        .readKeyValuesToList(),
    ).toEqual([
      { key: 'alice', value: { country: 'fr', age: 30 } },
      { key: 'alice', value: null },
      { key: 'bob', value: null },
      { key: 'carol', value: { country: 'fr', age: 40 } },
      { key: 'carol', value: null },
    ]);
  });

  it('filterNot() with a materialized store keeps only the rows that pass', () => {
    const { builder, table } = users();
    const kept = table.filterNot((_, u) => u.country === 'fr', { materialized: { storeName: 'non-fr' } });
    expect(kept.queryableStoreName).toBe('non-fr');
    driver = driverFor(builder.build());
    pipeUsers([
      ['alice', { country: 'fr', age: 30 }, 1],
      ['bob', { country: 'de', age: 30 }, 2],
      ['bob', { country: 'fr', age: 31 }, 3],
      ['carol', { country: 'it', age: 30 }, 4],
    ]);
    const store = driver.getKeyValueStore<string, User>('non-fr');
    expect([...store.all()]).toEqual([{ key: 'carol', value: { country: 'it', age: 30 } }]);
  });

  it('mapValues() maps rows and keeps deletes as deletes', () => {
    const { builder, table } = users();
    table
      .mapValues((u) => u.country.toUpperCase(), {
        materialized: { storeName: 'countries', value: Serdes.string() },
      })
      .toStream()
      .to('countries', { value: Serdes.string() });
    driver = driverFor(builder.build());
    pipeUsers([
      ['alice', { country: 'fr', age: 30 }, 1],
      ['alice', null, 2],
    ]);
    expect(
      driver
        .createOutputTopic('countries', Serdes.string(), Serdes.string(), { tombstones: true })
        .readKeyValuesToList(),
    ).toEqual([
      { key: 'alice', value: 'FR' },
      { key: 'alice', value: null },
    ]);
    expect(driver.getKeyValueStore('countries').get('alice')).toBeUndefined();
  });
});

describe('KTable.groupBy() re-grouping with subtraction', () => {
  function countPerCountry() {
    const { builder, table } = users();
    table
      .groupBy((_, u) => [u.country, u] as const, {
        key: Serdes.string(),
        value: Serdes.json<User>(),
        name: 'by-country',
      })
      .count({ name: 'users-per-country' })
      .toStream()
      .to('per-country', { value: Serdes.long() });
    driver = driverFor(builder.build());
    return driver.createOutputTopic('per-country', Serdes.string(), Serdes.long(), { tombstones: true });
  }

  it('count(): a row moving between groups is subtracted from the old group, then added to the new one', () => {
    const out = countPerCountry();
    pipeUsers([
      ['alice', { country: 'fr', age: 30 }, 10],
      ['bob', { country: 'fr', age: 40 }, 20],
      ['alice', { country: 'de', age: 30 }, 30],
    ]);
    expect(out.readRecordsToList()).toEqual([
      { key: 'fr', value: 1, timestamp: 10 },
      { key: 'fr', value: 2, timestamp: 20 },
      { key: 'fr', value: 1, timestamp: 30 },
      { key: 'de', value: 1, timestamp: 30 },
    ]);
    expect(driver!.producedTopicNames()).toContain('app-by-country-repartition');
  });

  it('count(): an update within the same group is one record, subtract and add at once (KIP-904)', () => {
    const out = countPerCountry();
    pipeUsers([
      ['alice', { country: 'fr', age: 30 }, 10],
      ['alice', { country: 'fr', age: 31 }, 20],
    ]);
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'fr', value: 1 },
      { key: 'fr', value: 1 },
    ]);
  });

  it('count(): a tombstone subtracts the deleted row; counts reaching zero stay as 0; unknown deletes do nothing', () => {
    const out = countPerCountry();
    pipeUsers([
      ['alice', { country: 'fr', age: 30 }, 10],
      ['alice', null, 20],
      ['nobody', null, 30],
    ]);
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'fr', value: 1 },
      { key: 'fr', value: 0 },
    ]);
    expect(driver!.getKeyValueStore<string, number>('users-per-country').get('fr')).toBe(0);
  });

  it('reduce(adder, subtractor) keeps a per-group sum right through moves and deletes', () => {
    const builder = new StreamsBuilder();
    builder
      .table('accounts', { key: Serdes.string(), value: Serdes.json<{ branch: string; balance: number }>() })
      .groupBy((_, a) => [a.branch, a.balance] as const, { key: Serdes.string(), value: Serdes.float64() })
      .reduce(
        (sum, v) => sum + v,
        (sum, v) => sum - v,
        { name: 'balance-per-branch' },
      )
      .toStream()
      .to('balances', { value: Serdes.float64() });
    driver = driverFor(builder.build());
    const input = driver.createInputTopic(
      'accounts',
      Serdes.string(),
      Serdes.json<{ branch: string; balance: number } | null>(),
    );
    input.pipeInput('acc1', { branch: 'paris', balance: 100 }, 1);
    input.pipeInput('acc2', { branch: 'paris', balance: 50 }, 2);
    input.pipeInput('acc1', { branch: 'paris', balance: 120 }, 3);
    input.pipeInput('acc2', { branch: 'lyon', balance: 50 }, 4);
    input.pipeInput('acc1', null, 5);
    expect(
      driver
        .createOutputTopic('balances', Serdes.string(), Serdes.float64(), { tombstones: true })
        .readKeyValuesToList(),
    ).toEqual([
      { key: 'paris', value: 100 },
      { key: 'paris', value: 150 },
      { key: 'paris', value: 170 },
      { key: 'paris', value: 120 },
      { key: 'lyon', value: 50 },
      { key: 'paris', value: 0 },
    ]);
  });

  it('aggregate(initializer, adder, subtractor) tracks group membership', () => {
    const { builder, table } = users();
    table
      .groupBy((key, u) => [u.country, key] as const, { key: Serdes.string(), value: Serdes.string() })
      .aggregate(
        () => [] as string[],
        (_country, user, members) => [...members, user].sort(),
        (_country, user, members) => members.filter((m) => m !== user),
        { name: 'members', materialized: { value: Serdes.json<string[]>() } },
      )
      .toStream()
      .to('members', { value: Serdes.json() });
    driver = driverFor(builder.build());
    pipeUsers([
      ['bob', { country: 'fr', age: 1 }, 1],
      ['alice', { country: 'fr', age: 1 }, 2],
      ['bob', { country: 'de', age: 1 }, 3],
      ['alice', null, 4],
    ]);
    expect(
      driver
        .createOutputTopic('members', Serdes.string(), Serdes.json<string[]>(), { tombstones: true })
        .readKeyValuesToList(),
    ).toEqual([
      { key: 'fr', value: ['bob'] },
      { key: 'fr', value: ['alice', 'bob'] },
      { key: 'fr', value: ['alice'] },
      { key: 'de', value: ['bob'] },
      { key: 'fr', value: [] },
    ]);
    expect(driver.getKeyValueStore<string, string[]>('members').get('de')).toEqual(['bob']);
  });

  it('a filter feeding groupBy stops forwarding no-op tombstones, on every branch (Kafka sendOldValues)', () => {
    const { builder, table } = users();
    const adults = table.filter((_, u) => u.age >= 18);
    adults.toStream().to('adults', { value: Serdes.json() });
    adults
      .groupBy((_, u) => [u.country, u] as const, { key: Serdes.string(), value: Serdes.json<User>() })
      .count({ name: 'adults-per-country' })
      .toStream()
      .to('per-country', { value: Serdes.long() });
    driver = driverFor(builder.build());
    pipeUsers([
      ['kid', { country: 'fr', age: 5 }, 1],
      ['alice', { country: 'fr', age: 30 }, 2],
      ['alice', { country: 'fr', age: 12 }, 3],
    ]);
    expect(
      driver
        .createOutputTopic('adults', Serdes.string(), Serdes.json<User | null>(), { tombstones: true })
        .readKeyValuesToList(),
    ).toEqual([
      { key: 'alice', value: { country: 'fr', age: 30 } },
      { key: 'alice', value: null },
    ]);
    expect(
      driver
        .createOutputTopic('per-country', Serdes.string(), Serdes.long(), { tombstones: true })
        .readKeyValuesToList(),
    ).toEqual([
      { key: 'fr', value: 1 },
      { key: 'fr', value: 0 },
    ]);
  });

  it('skips rows whose selected key or value is null', () => {
    const { builder, table } = users();
    table
      .groupBy((_, u) => [u.country === '' ? null : u.country, u] as const, {
        key: Serdes.string(),
        value: Serdes.json<User>(),
      })
      .count({ name: 'c' });
    driver = driverFor(builder.build());
    pipeUsers([
      ['x', { country: '', age: 1 }, 1],
      ['y', { country: 'fr', age: 1 }, 2],
    ]);
    const store = driver.getKeyValueStore<string, number>('c');
    expect([...store.all()]).toEqual([{ key: 'fr', value: 1 }]);
  });
});
