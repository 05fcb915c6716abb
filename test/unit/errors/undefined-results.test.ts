import { afterEach, describe, expect, it } from 'vitest';
import { ProcessingError, Serdes, StreamsBuilder } from '../../../src/index.js';
import type { TopologyTestDriver } from '../../../src/testing/index.js';
import { driverFor, thrown } from '../dsl/support/harness.js';

let driver: TopologyTestDriver | undefined;
afterEach(() => driver?.close());

const kv = { key: Serdes.string(), value: Serdes.string() };

/** mapValues that forgets to return for `forget`, returns null for `delete`. */
function forgetfulMapper() {
  const b = new StreamsBuilder();
  b.stream('in', kv)
    .mapValues(
      (v): string | null => {
        if (v === 'delete') return null;
        if (v === 'forget') return undefined as unknown as string;
        return v.toUpperCase();
      },
      { name: 'upper' },
    )
    .to('out', kv);
  return b.build();
}

describe('undefined from a user function is an error, null stays a tombstone', () => {
  it('logAndFail: a mapValues returning undefined throws a ProcessingError naming node and offset', () => {
    driver = driverFor(forgetfulMapper());
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    input.pipeInput('k', 'a', 1);
    const error = thrown(() => input.pipeInput('k', 'forget', 2));
    expect(error).toBeInstanceOf(ProcessingError);
    expect(error.message).toMatch(
      /"upper" forwarded a record whose value is undefined.*null for a tombstone/,
    );
    expect({ node: error.node, topic: error.topic, offset: error.offset }).toEqual({
      node: 'upper',
      topic: 'in',
      offset: 1,
    });
  });

  it('logAndContinue skips it; null still produces a tombstone', () => {
    driver = driverFor(forgetfulMapper(), { processingExceptionHandler: 'logAndContinue' });
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    input.pipeKeyValueList(['a', 'forget', 'delete', 'b'].map((value) => ({ key: 'k', value })));
    expect(
      driver
        .createOutputTopic('out', Serdes.string(), Serdes.string(), { tombstones: true })
        .readValuesToList(),
    ).toEqual(['A', null, 'B']);
  });

  it('an aggregator returning undefined is an error and leaves the aggregate untouched', () => {
    const b = new StreamsBuilder();
    b.stream('in', kv)
      .groupByKey()
      .aggregate(
        () => '',
        (_k, v, agg) => (v === 'forget' ? (undefined as unknown as string) : agg + v),
        { name: 'concat', materialized: { value: Serdes.string() } },
      )
      .toStream()
      .to('out', kv);
    driver = driverFor(b.build(), { processingExceptionHandler: 'logAndContinue' });
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    input.pipeKeyValueList(['a', 'forget', 'b'].map((value) => ({ key: 'k', value })));
    expect(
      driver
        .createOutputTopic('out', Serdes.string(), Serdes.string(), { tombstones: true })
        .readValuesToList(),
    ).toEqual(['a', 'ab']);
    driver.close();
    driver = driverFor(b.build());
    expect(() =>
      driver!.createInputTopic('in', Serdes.string(), Serdes.string()).pipeInput('k', 'forget'),
    ).toThrow(/The aggregator returned undefined/);
  });

  it('a table mapValues or table-table joiner returning undefined is an error', () => {
    const b = new StreamsBuilder();
    const left = b.table('left', kv);
    left
      .mapValues(() => undefined as unknown as string)
      .toStream()
      .to('mapped', kv);
    driver = driverFor(b.build());
    expect(() =>
      driver!.createInputTopic('left', Serdes.string(), Serdes.string()).pipeInput('k', 'v'),
    ).toThrow(/The mapper returned undefined/);
    driver.close();
    const b2 = new StreamsBuilder();
    b2.table('left', kv)
      .join(b2.table('right', kv), () => undefined as unknown as string)
      .toStream()
      .to('joined', kv);
    driver = driverFor(b2.build());
    driver.createInputTopic('left', Serdes.string(), Serdes.string()).pipeInput('k', 'v');
    expect(() =>
      driver!.createInputTopic('right', Serdes.string(), Serdes.string()).pipeInput('k', 'w'),
    ).toThrow(/The joiner returned undefined/);
  });

  it('a Processor API node forwarding an undefined value is an error', () => {
    const b = new StreamsBuilder();
    b.stream('in', kv)
      .process<string, string>(
        () => {
          let ctx: { forward(r: { key: string; value: string }): void };
          return {
            init: (c) => void (ctx = c),
            process: (r) => ctx.forward({ key: r.key, value: undefined as unknown as string }),
          };
        },
        { name: 'raw' },
      )
      .to('out', kv);
    driver = driverFor(b.build());
    const error = thrown(() =>
      driver!.createInputTopic('in', Serdes.string(), Serdes.string()).pipeInput('k', 'v'),
    );
    expect(error.node).toBe('raw');
  });
});
