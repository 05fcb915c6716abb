import { describe, expect, it } from 'vitest';
import { Serdes, StreamsBuilder } from '../../../src/index.js';

function names(builder: StreamsBuilder): string[] {
  return builder
    .build()
    .describe()
    .subtopologies.flatMap((s) => s.nodes.map((n) => n.name));
}

describe('generated names', () => {
  it('are positional and deterministic, like Kafka Streams', () => {
    const build = () => {
      const b = new StreamsBuilder();
      b.stream('input', { key: Serdes.string(), value: Serdes.string() })
        .filter(() => true)
        .mapValues((v) => v)
        .peek(() => undefined)
        .to('output');
      return names(b);
    };
    expect(build()).toEqual([
      'KSTREAM-SOURCE-0000000000',
      'KSTREAM-FILTER-0000000001',
      'KSTREAM-MAPVALUES-0000000002',
      'KSTREAM-PEEK-0000000003',
      'KSTREAM-SINK-0000000004',
    ]);
    expect(build()).toEqual(build());
  });

  it('use the Kafka Streams prefix of every operator', () => {
    const b = new StreamsBuilder();
    const s = b.stream('input', { key: Serdes.string(), value: Serdes.string() });
    s.filterNot(() => false)
      .map((k, v) => [k, v] as const)
      .flatMap((k, v) => [[k, v] as const])
      .flatMapValues((v) => [v])
      .selectKey((k) => k)
      .merge(s)
      .processValues(() => ({ process: () => undefined }))
      .process(() => ({ process: () => undefined }))
      .foreach(() => undefined);
    s.toTable().toStream().to('out');
    const all = names(b);
    for (const prefix of [
      'KSTREAM-FILTER-',
      'KSTREAM-MAP-',
      'KSTREAM-FLATMAP-',
      'KSTREAM-FLATMAPVALUES-',
      'KSTREAM-KEY-SELECT-',
      'KSTREAM-MERGE-',
      'KSTREAM-PROCESSVALUES-',
      'KSTREAM-PROCESSOR-',
      'KSTREAM-FOREACH-',
      'KSTREAM-TOTABLE-',
      'KTABLE-TOSTREAM-',
      'KSTREAM-SINK-',
    ]) {
      expect(
        all.some((n) => new RegExp(`^${prefix}\\d{10}$`).test(n)),
        prefix,
      ).toBe(true);
    }
  });

  it('{ name } pins the processor name, and for aggregations the store and changelog name too', () => {
    const b = new StreamsBuilder();
    b.stream('input', { key: Serdes.string(), value: Serdes.string() })
      .mapValues((v) => v.length, { name: 'lengths' })
      .groupByKey({ name: 'grouped' })
      .count({ name: 'counted' })
      .toStream({ name: 'as-stream' })
      .to('out', { name: 'write-out' });
    const topology = b.build();
    const nodes = topology.describe().subtopologies[0]!.nodes;
    expect(nodes.map((n) => n.name)).toEqual([
      'KSTREAM-SOURCE-0000000000',
      'lengths',
      'counted',
      'as-stream',
      'write-out',
    ]);
    expect(nodes.find((n) => n.name === 'counted')!.stores).toEqual(['counted']);
  });

  it('table operators use KTABLE- prefixes', () => {
    const b = new StreamsBuilder();
    b.table('t', { key: Serdes.string(), value: Serdes.string() })
      .filter(() => true)
      .mapValues((v) => v)
      .groupBy((k, v) => [k, v] as const, { key: Serdes.string(), value: Serdes.string() })
      .reduce(
        (a) => a,
        (a) => a,
      );
    expect(names(b)).toEqual([
      'KSTREAM-SOURCE-0000000000',
      'KTABLE-SOURCE-0000000001',
      'KTABLE-FILTER-0000000002',
      'KTABLE-MAPVALUES-0000000003',
      'KTABLE-SELECT-0000000004',
      'KTABLE-REDUCE-STATE-STORE-0000000006-repartition-filter',
      'KTABLE-REDUCE-STATE-STORE-0000000006-repartition-sink',
      'KTABLE-REDUCE-STATE-STORE-0000000006-repartition-source',
      'KTABLE-REDUCE-0000000005',
    ]);
  });
});

describe('describe()', () => {
  it('prints sub-topologies like Kafka Streams (nodes by sub-tree size, then name)', () => {
    const b = new StreamsBuilder();
    const s = b.stream('input', { key: Serdes.string(), value: Serdes.string() });
    s.filter((_, v) => v !== '')
      .mapValues((v) => v.length)
      .to('lengths', { value: Serdes.long() });
    s.groupBy((_, v) => v, { key: Serdes.string(), name: 'by-value' })
      .count({ name: 'counts' })
      .toStream()
      .to('counts', { value: Serdes.long() });
    b.globalTable('products', {
      key: Serdes.string(),
      value: Serdes.json(),
      materialized: { storeName: 'products' },
    });
    expect(b.build().describe().toString()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input])',
        '      --> KSTREAM-FILTER-0000000001, KSTREAM-KEY-SELECT-0000000004',
        '    Processor: KSTREAM-FILTER-0000000001 (stores: [])',
        '      --> KSTREAM-MAPVALUES-0000000002',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Processor: KSTREAM-KEY-SELECT-0000000004 (stores: [])',
        '      --> by-value-repartition-filter',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Processor: KSTREAM-MAPVALUES-0000000002 (stores: [])',
        '      --> KSTREAM-SINK-0000000003',
        '      <-- KSTREAM-FILTER-0000000001',
        '    Processor: by-value-repartition-filter (stores: [])',
        '      --> by-value-repartition-sink',
        '      <-- KSTREAM-KEY-SELECT-0000000004',
        '    Sink: KSTREAM-SINK-0000000003 (topic: lengths)',
        '      <-- KSTREAM-MAPVALUES-0000000002',
        '    Sink: by-value-repartition-sink (topic: by-value-repartition)',
        '      <-- by-value-repartition-filter',
        '',
        '   Sub-topology: 1',
        '    Source: by-value-repartition-source (topics: [by-value-repartition])',
        '      --> counts',
        '    Processor: counts (stores: [counts])',
        '      --> KTABLE-TOSTREAM-0000000005',
        '      <-- by-value-repartition-source',
        '    Processor: KTABLE-TOSTREAM-0000000005 (stores: [])',
        '      --> KSTREAM-SINK-0000000006',
        '      <-- counts',
        '    Sink: KSTREAM-SINK-0000000006 (topic: counts)',
        '      <-- KTABLE-TOSTREAM-0000000005',
        '',
        '   Sub-topology: 2 for global store (will not generate tasks)',
        '    Source: KSTREAM-SOURCE-0000000007 (topics: [products])',
        '      --> KTABLE-SOURCE-0000000008',
        '    Processor: KTABLE-SOURCE-0000000008 (stores: [products])',
        '      --> none',
        '      <-- KSTREAM-SOURCE-0000000007',
        '',
      ].join('\n'),
    );
  });

  it('exposes the same structure as data, and a dynamic sink topic as <dynamic>', () => {
    const b = new StreamsBuilder();
    b.stream('input', { key: Serdes.string(), value: Serdes.string() }).to((k) => `out-${k}`, {
      name: 'router',
    });
    const d = b.build().describe();
    expect(d.subtopologies).toHaveLength(1);
    expect(d.globalStores).toEqual([]);
    expect(d.subtopologies[0]!.nodes[1]).toEqual({
      name: 'router',
      type: 'sink',
      topics: ['<dynamic>'],
      stores: [],
      predecessors: ['KSTREAM-SOURCE-0000000000'],
      successors: [],
    });
  });

  it('toMermaid() draws sub-topologies, topics, stores and edges', () => {
    const b = new StreamsBuilder();
    b.stream('in', { key: Serdes.string(), value: Serdes.string() })
      .groupByKey()
      .count({ name: 'counts' })
      .toStream()
      .to('out');
    const mermaid = b.build().describe().toMermaid();
    expect(mermaid.split('\n')[0]).toBe('flowchart TD');
    expect(mermaid).toContain('subgraph sub0["Sub-topology 0"]');
    expect(mermaid).toContain('topic_in --> KSTREAM_SOURCE_0000000000');
    expect(mermaid).toContain('counts -.- store_counts');
    expect(mermaid).toContain('store_counts[("counts")]');
    expect(mermaid).toContain('KSTREAM_SINK_0000000002 --> topic_out');
  });
});
