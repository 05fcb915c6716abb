import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  KafkaStreams,
  ProcessingError,
  Serdes,
  Stores,
  StreamsBuilder,
  type FailedRecord,
  type Serde,
  type StreamsConfig,
  type StreamsError,
} from '../../../src/index.js';
import type { TestDriverConfig, TopologyTestDriver } from '../../../src/testing/index.js';
import { driverFor, thrown } from '../dsl/support/harness.js';

let driver: TopologyTestDriver | undefined;
afterEach(() => driver?.close());

const DLQ = 'app-dlq';

/** A string serde that cannot read or write `poison`. */
const picky: Serde<string> = {
  ...Serdes.string(),
  serialize: (value, topic) => {
    if (value === 'poison') throw new Error('cannot write poison');
    return Serdes.string().serialize(value, topic);
  },
  deserialize: (bytes, topic) => {
    if (bytes?.toString() === 'poison') throw new SyntaxError('cannot read poison');
    return Serdes.string().deserialize(bytes, topic);
  },
};

/** `in` (picky values) → mapValues (throws on 'boom') → `out` (picky values). */
function topology() {
  const b = new StreamsBuilder();
  b.stream('in', { key: Serdes.string(), value: picky })
    .mapValues(
      (v) => {
        if (v === 'boom') throw new RangeError('no booms here');
        return v === 'make-poison' ? 'poison' : v;
      },
      { name: 'boomer' },
    )
    .to('out', { key: Serdes.string(), value: picky, name: 'picky-sink' });
  return b.build();
}

function start(config: TestDriverConfig) {
  driver = driverFor(topology(), { deadLetterQueueTopic: DLQ, ...config });
  const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
  const dlq = driver.createOutputTopic(DLQ, Serdes.buffer(), Serdes.buffer());
  const out = driver.createOutputTopic('out', Serdes.string(), Serdes.string());
  return { input, dlq, out };
}

const header = (headers: Readonly<Record<string, Buffer | string>> | undefined, name: string) =>
  headers?.[name]?.toString();

describe('deadLetterQueueTopic in the TopologyTestDriver', () => {
  it('a record skipped by the deserialization handler goes to the DLQ with its bytes, headers and the error headers', () => {
    const { input, dlq, out } = start({ deserializationExceptionHandler: 'logAndContinue' });
    input.pipeInput('a', 'fine', 1);
    input.pipeRecord({ key: 'k1', value: 'poison', timestamp: 7, headers: { trace: 'abc' } });
    input.pipeInput('b', 'also fine', 3);
    expect(out.readValuesToList()).toEqual(['fine', 'also fine']);
    const [dead, ...rest] = dlq.readRecordsToList();
    expect(rest).toEqual([]);
    expect(dead!.key.toString()).toBe('k1');
    expect(dead!.value.toString()).toBe('poison');
    expect(dead!.timestamp).toBe(7);
    const h = dead!.headers;
    expect(header(h, 'trace')).toBe('abc');
    expect(header(h, '__streams.errors.exception')).toBe('SyntaxError');
    expect(header(h, '__streams.errors.message')).toBe('cannot read poison');
    expect(header(h, '__streams.errors.stacktrace')).toMatch(/^SyntaxError: cannot read poison\n\s+at /);
    expect(header(h, '__streams.errors.topic')).toBe('in');
    expect(header(h, '__streams.errors.partition')).toBe('0');
    expect(header(h, '__streams.errors.offset')).toBe('1');
  });

  it('a record skipped by the processing handler goes to the DLQ with the processor’s error', () => {
    const { input, dlq, out } = start({ processingExceptionHandler: 'logAndContinue' });
    input.pipeInput('k', 'boom', 5);
    input.pipeInput('k', 'ok', 6);
    expect(out.readValuesToList()).toEqual(['ok']);
    const records = dlq.readRecordsToList();
    expect(records.map((r) => [r.key.toString(), r.value.toString()])).toEqual([['k', 'boom']]);
    const h = records[0]!.headers;
    expect(header(h, '__streams.errors.exception')).toBe('RangeError');
    expect(header(h, '__streams.errors.message')).toBe('no booms here');
    expect(header(h, '__streams.errors.offset')).toBe('0');
  });

  it('a record whose output cannot be serialized goes to the DLQ as the input record it came from', () => {
    const { input, dlq, out } = start({ productionExceptionHandler: 'logAndContinue' });
    input.pipeInput('k', 'make-poison', 5);
    input.pipeInput('k', 'ok', 6);
    expect(out.readValuesToList()).toEqual(['ok']);
    const records = dlq.readRecordsToList();
    expect(records.map((r) => [r.key.toString(), r.value.toString()])).toEqual([['k', 'make-poison']]);
    expect(header(records[0]!.headers, '__streams.errors.message')).toBe('cannot write poison');
  });

  it('logAndFail writes the DLQ record, then fails', () => {
    const { input, dlq } = start({});
    const error = thrown(() => input.pipeInput('k', 'boom', 5));
    expect(error).toBeInstanceOf(ProcessingError);
    expect(dlq.readValuesToList().map(String)).toEqual(['boom']);
  });

  it('a function handler’s answer decides, and the DLQ gets the record either way', () => {
    const seen: FailedRecord[] = [];
    const { input, dlq } = start({
      processingExceptionHandler: (_e: StreamsError, record) => {
        seen.push(record);
        return 'continue';
      },
    });
    input.pipeRecord({ key: 'k', value: 'boom', headers: { h: Buffer.from([1, 2]) } });
    // FailedRecord carries the record's headers, as consumed.
    expect(seen.map((r) => r.headers)).toEqual([{ h: Buffer.from([1, 2]) }]);
    expect(dlq.getQueueSize()).toBe(1);
  });

  it('deadLetterQueueTopic is optional; an invalid one, or one the topology reads, is a ConfigError', () => {
    for (const bad of ['', 'has space', 'a/b', '..', 42]) {
      const error = thrown(() => driverFor(topology(), { deadLetterQueueTopic: bad as string }));
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toMatch(/^deadLetterQueueTopic must be a Kafka topic name/);
    }
    const error = thrown(() => driverFor(topology(), { deadLetterQueueTopic: 'in' }));
    expect(error.message).toMatch(/deadLetterQueueTopic "in" is an input topic/);
    const make = (topic: unknown) =>
      new KafkaStreams(topology(), { applicationId: 'a', deadLetterQueueTopic: topic } as StreamsConfig);
    expect(() => make('bad topic')).toThrow(/^deadLetterQueueTopic must be a Kafka topic name/);
    expect(() => make('fine.topic_1')).not.toThrow();
    // Optional: without it, nothing is written anywhere but the outputs.
    driver = driverFor(topology(), { processingExceptionHandler: 'logAndContinue' });
    driver.createInputTopic('in', Serdes.string(), Serdes.string()).pipeInput('k', 'boom');
    expect([...driver.producedTopicNames()]).toEqual([]);
  });
});

it('an unserializable output of a punctuator is dead-lettered without input bytes or input headers', () => {
  const b = new StreamsBuilder();
  b.stream('in', { key: Serdes.string(), value: Serdes.string() })
    .process(
      () => ({
        init: (ctx) => {
          ctx.schedule(10, 'stream-time', (ts) =>
            ctx.forward({ key: 'tick', value: 'poison', timestamp: ts }),
          );
        },
        process: () => undefined,
      }),
      { name: 'ticker' },
    )
    .to('out', { key: Serdes.string(), value: picky });
  driver = driverFor(b.build(), { deadLetterQueueTopic: DLQ, productionExceptionHandler: 'logAndContinue' });
  driver
    .createInputTopic('in', Serdes.string(), Serdes.string())
    .pipeRecord({ key: 'k', value: 'v', timestamp: 10, headers: { trace: 'input' } });
  const [dead, ...rest] = driver.createOutputTopic(DLQ, Serdes.buffer(), Serdes.buffer()).readRecordsToList();
  expect(rest).toEqual([]);
  expect([dead!.key, dead!.value]).toEqual([null, null]);
  expect(Object.keys(dead!.headers ?? {}).sort()).toEqual([
    '__streams.errors.exception',
    '__streams.errors.message',
    '__streams.errors.stacktrace',
  ]);
});

describe('handlers: bad answers, timestamp extractors and store serdes', () => {
  it('an unknown answer is a ConfigError naming the handler option', () => {
    driver = driverFor(topology(), {
      processingExceptionHandler: (() => 'skip') as unknown as () => 'continue',
    });
    const error = thrown(() =>
      driver!.createInputTopic('in', Serdes.string(), Serdes.string()).pipeInput('k', 'boom'),
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(
      /^processingExceptionHandler returned 'skip': it must return 'fail' or 'continue'/,
    );
  });

  it('a handler that throws fails with the record’s context and the thrown error as the cause', () => {
    const bug = new TypeError('handler bug');
    driver = driverFor(topology(), {
      processingExceptionHandler: () => {
        throw bug;
      },
    });
    const error = thrown(() =>
      driver!.createInputTopic('in', Serdes.string(), Serdes.string()).pipeInput('k', 'boom'),
    );
    expect(error).toBeInstanceOf(ProcessingError);
    expect(error.message).toMatch(
      /^processingExceptionHandler threw while handling ".*no booms here": handler bug$/,
    );
    expect({ task: error.taskId, topic: error.topic, offset: error.offset, node: error.node }).toEqual({
      task: '0_0',
      topic: 'in',
      offset: 0,
      node: 'boomer',
    });
    expect(error.cause).toBe(bug);
  });

  function extractorTopology() {
    const b = new StreamsBuilder();
    b.stream('in', {
      key: Serdes.string(),
      value: Serdes.string(),
      name: 'src',
      timestampExtractor: (r) => {
        if (r.value === 'no-time') throw new Error('no timestamp in it');
        return r.timestamp;
      },
    }).to('out', { key: Serdes.string(), value: Serdes.string() });
    return b.build();
  }

  it('a timestamp extractor that throws goes to the processing handler with task, offset and node', () => {
    const errors: StreamsError[] = [];
    driver = driverFor(extractorTopology(), {
      deadLetterQueueTopic: DLQ,
      processingExceptionHandler: (error) => {
        errors.push(error);
        return 'continue';
      },
    });
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    input.pipeInput('k', 'a', 1);
    input.pipeInput('k', 'no-time', 2);
    input.pipeInput('k', 'b', 3);
    expect(driver.createOutputTopic('out', Serdes.string(), Serdes.string()).readValuesToList()).toEqual([
      'a',
      'b',
    ]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ProcessingError);
    expect({ task: errors[0]!.taskId, offset: errors[0]!.offset, node: errors[0]!.node }).toEqual({
      task: '0_0',
      offset: 1,
      node: 'src',
    });
    expect(errors[0]!.message).toMatch(/extracting the timestamp.*no timestamp in it/);
    expect(driver.droppedRecords().byReason).toEqual({ processing: 1 });
    expect(driver.createOutputTopic(DLQ, Serdes.string(), Serdes.string()).readValuesToList()).toEqual([
      'no-time',
    ]);
  });

  it('a timestamp extractor that throws under logAndFail fails with a ProcessingError naming the source', () => {
    driver = driverFor(extractorTopology());
    const error = thrown(() =>
      driver!.createInputTopic('in', Serdes.string(), Serdes.string()).pipeInput('k', 'no-time'),
    );
    expect(error).toBeInstanceOf(ProcessingError);
    expect(error.node).toBe('src');
  });

  it('a store serde that throws goes to the processing handler with task, offset and node', () => {
    const b = new StreamsBuilder();
    const badValues: Serde<string> = {
      ...Serdes.string(),
      serialize: () => {
        throw new Error('store cannot write');
      },
    };
    b.addStateStore(
      Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('kv'), Serdes.string(), badValues),
    );
    b.stream('in', { key: Serdes.string(), value: Serdes.string() }).process(
      () => {
        let store: { put(k: string, v: string): void } | undefined;
        return {
          init: (ctx) => {
            store = ctx.getStateStore('kv') as unknown as typeof store;
          },
          process: (r) => store!.put(r.key, r.value),
        };
      },
      { name: 'writer', stores: ['kv'] },
    );
    const errors: StreamsError[] = [];
    driver = driverFor(b.build(), {
      processingExceptionHandler: (error) => {
        errors.push(error);
        return 'continue';
      },
    });
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    input.pipeInput('a', 'x');
    input.pipeInput('b', 'y');
    expect(errors.map((e) => [e.constructor.name, e.taskId, e.offset, e.node])).toEqual([
      ['ProcessingError', '0_0', 0, 'writer'],
      ['ProcessingError', '0_0', 1, 'writer'],
    ]);
    expect(errors[0]!.message).toMatch(/store cannot write/);
  });
});

it('records of a global store’s topic a handler skips are not dead-lettered, as in the app', () => {
  const b = new StreamsBuilder();
  b.globalTable('rates', { key: Serdes.string(), value: picky });
  b.stream('in', { key: Serdes.string(), value: picky }).to('out', { key: Serdes.string(), value: picky });
  driver = driverFor(b.build(), {
    deadLetterQueueTopic: DLQ,
    deserializationExceptionHandler: 'logAndContinue',
  });
  driver.createInputTopic('rates', Serdes.string(), Serdes.string()).pipeInput('eur', 'poison');
  expect(driver.producedTopicNames().has(DLQ)).toBe(false);
  driver.createInputTopic('in', Serdes.string(), Serdes.string()).pipeInput('k', 'poison');
  expect(driver.createOutputTopic(DLQ, Serdes.string(), Serdes.string()).readValuesToList()).toEqual([
    'poison',
  ]);
});
