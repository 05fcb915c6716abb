/**
 * A seeded generator of fidelity cases: random topologies from a few families (stateless chains,
 * aggregations, windows, suppression, table re-aggregation, every join kind) and inputs meant to
 * find edge cases: out-of-order and late timestamps, tombstones, null keys, duplicate keys and
 * few keys (so windows hold many records and sessions merge).
 */
import type { FidelityCase, InputRecord, JoinWindowSpec, OpNode, WindowSpec } from './case.js';

/** A small deterministic PRNG (mulberry32): the same seed gives the same cases everywhere. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}

export const FAMILIES = [
  'stateless',
  'aggregate',
  'windowed',
  'table',
  'regroup',
  'streamTableJoin',
  'globalJoin',
  'streamStreamJoin',
  'tableTableJoin',
  'foreignKeyJoin',
] as const;
/**
 * Families drawn only when asked for (`generateCase(seed, PROCESSING_FAMILIES)`), so adding them
 * left every seed of the families above generating the case it always did.
 */
export const PROCESSING_FAMILIES = ['processing'] as const;
export const ALL_FAMILIES = [...FAMILIES, ...PROCESSING_FAMILIES] as const;
export type Family = (typeof ALL_FAMILIES)[number];

const STREAM_PREDICATES = ['vHas:a', 'vHas:b', 'kIs:a', 'vNull'];
const VALUE_MAPPERS = ['upper', 'suffix:z', 'withKey'];
const KEY_SELECTORS = ['vFirst', 'kFirst', 'kSuffix'];
const KV_MAPPERS = ['swap', 'vFirstKey', 'kFirstKey'];

class CaseWriter {
  readonly nodes: OpNode[] = [];
  readonly sources: { topic: string; table: boolean }[] = [];
  private count = 0;
  constructor(readonly r: Random) {}

  id(): string {
    return `n${this.count++}`;
  }
  source(op: 'stream' | 'table' | 'globalTable'): string {
    const topic = `in${this.sources.length}`;
    this.sources.push({ topic, table: op !== 'stream' });
    return this.add({ id: this.id(), op, topic });
  }
  add(node: OpNode): string {
    this.nodes.push(node);
    return 'id' in node ? node.id : '';
  }
  /** 0–`max` random stateless stream ops; `keyChanging` allows ops that change the key. */
  statelessChain(from: string, max: number, keyChanging: boolean): string {
    let at = from;
    for (let i = this.r.int(0, max); i > 0; i--) {
      const ops = [
        'filter',
        'filterNot',
        'mapValues',
        'flatMapValues',
        ...(keyChanging ? ['map', 'selectKey', 'flatMap'] : []),
      ];
      const op = this.r.pick(ops);
      const fn =
        op === 'filter' || op === 'filterNot'
          ? this.r.pick(STREAM_PREDICATES)
          : op === 'mapValues'
            ? this.r.pick(VALUE_MAPPERS)
            : op === 'map'
              ? this.r.pick(KV_MAPPERS)
              : op === 'selectKey'
                ? this.r.pick(KEY_SELECTORS)
                : 'chars';
      at = this.add({ id: this.id(), op, from: at, fn } as OpNode);
    }
    return at;
  }
  /** 0–1 table ops that keep the key. */
  tableChain(from: string): string {
    if (!this.r.chance(0.4)) return from;
    const op = this.r.pick(['filter', 'filterNot', 'mapValues'] as const);
    const fn = op === 'mapValues' ? this.r.pick(VALUE_MAPPERS) : this.r.pick(['vHas:a', 'vHas:b', 'kIs:a']);
    return this.add({ id: this.id(), op, from, fn });
  }
  sink(from: string, windowed = false, table = true): void {
    const stream = table
      ? this.add({ id: this.id(), op: 'toStream', from, ...(windowed ? { windowed } : {}) })
      : from;
    this.add({ op: 'to', from: stream, topic: `out${this.nodes.filter((n) => n.op === 'to').length}` });
  }
  window(): WindowSpec {
    const grace = this.r.pick([0, 0, 5, 20]);
    switch (this.r.pick(['tumbling', 'hopping', 'sliding', 'session'] as const)) {
      case 'tumbling':
        return { kind: 'tumbling', size: this.r.pick([10, 20, 50]), grace };
      case 'hopping': {
        const size = this.r.pick([20, 30, 50]);
        return { kind: 'hopping', size, advance: this.r.pick([5, 10, size]), grace };
      }
      case 'sliding':
        return { kind: 'sliding', size: this.r.pick([5, 10, 30]), grace };
      case 'session':
        return { kind: 'session', gap: this.r.pick([3, 5, 10, 20]), grace };
    }
  }
  joinWindow(): JoinWindowSpec {
    return {
      before: this.r.pick([0, 5, 10, 20]),
      after: this.r.pick([0, 5, 10, 20]),
      grace: this.r.pick([0, 5, 20]),
    };
  }
}

function aggOp(r: Random): 'count' | 'reduce' | 'aggregate' {
  return r.pick(['count', 'reduce', 'aggregate'] as const);
}

function topologyFor(family: Family, w: CaseWriter): void {
  const r = w.r;
  switch (family) {
    case 'stateless': {
      let s = w.statelessChain(w.source('stream'), 3, true);
      if (r.chance(0.3))
        s = w.add({ id: w.id(), op: 'merge', from: s, other: w.statelessChain(w.source('stream'), 1, true) });
      if (r.chance(0.2)) s = w.add({ id: w.id(), op: 'repartition', from: s });
      w.sink(s, false, false);
      return;
    }
    case 'aggregate': {
      const s = w.statelessChain(w.source('stream'), 2, true);
      const group = r.chance(0.4) ? r.pick(KEY_SELECTORS) : undefined;
      const t = w.add({ id: w.id(), op: aggOp(r), from: s, ...(group ? { group } : {}) });
      w.sink(w.tableChain(t));
      return;
    }
    case 'windowed': {
      const s = w.statelessChain(w.source('stream'), 1, false);
      const emit = r.chance(0.25) ? 'close' : 'update';
      let t = w.add({ id: w.id(), op: aggOp(r), from: s, window: w.window(), emit });
      if (emit === 'update' && r.chance(0.3))
        t = w.add({ id: w.id(), op: 'suppress', from: t, until: 'windowCloses' });
      w.sink(t, true);
      return;
    }
    case 'table': {
      const src = r.chance(0.7)
        ? w.source('table')
        : w.add({ id: w.id(), op: 'toTable', from: w.source('stream') });
      let t = w.tableChain(src);
      if (r.chance(0.4))
        t = w.add({ id: w.id(), op: 'suppress', from: t, until: 'timeLimit', ms: r.pick([0, 10, 30]) });
      w.sink(t);
      return;
    }
    case 'regroup': {
      const t = w.tableChain(w.source('table'));
      w.sink(w.add({ id: w.id(), op: aggOp(r), from: t, group: r.pick(['vFirstKey', 'kFirstKey', 'swap']) }));
      return;
    }
    case 'streamTableJoin': {
      const s = w.statelessChain(w.source('stream'), 1, false);
      const t = w.tableChain(w.source('table'));
      w.sink(
        w.add({ id: w.id(), op: r.pick(['join', 'leftJoin'] as const), from: s, other: t }),
        false,
        false,
      );
      return;
    }
    case 'globalJoin': {
      const s = w.source('stream');
      const g = w.source('globalTable');
      const op = r.pick(['join', 'leftJoin'] as const);
      w.sink(w.add({ id: w.id(), op, from: s, other: g, fk: r.pick(['vFirst', 'kFirst']) }), false, false);
      return;
    }
    case 'streamStreamJoin': {
      const a = w.statelessChain(w.source('stream'), 1, false);
      const b = w.statelessChain(w.source('stream'), 1, false);
      const op = r.pick(['join', 'leftJoin', 'outerJoin'] as const);
      w.sink(w.add({ id: w.id(), op, from: a, other: b, window: w.joinWindow() }), false, false);
      return;
    }
    case 'tableTableJoin': {
      const a = w.tableChain(w.source('table'));
      const b = w.tableChain(w.source('table'));
      w.sink(
        w.add({ id: w.id(), op: r.pick(['join', 'leftJoin', 'outerJoin'] as const), from: a, other: b }),
      );
      return;
    }
    case 'processing':
      processingTopology(w);
      return;
    case 'foreignKeyJoin': {
      const a = w.tableChain(w.source('table'));
      const b = w.source('table');
      w.sink(
        w.add({ id: w.id(), op: r.pick(['join', 'leftJoin'] as const), from: a, other: b, fk: 'vFirst' }),
      );
      return;
    }
  }
}

/** Branches, peek, a fixed-key processor and punctuation, each maybe followed by a count. */
function processingTopology(w: CaseWriter): void {
  const r = w.r;
  const s = w.statelessChain(w.source('stream'), 1, false);
  switch (r.pick(['split', 'peek', 'processValues', 'punctuate'] as const)) {
    case 'split': {
      const id = w.id();
      const predicates = Array.from({ length: r.int(1, 2) }, () => r.pick(STREAM_PREDICATES));
      const withDefault = r.chance(0.7);
      w.add({ id, op: 'split', from: s, predicates, withDefault });
      const branches = [...predicates.map((_, i) => `${id}.${i}`), ...(withDefault ? [`${id}.d`] : [])];
      for (const branch of branches) w.sink(w.statelessChain(branch, 1, false), false, false);
      return;
    }
    case 'peek':
      w.sink(w.add({ id: w.id(), op: 'peek', from: s }), false, false);
      return;
    case 'processValues': {
      const p = w.add({ id: w.id(), op: 'processValues', from: s, fn: 'twiceIfA' });
      // A fixed-key processor keeps the key, so a count after it needs no repartition.
      if (r.chance(0.4)) w.sink(w.add({ id: w.id(), op: 'count', from: p }));
      else w.sink(p, false, false);
      return;
    }
    case 'punctuate': {
      const type = r.pick(['streamTime', 'wallClock'] as const);
      const interval = r.pick([5, 10, 20]);
      w.sink(w.add({ id: w.id(), op: 'punctuate', from: s, type, interval }), false, false);
      return;
    }
  }
}

function inputsFor(w: CaseWriter): InputRecord[] {
  const r = w.r;
  const keys = ['a', 'b', 'c', 'd'].slice(0, r.int(1, 4));
  const inputs: InputRecord[] = [];
  let ts = r.int(0, 20);
  for (let i = r.int(4, 24); i > 0; i--) {
    const source = r.pick(w.sources);
    const key = r.chance(0.06) ? null : r.pick(keys);
    const tombstone = r.chance(source.table ? 0.2 : 0.08);
    let value: string | null = null;
    if (!tombstone) {
      value = '';
      for (let n = r.int(1, 3); n > 0; n--) value += r.pick(['a', 'b', 'c']);
    }
    // Mostly forward, sometimes backwards (out of order, possibly behind the grace period), sometimes a jump.
    ts = Math.max(0, ts + (r.chance(0.1) ? r.int(40, 120) : r.int(-12, 15)));
    inputs.push({ topic: source.topic, key, value, ts });
  }
  return inputs;
}

/** One case from a seed; `families` restricts the topology families drawn from. */
export function generateCase(seed: number, families: readonly Family[] = FAMILIES): FidelityCase {
  const w = new CaseWriter(new Random(seed));
  const family = w.r.pick(families);
  topologyFor(family, w);
  const outputs = w.nodes.flatMap((n) => (n.op === 'to' ? [n.topic] : []));
  const inputs = inputsFor(w);
  // Only the processing family moves the wall clock: draws for it would change every other seed.
  if (family === 'processing')
    for (const input of inputs) if (w.r.chance(0.3)) input.advanceWallClock = w.r.pick([1, 5, 10, 25]);
  return { name: `${family}-${seed}`, nodes: w.nodes, inputs, outputs };
}
