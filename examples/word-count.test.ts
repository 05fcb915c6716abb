import { afterEach, describe, expect, it } from 'vitest';
import { Serdes } from '../src/index.js';
import { TopologyTestDriver } from '../src/testing/index.js';
import { buildWordCountTopology, COUNTS_STORE, COUNTS_TOPIC, LINES_TOPIC } from './word-count.js';

describe('word count example', () => {
  let driver: TopologyTestDriver;
  afterEach(() => driver.close());

  it('emits a running count per word, and keeps the totals in the store', () => {
    driver = new TopologyTestDriver(buildWordCountTopology(), { applicationId: 'word-count' }, 0);
    const lines = driver.createInputTopic(LINES_TOPIC, Serdes.string(), Serdes.string());
    const counts = driver.createOutputTopic(COUNTS_TOPIC, Serdes.string(), Serdes.long());
    lines.pipeInput('l1', 'All streams lead to Kafka', 1_000);
    lines.pipeInput('l2', 'Hello Kafka Streams', 2_000);
    expect(counts.readRecordsToList()).toEqual([
      { key: 'all', value: 1, timestamp: 1_000 },
      { key: 'streams', value: 1, timestamp: 1_000 },
      { key: 'lead', value: 1, timestamp: 1_000 },
      { key: 'to', value: 1, timestamp: 1_000 },
      { key: 'kafka', value: 1, timestamp: 1_000 },
      { key: 'hello', value: 1, timestamp: 2_000 },
      { key: 'kafka', value: 2, timestamp: 2_000 },
      { key: 'streams', value: 2, timestamp: 2_000 },
    ]);
    const store = driver.getKeyValueStore<string, number>(COUNTS_STORE);
    expect(store.get('kafka')).toBe(2);
    expect(store.get('absent')).toBeUndefined();
  });

  it('ignores punctuation and empty lines', () => {
    driver = new TopologyTestDriver(buildWordCountTopology(), { applicationId: 'word-count' }, 0);
    const lines = driver.createInputTopic(LINES_TOPIC, Serdes.string(), Serdes.string());
    lines.pipeValueList(['', '  ...  ', 'Hi, hi!']);
    expect(
      driver.createOutputTopic(COUNTS_TOPIC, Serdes.string(), Serdes.long()).readKeyValuesToMap(),
    ).toEqual(new Map([['hi', 2]]));
  });

  it('repartitions by word through an internal topic and change-logs the store', () => {
    driver = new TopologyTestDriver(buildWordCountTopology(), { applicationId: 'word-count' }, 0);
    driver.createInputTopic(LINES_TOPIC, Serdes.string(), Serdes.string()).pipeInput('l', 'a b', 1);
    expect([...driver.producedTopicNames()].sort()).toEqual([
      'word-count-counts-changelog',
      'word-count-counts-repartition',
      COUNTS_TOPIC,
    ]);
  });
});
