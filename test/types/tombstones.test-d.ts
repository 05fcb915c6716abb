import { describe, expectTypeOf, it } from 'vitest';
import {
  BufferConfig,
  Serdes,
  SessionWindows,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  type KGroupedStream,
  type KStream,
  type KTable,
  type Serde,
  type Windowed,
} from '../../src/index.js';
import { TopologyTestDriver } from '../../src/testing/index.js';

interface User {
  name: string;
  country: string;
}

const builder = new StreamsBuilder();
const users = builder.table('users', { key: Serdes.string(), value: Serdes.json<User>() });
const clicks = builder.stream('clicks', { key: Serdes.string(), value: Serdes.json<{ page: string }>() });

describe('table update streams carry tombstones', () => {
  it('KTable.toStream() is KStream<K, V | null>', () => {
    expectTypeOf(users.toStream()).toEqualTypeOf<KStream<string, User | null>>();
    // @ts-expect-error a deleted user is null: the mapper must check before dereferencing
    users.toStream().mapValues((u) => u.name);
    expectTypeOf(users.toStream().mapValues((u) => u?.name ?? null)).toEqualTypeOf<
      KStream<string, string | null>
    >();
  });

  it('every table-derived stream: mapped, filtered, aggregated, joined, windowed, suppressed', () => {
    expectTypeOf(users.mapValues((u) => u.country).toStream()).toEqualTypeOf<
      KStream<string, string | null>
    >();
    expectTypeOf(users.filter((_, u) => u.country === 'NL').toStream()).toEqualTypeOf<
      KStream<string, User | null>
    >();
    const counts = clicks.groupByKey().count();
    expectTypeOf(counts.toStream()).toEqualTypeOf<KStream<string, number | null>>();
    const joined = users.join(counts, (u, n) => ({ ...u, clicks: n }));
    expectTypeOf(joined.toStream()).toEqualTypeOf<
      KStream<string, { clicks: number; name: string; country: string } | null>
    >();
    // @ts-expect-error a join result can be deleted too
    joined.toStream().foreach((_, v) => v.clicks);
    const windowed = clicks.groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(1_000)).count();
    expectTypeOf(windowed.toStream()).toEqualTypeOf<KStream<Windowed<string>, number | null>>();
    const final = windowed.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded())).toStream();
    expectTypeOf(final).toEqualTypeOf<KStream<Windowed<string>, number | null>>();
    const sessions = clicks.groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(1_000)).count();
    // @ts-expect-error a merged session's old window is deleted with a null
    sessions.toStream().mapValues((n) => n + 1);
    const byCountry = users.groupBy((_, u) => [u.country, 1] as const, { key: Serdes.string() });
    expectTypeOf(byCountry.count().toStream()).toEqualTypeOf<KStream<string, number | null>>();
  });

  it('the update stream writes with the table serdes: tombstones need no special serde', () => {
    users.toStream().to('users-out', { key: Serdes.string(), value: Serdes.json<User>() });
    clicks.groupByKey().count().toStream().to('counts', { value: Serdes.long() });
  });

  it('a null check narrows the stream back to V', () => {
    expectTypeOf(users.toStream().filter((_, u) => u !== null)).toEqualTypeOf<KStream<string, User>>();
    expectTypeOf(
      users.toStream().filter((_, u): u is User => u !== null && u.country === 'NL'),
    ).toEqualTypeOf<KStream<string, User>>();
    // A plain boolean predicate keeps the type.
    expectTypeOf(users.toStream().filter(() => true)).toEqualTypeOf<KStream<string, User | null>>();
  });

  it('reduce, aggregate and toTable skip nulls, so their value types exclude null', () => {
    const grouped = users.toStream().groupByKey();
    expectTypeOf(grouped).toEqualTypeOf<KGroupedStream<string, User | null>>();
    expectTypeOf(users.toStream().toTable()).toEqualTypeOf<KTable<string, User>>();
    const lengths = grouped.aggregate(
      () => 0,
      (_, u, n) => {
        expectTypeOf(u).toEqualTypeOf<User>();
        return n + u.name.length;
      },
    );
    expectTypeOf(lengths).toEqualTypeOf<KTable<string, number>>();
    expectTypeOf(grouped.reduce((a, b) => (a.name < b.name ? a : b))).toEqualTypeOf<KTable<string, User>>();
  });

  it('time and session windows aggregate null values, so their callbacks see them', () => {
    const grouped = users.toStream().groupByKey();
    grouped.windowedBy(TimeWindows.ofSizeWithNoGrace(1_000)).aggregate(
      () => 0,
      // @ts-expect-error a windowed aggregator is called with null values
      (_, u, n) => n + u.name.length,
    );
    grouped.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(1_000)).aggregate(
      () => 0,
      (_, u, n) => n + (u?.name.length ?? 0),
      (_, a, b) => a + b,
    );
  });

  it('plain streams are unchanged', () => {
    expectTypeOf(clicks.mapValues((c) => c.page)).toEqualTypeOf<KStream<string, string>>();
    expectTypeOf(clicks.groupByKey()).toEqualTypeOf<KGroupedStream<string, { page: string }>>();
  });
});

describe('Serdes.string<T>()', () => {
  it('narrows keys to a literal union without annotations', () => {
    type Region = 'eu' | 'us';
    expectTypeOf(Serdes.string()).toEqualTypeOf<Serde<string>>();
    expectTypeOf(Serdes.string<Region>()).toEqualTypeOf<Serde<Region>>();
    const sales = builder.stream('sales', { key: Serdes.string<Region>(), value: Serdes.float64() });
    expectTypeOf(sales).toEqualTypeOf<KStream<Region, number>>();
    expectTypeOf(sales.groupByKey().count()).toEqualTypeOf<KTable<Region, number>>();
    sales.foreach((region) => {
      const label: Record<Region, string> = { eu: 'Europe', us: 'United States' };
      expectTypeOf(label[region]).toEqualTypeOf<string>();
    });
    // @ts-expect-error T must be a string type
    Serdes.string<number>();
    // @ts-expect-error a literal-union serde does not accept other strings
    Serdes.string<Region>().serialize('asia');
  });
});

describe('TopologyTestDriver topics and tombstones', () => {
  const driver = new TopologyTestDriver(builder.build());
  it('input topics take null values (deletes on a table topic) and null keys', () => {
    const input = driver.createInputTopic('users', Serdes.string(), Serdes.json<User>());
    input.pipeInput('alice', { name: 'Alice', country: 'NL' }, 0);
    input.pipeInput('alice', null, 1);
    input.pipeRecord({ key: 'alice', value: null });
    input.pipeKeyValueList([{ key: 'bob', value: null }]);
    input.pipeValueList([null]);
    // Kafka records may have null keys too.
    input.pipeInput(null, { name: 'Nobody', country: 'NL' }, 2);
    input.pipeKeyValueList([{ key: null, value: null }]);
    // @ts-expect-error values still have the serde's type
    input.pipeInput('alice', 42);
  });

  it('an output topic is typed V | null with { tombstones: true }', () => {
    const plain = driver.createOutputTopic('out', Serdes.string(), Serdes.json<User>());
    expectTypeOf(plain.readValue()).toEqualTypeOf<User>();
    const updates = driver.createOutputTopic('out', Serdes.string(), Serdes.json<User>(), {
      tombstones: true,
    });
    expectTypeOf(updates.readValue()).toEqualTypeOf<User | null>();
    expectTypeOf(updates.readKeyValuesToList()).toEqualTypeOf<{ key: string; value: User | null }[]>();
    // @ts-expect-error a tombstone reads as null
    void updates.readValue().name;
    // The latest-value map drops deleted keys, so it never holds null.
    expectTypeOf(updates.readKeyValuesToMap()).toEqualTypeOf<Map<string, User>>();
  });
});
