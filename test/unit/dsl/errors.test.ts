import { afterEach, describe, expect, it } from 'vitest';
import {
  DeserializationError,
  ProcessingError,
  Serdes,
  Stores,
  StreamsBuilder,
  Topology,
  TopologyError,
  type Serde,
} from '../../../src/index.js';
import type { TopologyTestDriver } from '../../../src/testing/index.js';
import { driverFor, recordingLogger, thrown } from './support/harness.js';

let driver: TopologyTestDriver | undefined;
afterEach(() => driver?.close());

describe('build-time errors name the node and the fix', () => {
  it('an unknown store name', () => {
    const b = new StreamsBuilder();
    b.stream('in', { key: Serdes.string(), value: Serdes.string() }).process(
      () => ({ process: () => undefined }),
      { name: 'dedup', stores: ['seen'] },
    );
    const error = thrown(() => b.build());
    expect(error).toBeInstanceOf(TopologyError);
    expect(error.node).toBe('dedup');
    expect(error.message).toMatch(
      /"dedup" uses state store "seen", which is not added: add it with addStateStore/,
    );
  });

  it('a missing serde where a repartition needs one', () => {
    const b = new StreamsBuilder();
    b.stream('in', { key: Serdes.string(), value: Serdes.string() })
      .groupBy((_, v) => v.length)
      .count({ name: 'by-length' });
    const error = thrown(() => b.build());
    expect(error).toBeInstanceOf(TopologyError);
    expect(error.node).toBe('by-length');
    expect(error.message).toMatch(/by-length-repartition.*key serde is unknown.*pass \{ key: Serdes/);
    // The config default makes it valid.
    expect(() => b.build({ defaultKeySerde: Serdes.int32() })).not.toThrow();
  });

  it('a missing value serde for a re-grouped table', () => {
    const b = new StreamsBuilder();
    b.table('t', { key: Serdes.string(), value: Serdes.string() })
      .groupBy((k, v) => [v, v.length] as const, { key: Serdes.string() })
      .count({ name: 'c' });
    expect(() => b.build()).toThrow(/value serde is unknown/);
  });

  it('duplicate operator names and duplicate store names', () => {
    const b = new StreamsBuilder();
    const s = b.stream('in', { key: Serdes.string(), value: Serdes.string() });
    s.mapValues((v) => v, { name: 'same' });
    const error = thrown(() => s.filter(() => true, { name: 'same' }));
    expect(error).toBeInstanceOf(TopologyError);
    expect(error.node).toBe('same');
    expect(error.message).toMatch(
      /A processor named "same" already exists: give each operator a unique \{ name \}/,
    );
    s.groupByKey().count({ name: 'store' });
    expect(() => s.groupByKey().count({ materialized: { storeName: 'store' } })).toThrow(
      /state store named "store" already exists/,
    );
    expect(() =>
      b.addStateStore(
        Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('store'), Serdes.string(), Serdes.long()),
      ),
    ).toThrow(TopologyError);
  });

  it('a source connected to nothing, and a store no processor uses', () => {
    const b = new StreamsBuilder();
    b.stream('lonely', { key: Serdes.string(), value: Serdes.string() });
    expect(() => b.build()).toThrow(
      /Source "KSTREAM-SOURCE-0000000000" \(topics: lonely\) is connected to nothing/,
    );
    const b2 = new StreamsBuilder();
    b2.addStateStore(
      Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('unused'), Serdes.string(), Serdes.long()),
    );
    b2.stream('in', { key: Serdes.string(), value: Serdes.string() }).to('out');
    expect(() => b2.build()).toThrow(/State store "unused" is not connected to any processor/);
  });

  it('a processor without parents, or with an unknown parent, on a hand-built topology', () => {
    expect(() => new Topology().addProcessor('p', () => ({ process: () => undefined }))).toThrow(
      /Processor "p" must have at least one parent/,
    );
    expect(() => new Topology().addProcessor('p', () => ({ process: () => undefined }), 'ghost')).toThrow(
      /Parent "ghost" of "p" does not exist/,
    );
    const t = new Topology().addSource('s', 'in').addSink('out', 'o', {}, 's');
    expect(() => t.addProcessor('p', () => ({ process: () => undefined }), 'out')).toThrow(
      /Sink "out" cannot be a parent/,
    );
  });

  it('reading one topic twice, invalid topic names and non-function arguments', () => {
    const b = new StreamsBuilder();
    b.stream('in', { key: Serdes.string(), value: Serdes.string() });
    b.stream('in').to('x');
    expect(() => b.build()).toThrow(/Topic "in" is already read by source "KSTREAM-SOURCE-0000000000"/);
    const b2 = new StreamsBuilder();
    const s = b2.stream('ok', { key: Serdes.string(), value: Serdes.string() });
    s.to('bad topic!');
    expect(() => b2.build()).toThrow(
      /"bad topic!" \(node "KSTREAM-SINK-0000000001"\) is not a valid Kafka topic name/,
    );
    expect(() => s.mapValues(undefined as unknown as (v: string) => string)).toThrow(
      /mapValues\(\) needs a mapper function, got undefined/,
    );
    expect(() => s.repartition({ numberOfPartitions: 0 })).toThrow(
      /numberOfPartitions must be a positive integer/,
    );
  });
});

describe('deserialization errors', () => {
  const failingOn = (bad: string): Serde<string> => ({
    ...Serdes.string(),
    deserialize: (bytes) => {
      const s = bytes === null ? null : bytes.toString();
      if (s === bad) throw new Error('bad bytes');
      return s as string;
    },
  });

  function topology() {
    const b = new StreamsBuilder();
    b.stream('in', { key: Serdes.string(), value: failingOn('poison') }).to('out', {
      value: Serdes.string(),
    });
    return b.build();
  }

  it('logAndFail (default) throws a DeserializationError naming topic, partition and offset', () => {
    driver = driverFor(topology());
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    input.pipeInput('k', 'fine', 1);
    const error = thrown(() => input.pipeInput('k', 'poison', 2));
    expect(error).toBeInstanceOf(DeserializationError);
    expect(error.message).toMatch(/topic "in" partition 0 offset 1/);
    expect({
      topic: error.topic,
      partition: error.partition,
      offset: error.offset,
      node: error.node,
    }).toEqual({
      topic: 'in',
      partition: 0,
      offset: 1,
      node: 'KSTREAM-SOURCE-0000000000',
    });
  });

  it('logAndContinue skips the record, logs it, and goes on', () => {
    const logger = recordingLogger();
    driver = driverFor(topology(), { deserializationExceptionHandler: 'logAndContinue', logger });
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    input.pipeInput('k', 'a', 1);
    input.pipeInput('k', 'poison', 2);
    input.pipeInput('k', 'b', 3);
    expect(driver.createOutputTopic('out', Serdes.string(), Serdes.string()).readValuesToList()).toEqual([
      'a',
      'b',
    ]);
    expect(logger.entries.filter((e) => e.level === 'warn').map((e) => e.message)).toEqual([
      'skipping record (logAndContinue)',
      expect.stringMatching(/Skipping record that failed to deserialize.*dropped-records-total/),
    ]);
    expect(driver.droppedRecords()).toEqual({ total: 1, byReason: { deserialization: 1 } });
  });

  it('a handler function gets the error and the raw record', () => {
    const seen: unknown[] = [];
    driver = driverFor(topology(), {
      deserializationExceptionHandler: (error, record) => {
        seen.push([error.constructor.name, record.topic, record.offset, record.value?.toString()]);
        return 'continue';
      },
    });
    driver.createInputTopic('in', Serdes.string(), Serdes.string()).pipeInput('k', 'poison', 1);
    expect(seen).toEqual([['DeserializationError', 'in', 0, 'poison']]);
  });
});

describe('processing errors', () => {
  function topology() {
    const b = new StreamsBuilder();
    b.stream('in', { key: Serdes.string(), value: Serdes.string() })
      .mapValues(
        (v) => {
          if (v === 'boom') throw new Error('kaboom');
          return v.toUpperCase();
        },
        { name: 'upper' },
      )
      .to('out', { value: Serdes.string() });
    return b.build();
  }

  it('logAndFail (default) throws a ProcessingError naming the node, topic, partition and offset', () => {
    driver = driverFor(topology());
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    input.pipeInput('k', 'ok', 1);
    const error = thrown(() => input.pipeInput('k', 'boom', 2));
    expect(error).toBeInstanceOf(ProcessingError);
    expect(error.message).toMatch(/processor "upper".*topic "in" offset 1: kaboom/);
    expect({
      node: error.node,
      topic: error.topic,
      partition: error.partition,
      offset: error.offset,
      taskId: error.taskId,
    }).toEqual({
      node: 'upper',
      topic: 'in',
      partition: 0,
      offset: 1,
      taskId: '0_0',
    });
    expect((error.cause as Error).message).toBe('kaboom');
  });

  it('logAndContinue skips the failing record and goes on', () => {
    driver = driverFor(topology(), { processingExceptionHandler: 'logAndContinue' });
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    input.pipeKeyValueList([
      { key: 'k', value: 'a' },
      { key: 'k', value: 'boom' },
      { key: 'k', value: 'b' },
    ]);
    expect(driver.createOutputTopic('out', Serdes.string(), Serdes.string()).readValuesToList()).toEqual([
      'A',
      'B',
    ]);
  });

  it('a value that cannot be serialized at a sink goes to the production handler', () => {
    const b = new StreamsBuilder();
    b.stream('in', { key: Serdes.string(), value: Serdes.string() })
      .mapValues((v) =>
        v === 'cycle'
          ? (() => {
              const o: Record<string, unknown> = {};
              o.self = o;
              return o;
            })()
          : { v },
      )
      .to('out', { value: Serdes.json(), name: 'json-out' });
    driver = driverFor(b.build(), { productionExceptionHandler: 'logAndContinue' });
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    input.pipeInput('k', 'cycle', 1);
    input.pipeInput('k', 'fine', 2);
    expect(driver.createOutputTopic('out', Serdes.string(), Serdes.json()).readValuesToList()).toEqual([
      { v: 'fine' },
    ]);
  });
});
