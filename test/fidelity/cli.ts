/**
 * `npm run test:fidelity -- --cases N --seed S [--family F,...] [--only S1,S2] [--no-shrink] [--show N]`: generates N cases
 * from seed S, runs them through Kafka Streams and Tributary and prints each divergence shrunk
 * to its smallest disagreeing input. Exit code 1 when any case disagrees.
 */
import { parseArgs } from 'node:util';
import { ALL_FAMILIES, FAMILIES, generateCase, type Family } from './generator.js';
import { describeDivergence, diverging, shrink } from './harness.js';
import { ensureOracleJar } from './oracle.js';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '300' },
    seed: { type: 'string', default: '1' },
    family: { type: 'string' },
    'no-shrink': { type: 'boolean', default: false },
    show: { type: 'string', default: '5' },
    /** Comma-separated seeds to run instead of the --cases range (case names end in their seed). */
    only: { type: 'string' },
  },
});
const count = Number(values.cases);
const seed = Number(values.seed);
const families = (values.family?.split(',') ?? FAMILIES) as Family[];
for (const f of families)
  if (!ALL_FAMILIES.includes(f)) throw new Error(`unknown family ${f}; known: ${ALL_FAMILIES.join(', ')}`);

ensureOracleJar((line) => console.error(line));
const seeds =
  values.only?.split(',').map((s) => Number(s.replace(/^.*-/, ''))) ??
  Array.from({ length: count }, (_, i) => seed + i);
const cases = seeds.map((s) => generateCase(s, families));
const started = Date.now();
const found = diverging(cases);
const byFamily = new Map<string, number>();
for (const d of found) {
  const family = d.case.name.replace(/-\d+$/, '');
  byFamily.set(family, (byFamily.get(family) ?? 0) + 1);
}
for (const d of found.slice(0, Number(values.show))) {
  console.log(`\n=== divergence ===\n${describeDivergence(values['no-shrink'] ? d : shrink(d))}`);
}
console.log(
  `\n${cases.length - found.length}/${cases.length} cases agree (seeds ${values.only ?? `${seed}..${seed + count - 1}`}, ${Date.now() - started} ms)` +
    (found.length > 0 ? `; disagreeing: ${[...byFamily].map(([f, n]) => `${f} ${n}`).join(', ')}` : ''),
);
if (found.length > 0) console.log(`disagreeing cases: ${found.map((d) => d.case.name).join(' ')}`);
process.exitCode = found.length > 0 ? 1 : 0;
