import { describe, expectTypeOf, it } from 'vitest';
import {
  Serdes,
  Stores,
  StreamsBuilder,
  Topology,
  type KGroupedStream,
  type KGroupedTable,
  type KStream,
  type KTable,
  type KeyValueStore,
  type Processor,
  type ProcessorContext,
  type StreamRecord,
} from '../../src/index.js';
import { TopologyTestDriver, type TestRecord } from '../../src/testing/index.js';

interface Order {
  id: string;
  customer: string;
  total: number;
}

const builder = new StreamsBuilder();
const orders = builder.stream('orders', { key: Serdes.string(), value: Serdes.json<Order>() });
const users = builder.table('users', {
  key: Serdes.string(),
  value: Serdes.json<{ country: string; age: number }>(),
});

describe('StreamsBuilder', () => {
  it('types streams and tables from their serdes', () => {
    expectTypeOf(orders).toEqualTypeOf<KStream<string, Order>>();
    expectTypeOf(builder.stream(['a', 'b'], { key: Serdes.int32(), value: Serdes.int64() })).toEqualTypeOf<
      KStream<number, bigint>
    >();
    expectTypeOf(builder.stream('untyped')).toEqualTypeOf<KStream<unknown, unknown>>();
    expectTypeOf(users).toEqualTypeOf<KTable<string, { country: string; age: number }>>();
    expectTypeOf(
      builder.globalTable('g', { key: Serdes.string(), value: Serdes.long() }).queryableStoreName,
    ).toEqualTypeOf<string>();
    expectTypeOf(builder.build()).toEqualTypeOf<Topology>();
  });

  it('rejects serdes and options of the wrong shape', () => {
    // @ts-expect-error a serde must be a Serde, not a type name
    builder.stream('x', { key: 'string' });
    // @ts-expect-error a timestamp extractor returns a number
    builder.stream('x', { timestampExtractor: () => 'now' });
    // @ts-expect-error table() reads one topic
    builder.table(['a', 'b']);
    // @ts-expect-error addStateStore takes a StoreBuilder
    builder.addStateStore(Stores.inMemoryKeyValueStore('s'));
  });
});

describe('KStream operators', () => {
  it('keep types through filter, peek, merge, repartition', () => {
    expectTypeOf(orders.filter((_, o) => o.total > 0)).toEqualTypeOf<KStream<string, Order>>();
    expectTypeOf(orders.filterNot((k) => k === 'x')).toEqualTypeOf<KStream<string, Order>>();
    expectTypeOf(orders.peek(() => undefined)).toEqualTypeOf<KStream<string, Order>>();
    expectTypeOf(orders.merge(orders)).toEqualTypeOf<KStream<string, Order>>();
    expectTypeOf(orders.repartition({ numberOfPartitions: 3 })).toEqualTypeOf<KStream<string, Order>>();
    expectTypeOf(orders.foreach(() => undefined)).toEqualTypeOf<void>();
  });

  it('infer new types from mapper return types', () => {
    expectTypeOf(orders.mapValues((o) => o.total)).toEqualTypeOf<KStream<string, number>>();
    expectTypeOf(orders.mapValues((o, key) => `${key}:${o.id}`)).toEqualTypeOf<KStream<string, string>>();
    expectTypeOf(orders.map((_, o) => [o.customer, o.total])).toEqualTypeOf<KStream<string, number>>();
    expectTypeOf(orders.flatMap((_, o) => [[o.total, o] as const])).toEqualTypeOf<KStream<number, Order>>();
    expectTypeOf(orders.flatMapValues((o) => o.id.split(''))).toEqualTypeOf<KStream<string, string>>();
    expectTypeOf(orders.selectKey((_, o) => o.total)).toEqualTypeOf<KStream<number, Order>>();
    expectTypeOf(orders.toTable()).toEqualTypeOf<KTable<string, Order>>();
  });

  it('passes typed keys and values to callbacks', () => {
    orders.filter((key, value) => {
      expectTypeOf(key).toEqualTypeOf<string>();
      expectTypeOf(value).toEqualTypeOf<Order>();
      return true;
    });
    orders.to((key, value, ctx) => {
      expectTypeOf(key).toEqualTypeOf<string>();
      expectTypeOf(value).toEqualTypeOf<Order>();
      expectTypeOf(ctx.topic).toEqualTypeOf<string | undefined>();
      return 'out';
    });
  });

  it('types split branches', () => {
    const branches = orders
      .split({ name: 'size-' })
      .branch((_, o) => o.total > 100, { name: 'large' })
      .defaultBranch({ name: 'small' });
    expectTypeOf(branches).toEqualTypeOf<Record<string, KStream<string, Order>>>();
    orders.split().branch((_, o) => o.total > 0, {
      chain: (s) => {
        expectTypeOf(s).toEqualTypeOf<KStream<string, Order>>();
        return s.mapValues((o) => o.total);
      },
    });
  });

  it('types process() and processValues() from the supplier', () => {
    const rekey = (): Processor<string, Order, number, string> => ({ process: () => undefined });
    expectTypeOf(orders.process(rekey)).toEqualTypeOf<KStream<number, string>>();
    const enrich = { get: (): Processor<string, Order, string, boolean> => ({ process: () => undefined }) };
    expectTypeOf(orders.processValues(enrich)).toEqualTypeOf<KStream<string, boolean>>();
  });

  it('rejects misuse', () => {
    // @ts-expect-error Order has no such field
    orders.filter((_, o) => o.missing > 0);
    // @ts-expect-error a predicate returns a boolean
    orders.filter(() => 'yes');
    // @ts-expect-error map returns a [key, value] tuple, not an object
    orders.map((k, v) => ({ key: k, value: v }));
    // @ts-expect-error map returns two elements
    orders.map((k) => [k]);
    // @ts-expect-error flatMapValues returns an iterable
    orders.flatMapValues((o) => o.total);
    // @ts-expect-error the value serde must match the stream's value type
    orders.to('out', { value: Serdes.long() });
    // @ts-expect-error the key serde must match the stream's key type
    orders.to('out', { key: Serdes.int32() });
    // @ts-expect-error merge needs the same key and value types
    orders.merge(orders.mapValues((o) => o.total));
    // @ts-expect-error a topic extractor returns a topic name
    orders.to(() => 42);
    // @ts-expect-error process() needs a supplier whose input types match the stream
    orders.process((): Processor<number, Order, string, string> => ({ process: () => undefined }));
    // @ts-expect-error processValues() cannot change the key type
    orders.processValues((): Processor<string, Order, number, string> => ({ process: () => undefined }));
    // @ts-expect-error split branches keep the stream's types
    orders.split().branch((_, o: string) => o.length > 0);
  });
});

describe('grouping and aggregation', () => {
  it('types groupByKey, groupBy and their aggregations; count() yields number', () => {
    expectTypeOf(orders.groupByKey()).toEqualTypeOf<KGroupedStream<string, Order>>();
    const byCustomer = orders.groupBy((_, o) => o.customer, { key: Serdes.string() });
    expectTypeOf(byCustomer).toEqualTypeOf<KGroupedStream<string, Order>>();
    expectTypeOf(byCustomer.count()).toEqualTypeOf<KTable<string, number>>();
    expectTypeOf(
      orders
        .mapValues((o) => o.total)
        .groupByKey()
        .reduce((a, b) => a + b),
    ).toEqualTypeOf<KTable<string, number>>();
    const stats = byCustomer.aggregate(
      () => ({ n: 0, sum: 0 }),
      (key, order, agg) => {
        expectTypeOf(key).toEqualTypeOf<string>();
        expectTypeOf(order).toEqualTypeOf<Order>();
        return { n: agg.n + 1, sum: agg.sum + order.total };
      },
    );
    expectTypeOf(stats).toEqualTypeOf<KTable<string, { n: number; sum: number }>>();
    expectTypeOf(stats.toStream()).toEqualTypeOf<KStream<string, { n: number; sum: number } | null>>();
  });

  it('rejects misuse', () => {
    // @ts-expect-error the key serde must match the selected key type
    orders.groupBy((_, o) => o.total, { key: Serdes.string() });
    // @ts-expect-error the value serde of a grouping must match the value type
    orders.groupByKey({ value: Serdes.string() });
    // @ts-expect-error a reducer returns the value type
    orders.groupByKey().reduce((a) => a.total);
    // @ts-expect-error count's materialized value serde is for numbers
    orders.groupByKey().count({ materialized: { value: Serdes.string() } });
    const describeCount = (_key: string, _order: Order, count: number) => String(count);
    // @ts-expect-error the aggregator must return the aggregate type
    orders.groupByKey().aggregate(() => 0, describeCount);
  });
});

describe('KTable operators', () => {
  it('keep and infer types', () => {
    expectTypeOf(users.filter((_, u) => u.age > 18)).toEqualTypeOf<typeof users>();
    expectTypeOf(users.filterNot((_, u) => u.age > 18)).toEqualTypeOf<typeof users>();
    expectTypeOf(users.mapValues((u) => u.country)).toEqualTypeOf<KTable<string, string>>();
    expectTypeOf(users.toStream()).toEqualTypeOf<KStream<string, { country: string; age: number } | null>>();
    expectTypeOf(users.queryableStoreName).toEqualTypeOf<string | undefined>();
    const grouped = users.groupBy((_, u) => [u.country, u.age], {
      key: Serdes.string(),
      value: Serdes.long(),
    });
    expectTypeOf(grouped).toEqualTypeOf<KGroupedTable<string, number>>();
    expectTypeOf(grouped.count()).toEqualTypeOf<KTable<string, number>>();
    expectTypeOf(
      grouped.reduce(
        (a, v) => a + v,
        (a, v) => a - v,
      ),
    ).toEqualTypeOf<KTable<string, number>>();
    expectTypeOf(
      grouped.aggregate(
        () => [] as number[],
        (_k, v, agg) => [...agg, v],
        (_k, v, agg) => agg.filter((x) => x !== v),
      ),
    ).toEqualTypeOf<KTable<string, number[]>>();
  });

  it('rejects misuse', () => {
    // @ts-expect-error groupBy on a table returns a [key, value] pair
    users.groupBy((_, u) => u.country);
    // @ts-expect-error the subtractor is required
    users.groupBy((_, u) => [u.country, u.age]).reduce((a, v) => a + v);
    // @ts-expect-error a table's filter gets typed rows
    users.filter((_, u) => u.name === 'x');
  });
});

describe('Processor API', () => {
  it('types records, context and stores', () => {
    class Counter implements Processor<string, Order, string, number> {
      private context!: ProcessorContext<string, number>;
      init(context: ProcessorContext<string, number>): void {
        this.context = context;
        expectTypeOf(context.getStateStore<KeyValueStore<string, number>>('counts').get('a')).toEqualTypeOf<
          number | undefined
        >();
        expectTypeOf(context.schedule(1_000, 'wall-clock', () => undefined).cancel).toEqualTypeOf<
          () => void
        >();
        // @ts-expect-error schedule takes 'stream-time' or 'wall-clock'
        context.schedule(1_000, 'event-time', () => undefined);
      }
      process(record: StreamRecord<string, Order>): void {
        this.context.forward({ key: record.key, value: record.value.total });
        // @ts-expect-error forwarded values must have the processor's output type
        this.context.forward({ key: record.key, value: record.value });
      }
    }
    const topology = new Topology()
      .addSource('in', 'orders', { key: Serdes.string(), value: Serdes.json<Order>() })
      .addProcessor('count', () => new Counter(), 'in');
    expectTypeOf(topology).toEqualTypeOf<Topology>();
  });
});

describe('TopologyTestDriver', () => {
  it('types input and output topics from their serdes', () => {
    const driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('orders', Serdes.string(), Serdes.json<Order>());
    input.pipeInput('k', { id: '1', customer: 'c', total: 1 }, 5);
    // @ts-expect-error the value must match the input topic's serde
    input.pipeInput('k', 'not an order');
    const output = driver.createOutputTopic('counts', Serdes.string(), Serdes.long());
    expectTypeOf(output.readKeyValue()).toEqualTypeOf<{ key: string; value: number }>();
    expectTypeOf(output.readRecord()).toEqualTypeOf<TestRecord<string, number>>();
    expectTypeOf(output.readKeyValuesToMap()).toEqualTypeOf<Map<string, number>>();
    expectTypeOf(driver.getKeyValueStore<string, number>('counts').get('a')).toEqualTypeOf<
      number | undefined
    >();
  });
});
