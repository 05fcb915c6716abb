import { describe, expect, it } from 'vitest';
import { Serdes, StreamsBuilder } from '../../../src/index.js';
import { TopologyTestDriver } from '../../../src/testing/index.js';

describe('word count through the driver', () => {
  it('counts words across a repartition', () => {
    const b = new StreamsBuilder();
    b.stream('lines', { key: Serdes.string(), value: Serdes.string() })
      .flatMapValues((line) =>
        line
          .toLowerCase()
          .split(/\W+/)
          .filter((w) => w.length > 0),
      )
      .groupBy((_, word) => word, { key: Serdes.string(), value: Serdes.string() })
      .count({ name: 'counts' })
      .toStream()
      .to('word-counts', { key: Serdes.string(), value: Serdes.long() });
    const topology = b.build();
    const driver = new TopologyTestDriver(topology, { applicationId: 'wc' });
    const input = driver.createInputTopic('lines', Serdes.string(), Serdes.string());
    const output = driver.createOutputTopic('word-counts', Serdes.string(), Serdes.long());
    input.pipeInput('l1', 'Hello world', 1);
    input.pipeInput('l2', 'hello Kafka', 2);
    expect(output.readKeyValuesToList()).toEqual([
      { key: 'hello', value: 1 },
      { key: 'world', value: 1 },
      { key: 'hello', value: 2 },
      { key: 'kafka', value: 1 },
    ]);
    expect(driver.getKeyValueStore<string, number>('counts').get('hello')).toBe(2);
    expect(driver.producedTopicNames()).toContain('wc-counts-repartition');
    expect(driver.producedTopicNames()).toContain('wc-counts-changelog');
    console.log(topology.describe().toString());
    driver.close();
  });
});
