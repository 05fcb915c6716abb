import { describe, expect, it } from 'vitest';
import {
  JoinWindows,
  KafkaStreams,
  Serdes,
  StreamsBuilder,
  TopologyError,
  createEmbeddedKafka,
} from '../../../src/index.js';
import { TopologyTestDriver } from '../../../src/testing/index.js';
import { thrown } from './support/harness.js';

const str = Serdes.string();

describe('inputs of one join or aggregation must agree on the key serde', () => {
  it('a stream–table join of a String-keyed stream and a JSON-keyed table fails at build(), naming both sources', () => {
    const b = new StreamsBuilder();
    const orders = b.stream('orders', { key: str, value: str, name: 'orders-source' });
    const users = b.table('users', { key: Serdes.json<string>(), value: str });
    orders.join(users, (o, u) => `${o}/${u}`).to('enriched', { key: str, value: str });
    const error = thrown(() => b.build());
    expect(error).toBeInstanceOf(TopologyError);
    expect(error.message).toMatch(/source "orders-source" \("orders", key serde String\)/);
    expect(error.message).toMatch(/source "[^"]+" \("users", key serde JSON\)/);
    expect(error.message).toMatch(/different partitions/);
  });

  it('a windowed stream–stream join fails the same way', () => {
    const b = new StreamsBuilder();
    const left = b.stream('left', { key: Serdes.int32(), value: str });
    const right = b.stream('right', { key: Serdes.float64(), value: str });
    left.join(right, (l, r) => l + r, JoinWindows.ofTimeDifferenceWithNoGrace(1000));
    expect(() => b.build()).toThrow(/key serde Int32.*key serde Float64|key serde Float64.*key serde Int32/);
  });

  it('merged streams counted without a key change fail: the count would split one key over two tasks', () => {
    const b = new StreamsBuilder();
    const a = b.stream('a', { key: str, value: str });
    const c = b.stream('c', { key: Serdes.json<string>(), value: str });
    a.merge(c).groupByKey().count();
    expect(() => b.build()).toThrow(TopologyError);
  });

  it('separate instances of the same serde agree, and a repartition with the other side’s serde fixes a mismatch', () => {
    const b = new StreamsBuilder();
    const users = b.table('users', { key: Serdes.json<string>(), value: str });
    b.stream('orders', { key: Serdes.json<string>(), value: str }).join(users, (o, u) => o + u);
    b.stream('clicks', { key: str, value: str })
      .repartition({ key: Serdes.json<string>(), value: str })
      .join(users, (c, u) => c + u);
    expect(() => b.build()).not.toThrow();
  });

  it('a source without its own key serde is checked against the runner’s defaultKeySerde', async () => {
    const b = new StreamsBuilder();
    const users = b.table('users', { key: str, value: str });
    b.stream<string, string>('orders', { value: str }).join(users, (o, u) => o + u);
    const topology = b.build();
    expect(() => new TopologyTestDriver(topology, { defaultKeySerde: Serdes.json() })).toThrow(
      /key serde JSON/,
    );
    const kafka = createEmbeddedKafka();
    const config = { applicationId: 'key-serde-check', kafka, defaultValueSerde: str };
    expect(() => new KafkaStreams(topology, { ...config, defaultKeySerde: Serdes.json() })).toThrow(
      TopologyError,
    );
    const fine = new KafkaStreams(topology, { ...config, defaultKeySerde: str });
    expect(fine.state).toBe('CREATED');
    await fine.close();
  });
});
