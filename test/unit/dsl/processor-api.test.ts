import { afterEach, describe, expect, it } from 'vitest';
import {
  ProcessingError,
  Serdes,
  Stores,
  StreamsBuilder,
  Topology,
  type KeyValueStore,
  type Processor,
  type ProcessorContext,
  type StreamRecord,
} from '../../../src/index.js';
import type { TopologyTestDriver } from '../../../src/testing/index.js';
import { driverFor } from './support/harness.js';

let driver: TopologyTestDriver | undefined;
afterEach(() => driver?.close());

/** Counts per key in a store and forwards the running count. */
class Counter implements Processor<string, string, string, number> {
  private context!: ProcessorContext<string, number>;
  private store!: KeyValueStore<string, number>;
  closed = false;

  init(context: ProcessorContext<string, number>): void {
    this.context = context;
    this.store = context.getStateStore<KeyValueStore<string, number>>('counts');
  }

  process(record: StreamRecord<string, string>): void {
    const count = (this.store.get(record.key) ?? 0) + 1;
    this.store.put(record.key, count);
    this.context.forward({ key: record.key, value: count });
  }

  close(): void {
    this.closed = true;
  }
}

const countsStore = () =>
  Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('counts'), Serdes.string(), Serdes.long());

describe('Processor API on a hand-built Topology', () => {
  it('runs source → processor (with a store) → sink, and closes processors with the driver', () => {
    const processors: Counter[] = [];
    const topology = new Topology()
      .addSource('in', 'words', { key: Serdes.string(), value: Serdes.string() })
      .addProcessor(
        'counter',
        () => {
          const p = new Counter();
          processors.push(p);
          return p;
        },
        'in',
      )
      .addStateStore(countsStore(), 'counter')
      .addSink('out', 'counts', { key: Serdes.string(), value: Serdes.long() }, 'counter');
    driver = driverFor(topology);
    const input = driver.createInputTopic('words', Serdes.string(), Serdes.string());
    input.pipeInput('a', 'x', 5);
    input.pipeInput('a', 'y', 6);
    input.pipeInput('b', 'z', 7);
    const output = driver.createOutputTopic('counts', Serdes.string(), Serdes.long());
    // A forwarded record without a timestamp takes the input record's.
    expect(output.readRecordsToList()).toEqual([
      { key: 'a', value: 1, timestamp: 5 },
      { key: 'a', value: 2, timestamp: 6 },
      { key: 'b', value: 1, timestamp: 7 },
    ]);
    expect(driver.getKeyValueStore<string, number>('counts').get('a')).toBe(2);
    expect(driver.producedTopicNames()).toContain('app-counts-changelog');
    expect(processors).toHaveLength(1);
    driver.close();
    expect(processors[0]!.closed).toBe(true);
  });

  it('forwards to one named child only, and rejects an unknown child', () => {
    const router = (): Processor<string, string, string, string> => {
      let ctx: ProcessorContext<string, string>;
      return {
        init: (c) => void (ctx = c),
        process: (r) => ctx.forward(r, r.value === 'bad' ? 'nowhere' : r.key === 'a' ? 'to-a' : 'to-b'),
      };
    };
    const topology = new Topology()
      .addSource('in', 'input', { key: Serdes.string(), value: Serdes.string() })
      .addProcessor('router', router, 'in')
      .addSink('to-a', 'a', { key: Serdes.string(), value: Serdes.string() }, 'router')
      .addSink('to-b', 'b', { key: Serdes.string(), value: Serdes.string() }, 'router');
    driver = driverFor(topology);
    const input = driver.createInputTopic('input', Serdes.string(), Serdes.string());
    input.pipeInput('a', '1', 1);
    input.pipeInput('b', '2', 2);
    expect(driver.createOutputTopic('a', Serdes.string(), Serdes.string()).readValuesToList()).toEqual(['1']);
    expect(driver.createOutputTopic('b', Serdes.string(), Serdes.string()).readValuesToList()).toEqual(['2']);
    expect(() => input.pipeInput('a', 'bad', 3)).toThrow(
      /forwarded to "nowhere", which is not one of its children \(to-a, to-b\)/,
    );
  });

  it('exposes task id, partition, topic, offset and record metadata to the processor', () => {
    const seen: unknown[] = [];
    const topology = new Topology()
      .addSource('in', ['t1', 't2'], { key: Serdes.string(), value: Serdes.string() })
      .addProcessor<string, string, never, never>(
        'meta',
        () => {
          let ctx: ProcessorContext;
          return {
            init: (c) => void (ctx = c),
            process: () =>
              seen.push({
                app: ctx.applicationId,
                taskId: ctx.taskId,
                partition: ctx.partition,
                topic: ctx.topic,
                offset: ctx.offset,
                meta: ctx.recordMetadata(),
              }),
          };
        },
        'in',
      );
    driver = driverFor(topology);
    driver.createInputTopic('t1', Serdes.string(), Serdes.string()).pipeInput('k', 'v', 1);
    driver.createInputTopic('t1', Serdes.string(), Serdes.string()).pipeInput('k', 'v', 2);
    driver.createInputTopic('t2', Serdes.string(), Serdes.string()).pipeInput('k', 'v', 3);
    expect(seen).toEqual([
      {
        app: 'app',
        taskId: '0_0',
        partition: 0,
        topic: 't1',
        offset: 0,
        meta: { topic: 't1', partition: 0, offset: 0 },
      },
      {
        app: 'app',
        taskId: '0_0',
        partition: 0,
        topic: 't1',
        offset: 1,
        meta: { topic: 't1', partition: 0, offset: 1 },
      },
      {
        app: 'app',
        taskId: '0_0',
        partition: 0,
        topic: 't2',
        offset: 0,
        meta: { topic: 't2', partition: 0, offset: 0 },
      },
    ]);
  });

  it('a forwarded record may set its own timestamp and headers', () => {
    const topology = new Topology()
      .addSource('in', 'input', { key: Serdes.string(), value: Serdes.string() })
      .addProcessor<string, string, string, string>(
        'stamp',
        () => {
          let ctx: ProcessorContext<string, string>;
          return {
            init: (c) => void (ctx = c),
            process: (r) =>
              ctx.forward({
                key: r.key,
                value: r.value,
                timestamp: r.timestamp + 1_000,
                headers: { ...r.headers, seen: 'yes' },
              }),
          };
        },
        'in',
      )
      .addSink('out', 'output', { key: Serdes.string(), value: Serdes.string() }, 'stamp');
    driver = driverFor(topology);
    driver
      .createInputTopic('input', Serdes.string(), Serdes.string())
      .pipeRecord({ key: 'k', value: 'v', timestamp: 1, headers: { a: '1' } });
    expect(driver.createOutputTopic('output', Serdes.string(), Serdes.string()).readRecord()).toEqual({
      key: 'k',
      value: 'v',
      timestamp: 1_001,
      headers: { a: '1', seen: 'yes' },
    });
  });
});

describe('process() and processValues() in the DSL', () => {
  it('process() uses a store added with builder.addStateStore and may change keys', () => {
    const builder = new StreamsBuilder();
    builder.addStateStore(countsStore());
    builder
      .stream('words', { key: Serdes.string(), value: Serdes.string() })
      .process(() => new Counter(), { stores: ['counts'], name: 'counter' })
      .map((k, n) => [`${k}!`, n])
      .to('counts-out', { key: Serdes.string(), value: Serdes.long() });
    driver = driverFor(builder.build());
    const input = driver.createInputTopic('words', Serdes.string(), Serdes.string());
    input.pipeInput('a', 'x', 1);
    input.pipeInput('a', 'x', 2);
    expect(
      driver.createOutputTopic('counts-out', Serdes.string(), Serdes.long()).readKeyValuesToList(),
    ).toEqual([
      { key: 'a!', value: 1 },
      { key: 'a!', value: 2 },
    ]);
  });

  it('process() accepts an object supplier with get(), making one processor per task', () => {
    const builder = new StreamsBuilder();
    let made = 0;
    builder
      .stream('words', { key: Serdes.string(), value: Serdes.string() })
      .process<string, string>({
        get: () => {
          made++;
          let ctx: ProcessorContext<string, string>;
          return { init: (c) => void (ctx = c), process: (r) => ctx.forward({ key: r.value, value: r.key }) };
        },
      })
      .to('swapped', { key: Serdes.string(), value: Serdes.string() });
    driver = driverFor(builder.build());
    driver.createInputTopic('words', Serdes.string(), Serdes.string()).pipeInput('k', 'v', 1);
    expect(driver.createOutputTopic('swapped', Serdes.string(), Serdes.string()).readKeyValue()).toEqual({
      key: 'v',
      value: 'k',
    });
    expect(made).toBe(1);
  });

  it('processValues() changes values, keeps the key serde, and fails if the processor changes the key', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('words', { key: Serdes.string(), value: Serdes.string() })
      .processValues<number>(() => {
        let ctx: ProcessorContext<string, number>;
        return {
          init: (c) => void (ctx = c),
          process: (r) => ctx.forward({ key: r.value === 'rekey' ? 'other' : r.key, value: r.value.length }),
        };
      })
      .to('lengths', { value: Serdes.long() });
    driver = driverFor(builder.build());
    const input = driver.createInputTopic('words', Serdes.string(), Serdes.string());
    input.pipeInput('k', 'hello', 1);
    expect(driver.createOutputTopic('lengths', Serdes.string(), Serdes.long()).readKeyValue()).toEqual({
      key: 'k',
      value: 5,
    });
    expect(() => input.pipeInput('k', 'rekey', 2)).toThrow(ProcessingError);
  });

  it('a processor without access to a store gets an error naming the fix', () => {
    const builder = new StreamsBuilder();
    builder.addStateStore(countsStore());
    const stream = builder.stream('words', { key: Serdes.string(), value: Serdes.string() });
    stream.process(() => new Counter(), { stores: ['counts'] });
    stream.process(() => new Counter(), { name: 'no-access' });
    expect(() => driverFor(builder.build())).toThrow(
      /"no-access" has no access to state store "counts".*stores: \['counts'\]/,
    );
  });
});
