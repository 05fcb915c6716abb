import { afterEach, describe, expect, it } from 'vitest';
import { Serdes, StreamsBuilder, type Topology } from '../../../src/index.js';
import type { TopologyTestDriver } from '../../../src/testing/index.js';
import { driverFor, stringStream } from './support/harness.js';

let driver: TopologyTestDriver | undefined;
afterEach(() => driver?.close());

/** Operators that may change a type drop the serde (as Kafka Streams does), so sinks fall back to these defaults. */
function run(topology: Topology) {
  driver = driverFor(topology, { defaultKeySerde: Serdes.string(), defaultValueSerde: Serdes.string() });
  return {
    input: driver.createInputTopic('input', Serdes.string(), Serdes.string()),
    output: driver.createOutputTopic('output', Serdes.string(), Serdes.string()),
  };
}

describe('KStream stateless operators', () => {
  it('filter keeps matching records and filterNot drops them, keeping timestamps', () => {
    const { builder, input } = stringStream();
    input.filter((_, v) => v.startsWith('a')).to('output');
    input.filterNot((_, v) => v.startsWith('a')).to('others');
    const { input: in_, output } = run(builder.build());
    const others = driver!.createOutputTopic('others', Serdes.string(), Serdes.string());
    in_.pipeInput('k1', 'apple', 10);
    in_.pipeInput('k2', 'banana', 20);
    in_.pipeInput('k3', 'avocado', 30);
    expect(output.readRecordsToList()).toEqual([
      { key: 'k1', value: 'apple', timestamp: 10 },
      { key: 'k3', value: 'avocado', timestamp: 30 },
    ]);
    expect(others.readRecordsToList()).toEqual([{ key: 'k2', value: 'banana', timestamp: 20 }]);
  });

  it('map replaces key and value; the sink serdes come from to()', () => {
    const { builder, input } = stringStream();
    input
      .map((k, v) => [v.length, `${k}:${v}`])
      .to('output', { key: Serdes.int32(), value: Serdes.string() });
    driver = driverFor(builder.build());
    const in_ = driver.createInputTopic('input', Serdes.string(), Serdes.string());
    const output = driver.createOutputTopic('output', Serdes.int32(), Serdes.string());
    in_.pipeInput('a', 'xyz', 5);
    expect(output.readRecord()).toEqual({ key: 3, value: 'a:xyz', timestamp: 5 });
  });

  it('mapValues keeps the key and the source key serde', () => {
    const { builder, input } = stringStream();
    input.mapValues((v, k) => ({ upper: v.toUpperCase(), k })).to('output', { value: Serdes.json() });
    driver = driverFor(builder.build());
    const in_ = driver.createInputTopic('input', Serdes.string(), Serdes.string());
    const output = driver.createOutputTopic(
      'output',
      Serdes.string(),
      Serdes.json<{ upper: string; k: string }>(),
    );
    in_.pipeInput('key', 'hi', 1);
    expect(output.readKeyValue()).toEqual({ key: 'key', value: { upper: 'HI', k: 'key' } });
  });

  it('flatMap emits zero or more records per input, in order, with the input timestamp', () => {
    const { builder, input } = stringStream();
    input
      .flatMap((k, v) =>
        v
          .split(',')
          .filter((p) => p !== '')
          .map((part, i): [string, string] => [`${k}${i}`, part]),
      )
      .to('output');
    const { input: in_, output } = run(builder.build());
    in_.pipeInput('k', 'a,b,c', 7);
    in_.pipeInput('e', '', 8);
    expect(output.readRecordsToList()).toEqual([
      { key: 'k0', value: 'a', timestamp: 7 },
      { key: 'k1', value: 'b', timestamp: 7 },
      { key: 'k2', value: 'c', timestamp: 7 },
    ]);
  });

  it('flatMapValues accepts any iterable, e.g. a generator', () => {
    const { builder, input } = stringStream();
    input
      .flatMapValues(function* (v) {
        for (const ch of v) yield ch;
      })
      .to('output');
    const { input: in_, output } = run(builder.build());
    in_.pipeInput('k', 'ab', 1);
    expect(output.readKeyValuesToList()).toEqual([
      { key: 'k', value: 'a' },
      { key: 'k', value: 'b' },
    ]);
  });

  it('selectKey replaces only the key', () => {
    const { builder, input } = stringStream();
    input.selectKey((_, v) => v.slice(0, 1)).to('output');
    const { input: in_, output } = run(builder.build());
    in_.pipeInput('orig', 'xylophone', 3);
    expect(output.readRecord()).toEqual({ key: 'x', value: 'xylophone', timestamp: 3 });
  });

  it('peek sees every record and passes it on; foreach is terminal', () => {
    const seen: string[] = [];
    const each: string[] = [];
    const { builder, input } = stringStream();
    const peeked = input.peek((k, v) => seen.push(`${k}=${v}`));
    peeked.to('output');
    peeked.foreach((k, v) => each.push(`${k}/${v}`));
    const { input: in_, output } = run(builder.build());
    in_.pipeInput('a', '1', 0);
    in_.pipeInput('b', '2', 0);
    expect(seen).toEqual(['a=1', 'b=2']);
    expect(each).toEqual(['a/1', 'b/2']);
    expect(output.getQueueSize()).toBe(2);
  });

  it('passes null keys and null values through stateless operators (Kafka semantics)', () => {
    const { builder, input } = stringStream();
    input
      .filter(() => true)
      .mapValues((v) => (v === null ? 'was-null' : v))
      .to('output');
    const { input: in_, output } = run(builder.build());
    in_.pipeInput(null, 'no-key', 1);
    in_.pipeInput('k', null, 2);
    expect(output.readRecordsToList()).toEqual([
      { key: null, value: 'no-key', timestamp: 1 },
      { key: 'k', value: 'was-null', timestamp: 2 },
    ]);
  });

  it('writes to a topic chosen per record by a TopicNameExtractor, which sees the source topic', () => {
    const { builder, input } = stringStream();
    const contexts: (string | undefined)[] = [];
    input.to((key, _value, ctx) => {
      contexts.push(ctx.topic);
      return key === 'x' ? 'out-x' : 'out-other';
    });
    driver = driverFor(builder.build());
    const in_ = driver.createInputTopic('input', Serdes.string(), Serdes.string());
    in_.pipeInput('x', '1', 1);
    in_.pipeInput('y', '2', 2);
    expect(driver.createOutputTopic('out-x', Serdes.string(), Serdes.string()).readKeyValuesToList()).toEqual(
      [{ key: 'x', value: '1' }],
    );
    expect(
      driver.createOutputTopic('out-other', Serdes.string(), Serdes.string()).readKeyValuesToList(),
    ).toEqual([{ key: 'y', value: '2' }]);
    expect(contexts).toEqual(['input', 'input']);
  });

  it('calls a custom partitioner with the topic, key, value and partition count', () => {
    const calls: unknown[][] = [];
    const { builder, input } = stringStream();
    input.to('output', {
      partitioner: (topic, key, value, n) => {
        calls.push([topic, key, value, n]);
        return 0;
      },
    });
    const { input: in_, output } = run(builder.build());
    in_.pipeInput('k', 'v', 1);
    expect(calls).toEqual([['output', 'k', 'v', 1]]);
    expect(output.getQueueSize()).toBe(1);
  });

  it('passes headers through a chain of operators unchanged', () => {
    const { builder, input } = stringStream();
    input
      .filter(() => true)
      .mapValues((v) => v + '!')
      .selectKey((k) => k + '?')
      .flatMapValues((v) => [v])
      .to('output');
    const { input: in_, output } = run(builder.build());
    in_.pipeRecord({
      key: 'k',
      value: 'v',
      timestamp: 4,
      headers: { trace: 'abc', bin: Buffer.from([1, 2]) },
    });
    expect(output.readRecord()).toEqual({
      key: 'k?',
      value: 'v!',
      timestamp: 4,
      headers: { trace: 'abc', bin: Buffer.from([1, 2]) },
    });
  });

  it('reads several topics into one stream', () => {
    const builder = new StreamsBuilder();
    builder.stream(['a', 'b'], { key: Serdes.string(), value: Serdes.string() }).to('output');
    driver = driverFor(builder.build());
    const output = driver.createOutputTopic('output', Serdes.string(), Serdes.string());
    driver.createInputTopic('a', Serdes.string(), Serdes.string()).pipeInput('1', 'from-a', 1);
    driver.createInputTopic('b', Serdes.string(), Serdes.string()).pipeInput('2', 'from-b', 2);
    expect(output.readValuesToList()).toEqual(['from-a', 'from-b']);
  });

  it('uses a timestampExtractor for event time, given the record and the partition time', () => {
    const builder = new StreamsBuilder();
    const partitionTimes: number[] = [];
    builder
      .stream('input', {
        key: Serdes.string(),
        value: Serdes.json<{ at: number }>(),
        timestampExtractor: (record, partitionTime) => {
          partitionTimes.push(partitionTime);
          return (record.value as { at: number }).at;
        },
      })
      .mapValues((v) => v.at)
      .to('output', { value: Serdes.long() });
    driver = driverFor(builder.build());
    const in_ = driver.createInputTopic('input', Serdes.string(), Serdes.json<{ at: number }>());
    const output = driver.createOutputTopic('output', Serdes.string(), Serdes.long());
    in_.pipeInput('k', { at: 5_000 }, 1);
    in_.pipeInput('k', { at: 3_000 }, 2);
    expect(output.readRecordsToList().map((r) => r.timestamp)).toEqual([5_000, 3_000]);
    expect(partitionTimes).toEqual([-1, 5_000]);
  });

  it('drops records whose extracted timestamp is negative', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('input', {
        key: Serdes.string(),
        value: Serdes.string(),
        timestampExtractor: (r) => (r.value === 'bad' ? -1 : r.timestamp),
      })
      .to('output');
    const { input: in_, output } = run(builder.build());
    in_.pipeInput('k', 'bad', 1);
    in_.pipeInput('k', 'good', 2);
    expect(output.readValuesToList()).toEqual(['good']);
  });

  it('repartition() routes through <applicationId>-<name>-repartition and keeps serdes', () => {
    const { builder, input } = stringStream();
    input
      .selectKey((_, v) => v)
      .repartition({ name: 'by-value', numberOfPartitions: 4, key: Serdes.string() })
      .to('output');
    const { input: in_, output } = run(builder.build());
    in_.pipeInput('k', 'v1', 1);
    in_.pipeInput(null, 'v2', 2);
    expect(output.readRecordsToList()).toEqual([
      { key: 'v1', value: 'v1', timestamp: 1 },
      { key: 'v2', value: 'v2', timestamp: 2 },
    ]);
    expect(driver!.producedTopicNames()).toContain('app-by-value-repartition');
  });

  it('repartition() drops records with a null key, as they cannot be partitioned', () => {
    const { builder, input } = stringStream();
    input.repartition({ name: 'r' }).to('output');
    const { input: in_, output } = run(builder.build());
    in_.pipeInput(null, 'dropped', 1);
    in_.pipeInput('k', 'kept', 2);
    expect(output.readValuesToList()).toEqual(['kept']);
  });
});
