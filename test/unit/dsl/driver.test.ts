import { afterEach, describe, expect, it } from 'vitest';
import { Serdes, StreamsBuilder, StreamsError, type Topology } from '../../../src/index.js';
import { TopologyTestDriver } from '../../../src/testing/index.js';
import { driverFor, recordingLogger } from './support/harness.js';

let driver: TopologyTestDriver | undefined;
afterEach(() => driver?.close());

function passThrough(): Topology {
  const b = new StreamsBuilder();
  b.stream('in', { key: Serdes.string(), value: Serdes.long() }).to('out');
  return b.build();
}

describe('TopologyTestDriver input topics', () => {
  it('pipeInput without a timestamp uses the driver start time; input topics can auto-advance', () => {
    driver = new TopologyTestDriver(passThrough(), { logger: recordingLogger() }, 1_000);
    const output = driver.createOutputTopic('out', Serdes.string(), Serdes.long());
    driver.createInputTopic('in', Serdes.string(), Serdes.long()).pipeInput('a', 1);
    const ticking = driver.createInputTopic('in', Serdes.string(), Serdes.long(), {
      startTimestampMs: 50,
      autoAdvanceMs: 10,
    });
    ticking.pipeInput('b', 2);
    ticking.pipeInput('c', 3);
    ticking.advanceTime(100);
    ticking.pipeInput('d', 4);
    expect(output.readRecordsToList().map((r) => r.timestamp)).toEqual([1_000, 50, 60, 170]);
  });

  it('pipeKeyValueList spaces timestamps; pipeRecordList keeps each record’s own timestamp and headers', () => {
    driver = driverFor(passThrough());
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.long());
    const output = driver.createOutputTopic('out', Serdes.string(), Serdes.long());
    input.pipeKeyValueList(
      [
        { key: 'a', value: 1 },
        { key: 'b', value: 2 },
      ],
      100,
      5,
    );
    input.pipeRecordList([
      { key: 'c', value: 3, timestamp: 7, headers: { h: 'x' } },
      { value: 4, timestamp: 8 },
    ]);
    expect(output.readRecordsToList()).toEqual([
      { key: 'a', value: 1, timestamp: 100 },
      { key: 'b', value: 2, timestamp: 105 },
      { key: 'c', value: 3, timestamp: 7, headers: { h: 'x' } },
      { key: null, value: 4, timestamp: 8 },
    ]);
  });

  it('rejects unknown topics, non-numeric timestamps, and use after close', () => {
    driver = driverFor(passThrough());
    expect(() =>
      driver!.createInputTopic('nope', Serdes.string(), Serdes.long()).pipeInput('a', 1, 1),
    ).toThrow(/Unknown topic: "nope". The topology reads: in/);
    expect(() =>
      driver!.createInputTopic('in', Serdes.string(), Serdes.long()).pipeInput('a', 1, Number.NaN),
    ).toThrow(/timestamp must be a number/);
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.long());
    driver.close();
    expect(() => input.pipeInput('a', 1, 1)).toThrow(/closed/);
  });

  it('refuses to pipe from inside a processor', () => {
    const b = new StreamsBuilder();
    let reenter: () => void = () => undefined;
    b.stream('in', { key: Serdes.string(), value: Serdes.long() }).foreach(() => reenter());
    driver = driverFor(b.build());
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.long());
    reenter = () => input.pipeInput('again', 1, 1);
    expect(() => input.pipeInput('a', 1, 1)).toThrow(/pipeInput was called from inside a processor/);
  });
});

describe('TopologyTestDriver output topics', () => {
  function filled() {
    driver = driverFor(passThrough());
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.long());
    input.pipeInput('a', 1, 10);
    input.pipeInput('b', 2, 20);
    input.pipeInput('a', 3, 30);
    input.pipeInput('b', null, 40);
    return driver.createOutputTopic('out', Serdes.string(), Serdes.long(), { tombstones: true });
  }

  it('reads one at a time, consuming records, and tracks the queue size', () => {
    const output = filled();
    expect(output.getQueueSize()).toBe(4);
    expect(output.isEmpty()).toBe(false);
    expect(output.readKeyValue()).toEqual({ key: 'a', value: 1 });
    expect(output.readRecord()).toEqual({ key: 'b', value: 2, timestamp: 20 });
    expect(output.readValue()).toBe(3);
    expect(output.getQueueSize()).toBe(1);
    output.readRecord();
    expect(output.isEmpty()).toBe(true);
    expect(() => output.readRecord()).toThrow(/Output topic "out" is empty/);
  });

  it('readKeyValuesToMap keeps the latest value per key and removes tombstoned keys', () => {
    expect(filled().readKeyValuesToMap()).toEqual(new Map([['a', 3]]));
  });

  it('readKeyValuesToList and readRecordsToList drain the topic in order', () => {
    const output = filled();
    expect(output.readKeyValuesToList()).toEqual([
      { key: 'a', value: 1 },
      { key: 'b', value: 2 },
      { key: 'a', value: 3 },
      { key: 'b', value: null },
    ]);
    expect(output.readRecordsToList()).toEqual([]);
  });

  it('without { tombstones: true } a tombstone still reads as null, as in Kafka Streams', () => {
    filled();
    const plain = driver!.createOutputTopic('out', Serdes.string(), Serdes.long());
    expect(plain.readValuesToList()).toEqual([1, 2, 3, null]);
  });

  it('several output topic objects over one topic share the queue', () => {
    filled();
    const first = driver!.createOutputTopic('out', Serdes.string(), Serdes.long());
    const second = driver!.createOutputTopic('out', Serdes.string(), Serdes.long());
    first.readRecord();
    expect(second.getQueueSize()).toBe(3);
  });
});

describe('TopologyTestDriver stores', () => {
  function counting() {
    const b = new StreamsBuilder();
    b.stream('in', { key: Serdes.string(), value: Serdes.long() }).groupByKey().count({ name: 'counts' });
    driver = driverFor(b.build());
    return driver.createInputTopic('in', Serdes.string(), Serdes.long());
  }

  it('getKeyValueStore shows DSL stores with plain values; range and all iterate in key order', () => {
    const input = counting();
    for (const key of ['b', 'a', 'c', 'a']) input.pipeInput(key, 1, 1);
    const store = driver!.getKeyValueStore<string, number>('counts');
    expect(store.get('a')).toBe(2);
    expect([...store.all()]).toEqual([
      { key: 'a', value: 2 },
      { key: 'b', value: 1 },
      { key: 'c', value: 1 },
    ]);
    expect([...store.range('b', 'c')].map((e) => e.key)).toEqual(['b', 'c']);
    expect(store.approximateNumEntries()).toBe(3);
  });

  it('a test may write to a store before piping input', () => {
    const input = counting();
    driver!.getKeyValueStore<string, number>('counts').put('a', 41);
    input.pipeInput('a', 1, 1);
    expect(driver!.getKeyValueStore<string, number>('counts').get('a')).toBe(42);
    expect(driver!.getTimestampedKeyValueStore<string, number>('counts').get('a')).toEqual({
      value: 42,
      timestamp: 1,
    });
  });

  it('names the known stores when a store does not exist', () => {
    counting();
    expect(() => driver!.getKeyValueStore('missing')).toThrow(
      /No state store named "missing". Stores of this topology: counts/,
    );
    expect([...driver!.getAllStateStores().keys()]).toEqual(['counts']);
  });

  it('global tables are filled from their topic and readable as stores', () => {
    const b = new StreamsBuilder();
    b.globalTable('products', {
      key: Serdes.string(),
      value: Serdes.string(),
      materialized: { storeName: 'products' },
    });
    b.stream('in', { key: Serdes.string(), value: Serdes.long() }).to('out');
    driver = driverFor(b.build());
    const products = driver.createInputTopic('products', Serdes.string(), Serdes.string());
    products.pipeInput('p1', 'apple', 1);
    products.pipeInput('p2', 'pear', 2);
    products.pipeInput('p1', null, 3);
    expect([...driver.getKeyValueStore<string, string>('products').all()]).toEqual([
      { key: 'p2', value: 'pear' },
    ]);
  });
});

describe('TopologyTestDriver construction', () => {
  it('needs a Topology and a non-empty applicationId', () => {
    expect(() => new TopologyTestDriver({} as Topology)).toThrow(/needs a Topology/);
    expect(() => new TopologyTestDriver(passThrough(), { applicationId: '' })).toThrow(StreamsError);
  });

  it('advanceWallClockTime rejects negative values', () => {
    driver = driverFor(passThrough());
    expect(() => driver!.advanceWallClockTime(-1)).toThrow(/non-negative/);
  });
});
