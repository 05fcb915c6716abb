/**
 * Differential runs: the same cases through the Java oracle and through Tributary, compared
 * record for record (topic, key, value, timestamp and the input that caused it); a case that
 * disagrees is shrunk to the fewest input records that still disagree.
 */
import type { CaseResult, FidelityCase, OutputRecord } from './case.js';
import { runOracle } from './oracle.js';
import { runCase } from './runner.js';

export interface Divergence {
  case: FidelityCase;
  expected: CaseResult;
  actual: CaseResult;
  /** Index of the first differing output record (or -1 when only the errors differ). */
  index: number;
}

const same = (a: OutputRecord | undefined, b: OutputRecord | undefined): boolean =>
  a !== undefined &&
  b !== undefined &&
  a.topic === b.topic &&
  a.key === b.key &&
  a.value === b.value &&
  a.ts === b.ts &&
  a.after === b.after;

/** The first difference between Kafka Streams' result and ours, if any. */
export function firstDifference(expected: CaseResult, actual: CaseResult): number | undefined {
  if ((expected.error === undefined) !== (actual.error === undefined)) return -1;
  if (expected.error !== undefined) return undefined; // both refused the case
  const n = Math.max(expected.records.length, actual.records.length);
  for (let i = 0; i < n; i++) if (!same(expected.records[i], actual.records[i])) return i;
  return undefined;
}

/** Runs every case both ways (one JVM for the batch) and returns those that disagree. */
export function diverging(cases: readonly FidelityCase[]): Divergence[] {
  const expected = runOracle(cases);
  const out: Divergence[] = [];
  cases.forEach((c, i) => {
    const actual = runCase(c);
    const index = firstDifference(expected[i]!, actual);
    if (index !== undefined) out.push({ case: c, expected: expected[i]!, actual, index });
  });
  return out;
}

function without(c: FidelityCase, from: number, count: number): FidelityCase {
  return { ...c, inputs: [...c.inputs.slice(0, from), ...c.inputs.slice(from + count)] };
}

/**
 * Removes input records while the case still disagrees: chunks first, then single records,
 * each round's candidates run as one oracle batch.
 */
export function shrink(d: Divergence): Divergence {
  let best = d;
  for (let chunk = Math.max(1, Math.floor(best.case.inputs.length / 2)); chunk >= 1;) {
    const candidates: FidelityCase[] = [];
    for (let from = 0; from + chunk <= best.case.inputs.length; from += chunk) {
      candidates.push(without(best.case, from, chunk));
    }
    const found = candidates.length === 0 ? [] : diverging(candidates);
    if (found.length > 0) {
      best = found[0]!;
    } else {
      chunk = chunk === 1 ? 0 : Math.floor(chunk / 2);
    }
  }
  return best;
}

function show(r: OutputRecord | undefined): string {
  return r === undefined
    ? '(none)'
    : `${r.topic} key=${JSON.stringify(r.key)} value=${JSON.stringify(r.value)} ts=${r.ts} after input #${r.after}`;
}

/** A report a person can act on: topology, inputs, first differing record, both outputs. */
export function describeDivergence(d: Divergence): string {
  const lines = [`case ${d.case.name}`, 'topology:'];
  for (const n of d.case.nodes) lines.push(`  ${JSON.stringify(n)}`);
  lines.push('inputs:');
  d.case.inputs.forEach((r, i) =>
    lines.push(`  #${i} ${r.topic} key=${JSON.stringify(r.key)} value=${JSON.stringify(r.value)} ts=${r.ts}`),
  );
  if (d.index < 0) {
    lines.push(
      `Kafka Streams error: ${d.expected.error ?? '(none)'}`,
      `Tributary error: ${d.actual.error ?? '(none)'}`,
    );
  } else {
    lines.push(`first difference at output #${d.index}:`);
    lines.push(`  Kafka Streams: ${show(d.expected.records[d.index])}`);
    lines.push(`  Tributary:     ${show(d.actual.records[d.index])}`);
    if (d.actual.error !== undefined) lines.push(`  Tributary error: ${d.actual.error}`);
  }
  lines.push('Kafka Streams output:', ...d.expected.records.map((r) => `  ${show(r)}`));
  lines.push('Tributary output:', ...d.actual.records.map((r) => `  ${show(r)}`));
  return lines.join('\n');
}
