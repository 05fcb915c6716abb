import { afterEach, describe, expect, it } from 'vitest';
import { Serdes, StreamsBuilder, TopologyError } from '../../../src/index.js';
import type { TopologyTestDriver } from '../../../src/testing/index.js';
import { driverFor } from './support/harness.js';

let driver: TopologyTestDriver | undefined;
afterEach(() => driver?.close());

function numbers() {
  const builder = new StreamsBuilder();
  return { builder, input: builder.stream('input', { key: Serdes.string(), value: Serdes.long() }) };
}

function readAll(topic: string) {
  return driver!.createOutputTopic(topic, Serdes.string(), Serdes.long()).readKeyValuesToList();
}

describe('split() and branch()', () => {
  it('sends each record to the first matching branch, the rest to the default branch', () => {
    const { builder, input } = numbers();
    const branches = input
      .split({ name: 'size-' })
      .branch((_, v) => v > 100, { name: 'large' })
      .branch((_, v) => v > 10, { name: 'medium' })
      .defaultBranch({ name: 'small' });
    expect(Object.keys(branches)).toEqual(['size-large', 'size-medium', 'size-small']);
    branches['size-large']!.to('large');
    branches['size-medium']!.to('medium');
    branches['size-small']!.to('small');
    driver = driverFor(builder.build());
    const in_ = driver.createInputTopic('input', Serdes.string(), Serdes.long());
    in_.pipeKeyValueList([
      { key: 'a', value: 500 },
      { key: 'b', value: 50 },
      { key: 'c', value: 5 },
      { key: 'd', value: 101 },
    ]);
    expect(readAll('large')).toEqual([
      { key: 'a', value: 500 },
      { key: 'd', value: 101 },
    ]);
    expect(readAll('medium')).toEqual([{ key: 'b', value: 50 }]);
    expect(readAll('small')).toEqual([{ key: 'c', value: 5 }]);
  });

  it('drops unmatched records with noDefaultBranch()', () => {
    const { builder, input } = numbers();
    const branches = input
      .split({ name: 's-' })
      .branch((_, v) => v % 2 === 0, { name: 'even' })
      .noDefaultBranch();
    expect(Object.keys(branches)).toEqual(['s-even']);
    branches['s-even']!.to('even');
    driver = driverFor(builder.build());
    driver.createInputTopic('input', Serdes.string(), Serdes.long()).pipeValueList([1, 2, 3, 4]);
    expect(readAll('even').map((r) => r.value)).toEqual([2, 4]);
  });

  it('names unnamed branches by position like Kafka Streams: split name + index, 0 for the default', () => {
    const { input } = numbers();
    const branches = input
      .split()
      .branch((_, v) => v > 0)
      .branch((_, v) => v < 0)
      .defaultBranch();
    expect(Object.keys(branches)).toEqual([
      'KSTREAM-BRANCH-00000000011',
      'KSTREAM-BRANCH-00000000012',
      'KSTREAM-BRANCH-00000000010',
    ]);
  });

  it('applies a branch chain; a chain returning nothing leaves the branch out of the result', () => {
    const { builder, input } = numbers();
    const branches = input
      .split({ name: 'c-' })
      .branch((_, v) => v > 0, { name: 'pos', chain: (s) => s.mapValues((v) => v * 10) })
      .branch((_, v) => v < 0, {
        name: 'neg',
        chain: (s) => {
          s.to('negatives');
        },
      })
      .defaultBranch({ name: 'zero' });
    expect(Object.keys(branches).sort()).toEqual(['c-pos', 'c-zero']);
    branches['c-pos']!.to('positives', { value: Serdes.long() });
    driver = driverFor(builder.build());
    driver.createInputTopic('input', Serdes.string(), Serdes.long()).pipeKeyValueList([
      { key: 'p', value: 2 },
      { key: 'n', value: -3 },
    ]);
    expect(readAll('positives')).toEqual([{ key: 'p', value: 20 }]);
    expect(readAll('negatives')).toEqual([{ key: 'n', value: -3 }]);
  });

  it('rejects duplicate branch names and a split that is already finished', () => {
    const { input } = numbers();
    const split = input.split({ name: 'dup-' }).branch(() => true, { name: 'x' });
    expect(() => split.branch(() => true, { name: 'x' })).toThrow(/two branches are named "dup-x"/);
    split.noDefaultBranch();
    expect(() => split.branch(() => true, { name: 'y' })).toThrow(TopologyError);
  });
});

describe('merge()', () => {
  it('interleaves two streams in processing order', () => {
    const builder = new StreamsBuilder();
    const clicks = builder.stream('clicks', { key: Serdes.string(), value: Serdes.long() });
    const views = builder.stream('views', { key: Serdes.string(), value: Serdes.long() });
    clicks.merge(views).to('all');
    driver = driverFor(builder.build());
    const c = driver.createInputTopic('clicks', Serdes.string(), Serdes.long());
    const v = driver.createInputTopic('views', Serdes.string(), Serdes.long());
    c.pipeInput('c1', 1, 10);
    v.pipeInput('v1', 2, 5);
    c.pipeInput('c2', 3, 20);
    const out = driver.createOutputTopic('all', Serdes.string(), Serdes.long()).readRecordsToList();
    expect(out).toEqual([
      { key: 'c1', value: 1, timestamp: 10 },
      { key: 'v1', value: 2, timestamp: 5 },
      { key: 'c2', value: 3, timestamp: 20 },
    ]);
  });

  it('merges branches of one split back together', () => {
    const { builder, input } = numbers();
    const b = input
      .split({ name: 'm-' })
      .branch((_, v) => v > 0, { name: 'pos' })
      .defaultBranch({ name: 'rest' });
    b['m-pos']!.mapValues((v) => v * 2)
      .merge(b['m-rest']!.mapValues((v) => -v))
      .to('out', { value: Serdes.long() });
    driver = driverFor(builder.build());
    driver.createInputTopic('input', Serdes.string(), Serdes.long()).pipeKeyValueList([
      { key: 'a', value: 3 },
      { key: 'b', value: -4 },
    ]);
    expect(readAll('out')).toEqual([
      { key: 'a', value: 6 },
      { key: 'b', value: 4 },
    ]);
  });

  it('needs a serde again downstream when the merged streams had different serdes', () => {
    const builder = new StreamsBuilder();
    const a = builder.stream('a', { key: Serdes.string(), value: Serdes.string() });
    const b = builder.stream('b', { key: Serdes.string(), value: Serdes.json<string>() });
    a.merge(b).to('out');
    // A configuration error: the driver refuses to start rather than fail (or skip) each record.
    expect(() => driverFor(builder.build())).toThrow(
      /Sink "KSTREAM-SINK-\d+" \(topic out\) has no value serde/,
    );
  });

  it('rejects a stream from another builder', () => {
    const a = new StreamsBuilder().stream('a', { key: Serdes.string(), value: Serdes.string() });
    const b = new StreamsBuilder().stream('b', { key: Serdes.string(), value: Serdes.string() });
    expect(() => a.merge(b)).toThrow(/same StreamsBuilder/);
  });
});
