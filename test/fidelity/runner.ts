/**
 * Builds a fidelity case's topology with Tributary's DSL and runs its inputs through Tributary's
 * TopologyTestDriver, recording outputs exactly as the Java oracle does.
 */
import {
  EmitStrategy,
  JoinWindows,
  Serdes,
  SessionWindows,
  SlidingWindows,
  StreamsBuilder,
  Suppressed,
  BufferConfig,
  TimeWindows,
} from '../../src/index.js';
import type { GlobalKTable, KStream, KTable, Topology, Windowed } from '../../src/index.js';
import { TopologyTestDriver } from '../../src/testing/index.js';
import type { CaseResult, FidelityCase, OpNode, OutputRecord, WindowSpec } from './case.js';
import * as fns from './fns.js';
import * as processing from './runner-processing.js';

type Str = string | null;
type Built = KStream<any, any> | KTable<any, any> | GlobalKTable<any, any>;

const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {}, child: () => silent };

function isTable(x: Built): x is KTable<any, any> {
  return typeof (x as KTable<any, any>).toStream === 'function';
}
function isStream(x: Built): x is KStream<any, any> {
  return typeof (x as KStream<any, any>).selectKey === 'function';
}

function windowedKey(wk: Windowed<Str>): string {
  return `${wk.key}@${wk.window.start}/${wk.window.end}`;
}

function windowedBy(grouped: any, w: WindowSpec): any {
  switch (w.kind) {
    case 'session':
      return grouped.windowedBy(SessionWindows.ofInactivityGapAndGrace(w.gap, w.grace));
    case 'sliding':
      return grouped.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(w.size, w.grace));
    case 'hopping':
      return grouped.windowedBy(TimeWindows.ofSizeAndGrace(w.size, w.grace).advanceBy(w.advance));
    case 'tumbling':
      return grouped.windowedBy(TimeWindows.ofSizeAndGrace(w.size, w.grace));
  }
}

const countToString = (t: KTable<any, number>): KTable<any, string> => t.mapValues((v) => String(v));

class CaseBuilder {
  readonly builder = new StreamsBuilder();
  private readonly nodes = new Map<string, Built>();

  private get(id: string): Built {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`unknown node ${id}`);
    return node;
  }
  private stream(id: string): KStream<Str, Str> {
    const node = this.get(id);
    if (!isStream(node)) throw new Error(`${id} is not a stream`);
    return node;
  }
  private table(id: string): KTable<Str, Str> {
    const node = this.get(id);
    if (!isTable(node)) throw new Error(`${id} is not a table`);
    return node;
  }

  add(n: OpNode): void {
    if (n.op === 'split') {
      for (const [id, branch] of processing.split(n, this.stream(n.from))) this.nodes.set(id, branch);
      return;
    }
    const built = this.build(n);
    if ('id' in n && built !== undefined) this.nodes.set(n.id, built);
  }

  private build(n: OpNode): Built | undefined {
    const strings = { key: Serdes.string(), value: Serdes.string() };
    switch (n.op) {
      case 'stream':
        return this.builder.stream<Str, Str>(n.topic, strings as any);
      case 'table':
        return this.builder.table<Str, Str>(n.topic, strings as any);
      case 'globalTable':
        return this.builder.globalTable<Str, Str>(n.topic, strings as any);
      case 'filter':
      case 'filterNot': {
        const from = this.get(n.from);
        const p = fns.predicate(n.fn);
        return isTable(from) ? from[n.op](p) : this.stream(n.from)[n.op](p);
      }
      case 'mapValues': {
        const from = this.get(n.from);
        const m = fns.valueMapper(n.fn);
        return isTable(from) ? from.mapValues(m) : this.stream(n.from).mapValues(m);
      }
      case 'map':
        return this.stream(n.from).map(fns.keyValueMapper(n.fn));
      case 'selectKey':
        return this.stream(n.from).selectKey(fns.keySelector(n.fn));
      case 'flatMapValues': {
        const values = fns.valuesOf(n.fn);
        return this.stream(n.from).flatMapValues((v) => values(v));
      }
      case 'flatMap':
        return this.stream(n.from).flatMap(fns.pairsOf(n.fn));
      case 'merge':
        return this.stream(n.from).merge(this.stream(n.other));
      case 'repartition':
        return this.stream(n.from).repartition();
      case 'toTable':
        return this.stream(n.from).toTable();
      case 'toStream':
        return n.windowed
          ? (this.get(n.from) as KTable<Windowed<Str>, unknown>)
              .toStream()
              .map((wk, v) => [windowedKey(wk), v === null ? null : String(v)])
          : this.table(n.from).toStream();
      case 'suppress':
        return this.table(n.from).suppress(
          n.until === 'windowCloses'
            ? Suppressed.untilWindowCloses(BufferConfig.unbounded())
            : Suppressed.untilTimeLimit(n.ms ?? 0, BufferConfig.unbounded()),
        );
      case 'count':
      case 'reduce':
      case 'aggregate':
        return this.aggregate(n);
      case 'join':
      case 'leftJoin':
      case 'outerJoin':
        return this.join(n);
      case 'split':
        return undefined;
      case 'peek':
        return this.stream(n.from).peek(() => {});
      case 'processValues':
        return processing.processValues(n, this.stream(n.from));
      case 'punctuate':
        return processing.punctuate(n, this.stream(n.from), this.builder);
      case 'to':
        this.stream(n.from).to(n.topic, { key: Serdes.string(), value: Serdes.string() } as any);
        return undefined;
    }
  }

  private aggregate(n: Extract<OpNode, { op: 'count' | 'reduce' | 'aggregate' }>): Built {
    const from = this.get(n.from);
    if (isTable(from)) {
      const grouped = from.groupBy(
        fns.keyValueMapper(n.group!) as any,
        {
          key: Serdes.string(),
          value: Serdes.string(),
        } as any,
      ) as any;
      if (n.op === 'count') return countToString(grouped.count());
      if (n.op === 'reduce') return grouped.reduce(fns.add, fns.subtract);
      return grouped.aggregate(
        () => '',
        (_k: Str, v: Str, a: string) => fns.add(a, v),
        (_k: Str, v: Str, a: string) => fns.subtract(a, v),
      );
    }
    const s = this.stream(n.from);
    const serdes = { key: Serdes.string(), value: Serdes.string() } as any;
    const grouped: any =
      n.group === undefined ? s.groupByKey(serdes) : s.groupBy(fns.keySelector(n.group), serdes);
    let target = n.window === undefined ? grouped : windowedBy(grouped, n.window);
    if (n.window !== undefined && n.emit === 'close')
      target = target.emitStrategy(EmitStrategy.onWindowClose());
    if (n.op === 'count') return n.window === undefined ? countToString(target.count()) : target.count();
    if (n.op === 'reduce') return target.reduce(fns.add);
    const aggregator = (_k: Str, v: Str, a: string) => fns.add(a, v);
    if (n.window?.kind === 'session') {
      return target.aggregate(
        () => '',
        aggregator,
        (_k: Str, a: string, b: string) => fns.merge(a, b),
      );
    }
    return target.aggregate(() => '', aggregator);
  }

  private join(n: Extract<OpNode, { op: 'join' | 'leftJoin' | 'outerJoin' }>): Built {
    const self = this.get(n.from);
    const other = this.get(n.other);
    const joiner = fns.join;
    if (isStream(self)) {
      if (!isTable(other) && !isStream(other)) {
        const selector = fns.keySelector(n.fk!);
        const op = n.op === 'join' ? 'join' : 'leftJoin';
        return (self as any)[op](other, selector, joiner);
      }
      if (isTable(other)) return n.op === 'join' ? self.join(other, joiner) : self.leftJoin(other, joiner);
      const w = n.window!;
      const windows = JoinWindows.ofTimeDifferenceAndGrace(w.before, w.grace).after(w.after);
      return (self as any)[n.op](other, joiner, windows);
    }
    const t = this.table(n.from) as KTable<any, any>;
    const o = this.table(n.other) as KTable<any, any>;
    if (n.fk !== undefined) {
      const selector = fns.keySelector(n.fk);
      const extractor = (v: Str) => selector(null, v);
      return n.op === 'join' ? t.join(o, extractor, joiner) : t.leftJoin(o, extractor, joiner);
    }
    return (t as any)[n.op](o, joiner);
  }
}

/** Builds the case's topology with Tributary's DSL. */
export function buildTopology(c: FidelityCase): Topology {
  const b = new CaseBuilder();
  for (const node of c.nodes) b.add(node);
  return b.builder.build({ defaultKeySerde: Serdes.string(), defaultValueSerde: Serdes.string() });
}

/** Runs one case through Tributary's TopologyTestDriver. */
export function runCase(c: FidelityCase): CaseResult {
  const records: OutputRecord[] = [];
  let driver: TopologyTestDriver | undefined;
  try {
    driver = new TopologyTestDriver(
      buildTopology(c),
      {
        applicationId: 'fidelity',
        defaultKeySerde: Serdes.string(),
        defaultValueSerde: Serdes.string(),
        logger: silent as any,
      },
      0,
    );
    const d = driver;
    const inputs = new Map<string, ReturnType<typeof d.createInputTopic<Str, Str>>>();
    const outputs = c.outputs.map((topic) => ({
      topic,
      reader: d.createOutputTopic<Str, Str>(topic, Serdes.string() as any, Serdes.string() as any, {
        tombstones: true,
      }),
    }));
    c.inputs.forEach((input, after) => {
      let topic = inputs.get(input.topic);
      if (topic === undefined) {
        topic = d.createInputTopic<Str, Str>(input.topic, Serdes.string() as any, Serdes.string() as any);
        inputs.set(input.topic, topic);
      }
      if (input.advanceWallClock !== undefined) d.advanceWallClockTime(input.advanceWallClock);
      topic.pipeInput(input.key, input.value, input.ts);
      for (const { topic: name, reader } of outputs) {
        for (const r of reader.readRecordsToList()) {
          records.push({ topic: name, key: r.key, value: r.value, ts: r.timestamp, after });
        }
      }
    });
  } catch (error) {
    return {
      name: c.name,
      records,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  } finally {
    try {
      driver?.close();
    } catch {
      // A driver that failed mid-case may not close cleanly; the case's error already says why.
    }
  }
  return { name: c.name, records };
}
