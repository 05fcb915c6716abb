import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  ProductionError,
  Serdes,
  StreamsBuilder,
  type FailedRecord,
  type Serde,
  type StreamsError,
} from '../../../src/index.js';
import type { TopologyTestDriver } from '../../../src/testing/index.js';
import { driverFor, thrown } from '../dsl/support/harness.js';

let driver: TopologyTestDriver | undefined;
afterEach(() => driver?.close());

/** A string serde that cannot serialize `poison`. */
const picky: Serde<string> = {
  ...Serdes.string(),
  serialize: (value, topic) => {
    if (value === 'poison') throw new Error('cannot write poison');
    return Serdes.string().serialize(value, topic);
  },
};

function topology() {
  const b = new StreamsBuilder();
  b.stream('in', { key: Serdes.string(), value: Serdes.string() }).to('out', {
    key: Serdes.string(),
    value: picky,
    name: 'picky-sink',
  });
  return b.build();
}

describe('productionExceptionHandler: sink serialization failures', () => {
  it('logAndFail (default) throws a ProductionError with task, node, output topic and input offset', () => {
    // The processing handler does not get it: production errors have their own handler.
    driver = driverFor(topology(), { processingExceptionHandler: 'logAndContinue' });
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    input.pipeInput('k', 'fine', 1);
    const error = thrown(() => input.pipeInput('k', 'poison', 2));
    expect(error).toBeInstanceOf(ProductionError);
    expect(error.message).toMatch(/topic "out" at sink "picky-sink": cannot write poison/);
    expect({ taskId: error.taskId, node: error.node, topic: error.topic, offset: error.offset }).toEqual({
      taskId: '0_0',
      node: 'picky-sink',
      topic: 'out',
      offset: 1,
    });
  });

  it('logAndContinue skips the output record and counts it', () => {
    driver = driverFor(topology(), { productionExceptionHandler: 'logAndContinue' });
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    input.pipeKeyValueList(['a', 'poison', 'b'].map((value) => ({ key: 'k', value })));
    expect(driver.createOutputTopic('out', Serdes.string(), Serdes.string()).readValuesToList()).toEqual([
      'a',
      'b',
    ]);
    expect(driver.droppedRecords()).toEqual({ total: 1, byReason: { production: 1 } });
  });

  it('a function gets the error and the input record with its bytes and headers', () => {
    const seen: [StreamsError, FailedRecord][] = [];
    driver = driverFor(topology(), {
      productionExceptionHandler: (error, record) => {
        seen.push([error, record]);
        return 'continue';
      },
    });
    driver
      .createInputTopic('in', Serdes.string(), Serdes.string())
      .pipeRecord({ key: 'k', value: 'poison', timestamp: 5, headers: { trace: 'abc' } });
    expect(seen).toHaveLength(1);
    const [error, record] = seen[0]!;
    expect(error).toBeInstanceOf(ProductionError);
    expect(record).toMatchObject({ topic: 'in', partition: 0, offset: 0, timestamp: 5 });
    expect(record.key?.toString()).toBe('k');
    expect(record.value?.toString()).toBe('poison');
    expect(record.headers?.trace?.toString()).toBe('abc');
  });
});

describe('a handler function returning anything but fail or continue', () => {
  it('is a configuration error naming the value', () => {
    driver = driverFor(topology(), { productionExceptionHandler: () => 'skip' as never });
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    const error = thrown(() => input.pipeInput('k', 'poison', 1));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/returned 'skip': it must return 'fail' or 'continue'/);
  });
});
