import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  KafkaStreams,
  Serdes,
  SessionWindows,
  StreamsBuilder,
  TimeWindows,
  TopologyError,
} from '../../../src/index.js';
import { TopologyTestDriver } from '../../../src/testing/index.js';

const kv = { key: Serdes.string(), value: Serdes.string() };

describe('DSL option objects reject unknown keys at build()', () => {
  const cases: [string, (b: StreamsBuilder) => void, RegExp][] = [
    [
      'stream({ kye })',
      (b) => b.stream('t', { kye: Serdes.string() } as never).to('o', kv),
      /stream\("t"\).*"kye"/,
    ],
    [
      'count({ nmae })',
      (b) =>
        b
          .stream('t', kv)
          .groupByKey()
          .count({ nmae: 'counts' } as never),
      /aggregation \(at node "KSTREAM-AGGREGATE-\d+"\): unknown option "nmae" \(known: name, materialized\)/,
    ],
    [
      'count({ materialized: { storName } })',
      (b) =>
        b
          .stream('t', kv)
          .groupByKey()
          .count({ materialized: { storName: 's' } } as never),
      /unknown option "materialized.storName"/,
    ],
    [
      'mapValues({ nmae })',
      (b) =>
        b
          .stream('t', kv)
          .mapValues((v) => v, { nmae: 'x' } as never)
          .to('o', kv),
      /"nmae"/,
    ],
    [
      'to({ partitoner })',
      (b) => b.stream('t', kv).to('o', { ...kv, partitoner: () => 0 } as never),
      /to\(\).*"partitoner"/,
    ],
    [
      'groupBy({ kye })',
      (b) =>
        b
          .stream('t', kv)
          .groupBy((k) => k, { kye: 1 } as never)
          .count(),
      /groupBy\(\).*"kye"/,
    ],
    [
      'table({ materialised })',
      (b) => void b.table('t', { ...kv, materialised: {} } as never),
      /table\("t"\).*"materialised"/,
    ],
    [
      'windowed count({ materialized: { retention } })',
      (b) =>
        b
          .stream('t', kv)
          .groupByKey()
          .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
          .count({ materialized: { retention: 5 } } as never),
      /"materialized.retention"/,
    ],
    [
      'session count({ nam })',
      (b) =>
        b
          .stream('t', kv)
          .groupByKey()
          .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10))
          .count({ nam: 'x' } as never),
      /"nam"/,
    ],
    [
      'options that are not an object',
      (b) =>
        b
          .stream('t', kv)
          .filter(() => true, 'x' as never)
          .to('o', kv),
      /must be an object/,
    ],
  ];
  for (const [name, declare, message] of cases) {
    it(`fails for ${name}`, () => {
      const b = new StreamsBuilder();
      declare(b);
      expect(() => b.build()).toThrow(TopologyError);
      expect(() => b.build()).toThrow(message);
    });
  }

  it('accepts every documented option', () => {
    const b = new StreamsBuilder();
    b.stream('t', { name: 'src', ...kv, offsetReset: 'latest', timestampExtractor: (r) => r.timestamp })
      .groupByKey({ name: 'g', ...kv })
      .count({
        name: 'c',
        materialized: { storeName: 'cs', caching: false, logging: { 'retention.ms': '1' } },
      })
      .toStream()
      .to('o', { key: Serdes.string(), value: Serdes.long() });
    expect(() => b.build()).not.toThrow();
  });
});

describe('a missing serde is a configuration error, not a per-record drop', () => {
  it('fails the TopologyTestDriver at construction even with logAndContinue', () => {
    const b = new StreamsBuilder();
    b.stream('t', { value: Serdes.string() }).to('o', kv);
    expect(
      () => new TopologyTestDriver(b.build(), { deserializationExceptionHandler: 'logAndContinue' }),
    ).toThrow(/Source "KSTREAM-SOURCE-\d+" \(topic t\) has no key serde/);
  });

  it('fails KafkaStreams at construction, naming the node', () => {
    const b = new StreamsBuilder();
    b.stream('t', kv)
      .map((k, v) => [k, v.length] as const)
      .to('o');
    let error: unknown;
    try {
      new KafkaStreams(b.build(), { applicationId: 'a', deserializationExceptionHandler: 'logAndContinue' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).node).toMatch(/^KSTREAM-SINK-/);
  });

  it('names the sink of a join result that has no value serde', () => {
    const b = new StreamsBuilder();
    const left = b.stream('l', kv);
    const right = b.table('r', kv);
    left.join(right, (l, r) => ({ l, r }), { name: 'enrich' }).to('o', { name: 'enriched-out' });
    expect(() => new TopologyTestDriver(b.build())).toThrow(
      /Sink "enriched-out" \(topic o\) has no value serde/,
    );
  });

  it('is satisfied by the configured default serdes', () => {
    const b = new StreamsBuilder();
    b.stream('t').to('o');
    const driver = new TopologyTestDriver(b.build(), {
      defaultKeySerde: Serdes.string(),
      defaultValueSerde: Serdes.string(),
    });
    driver.createInputTopic('t', Serdes.string(), Serdes.string()).pipeInput('k', 'v');
    expect(driver.createOutputTopic('o', Serdes.string(), Serdes.string()).readKeyValue()).toEqual({
      key: 'k',
      value: 'v',
    });
    driver.close();
  });
});
