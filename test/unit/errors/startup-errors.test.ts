import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, KafkaStreams, Serdes, StreamsBuilder, type StreamsConfig } from '../../../src/index.js';

function topology() {
  const b = new StreamsBuilder();
  b.stream('in', { key: Serdes.string(), value: Serdes.string() }).to('out', {
    key: Serdes.string(),
    value: Serdes.string(),
  });
  return b.build();
}

const make = (config: Record<string, unknown>) =>
  new KafkaStreams(topology(), { applicationId: 'app', ...config } as StreamsConfig);

describe('start-up configuration errors name the option', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ brokers: [] }, /brokers is empty.*leave brokers out to run on the embedded broker/],
    [{ brokers: ['localhost:0'] }, /port of "localhost:0" is out of range/],
    [{ brokers: ['localhost:70000'] }, /port of "localhost:70000" is out of range/],
    [{ kafka: {} }, /kafka must be a Kafka client.*missing: admin, producer/],
    [{ kafka: null }, /kafka must be a Kafka client/],
    [{ sasl: { mechanism: 'plain', username: 'u', password: 'p' } }, /sasl is set but brokers is not/],
    [{ ssl: true }, /ssl is set but brokers is not/],
    [{ kafkaClient: 'platformatic' }, /kafkaClient is set but brokers is not/],
    [
      { brokers: ['localhost:9092'], kafkaClient: 'rdkafka' },
      /kafkaClient must be 'kafkajs' or 'platformatic'; got "rdkafka"/,
    ],
  ];
  for (const [config, message] of cases) {
    it(JSON.stringify(config), () => {
      expect(() => make(config)).toThrow(ConfigError);
      expect(() => make(config)).toThrow(message);
    });
  }

  it('a DSL store name with path separators fails build()', () => {
    const b = new StreamsBuilder();
    b.stream('in', { key: Serdes.string(), value: Serdes.string() })
      .groupByKey()
      .count({ name: '../escape' });
    expect(() => b.build()).toThrow(/\.\.\/escape/);
  });
});

describe('secrets never show', () => {
  it('util.inspect and JSON.stringify of the app show neither password nor key', () => {
    const app = make({
      brokers: ['127.0.0.1:9092'],
      sasl: { mechanism: 'scram-sha-512', username: 'svc', password: 'hunter2' },
      ssl: { key: 'PRIVATE-KEY-PEM', cert: 'CERT' },
    });
    const shown = [inspect(app, { depth: 10, showHidden: false }), JSON.stringify(app)].join('\n');
    expect(shown).toContain("applicationId: 'app'");
    expect(shown).not.toMatch(/hunter2|PRIVATE-KEY-PEM/);
    const config = (app as unknown as { config: StreamsConfig }).config;
    expect(JSON.stringify(config)).not.toMatch(/hunter2|PRIVATE-KEY-PEM/);
    expect(inspect(config, { depth: 10 })).not.toMatch(/hunter2|PRIVATE-KEY-PEM/);
    // Still readable by the client.
    expect(config.sasl?.password).toBe('hunter2');
  });
});
