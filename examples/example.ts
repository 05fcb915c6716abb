/**
 * `npm run example -- <name>` runs `examples/<name>.ts` on the embedded broker (or on
 * `KAFKA_BROKERS`). Without a name it lists the examples.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const examples = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'example.ts' && f !== 'support.ts')
  .map((f) => f.slice(0, -'.ts'.length))
  .sort();
const name = process.argv[2];
if (name === undefined || !examples.includes(name)) {
  console.error(`${name === undefined ? 'Name an example' : `No example "${name}"`}: ${examples.join(', ')}`);
  process.exit(name === undefined ? 0 : 1);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', join(here, `${name}.ts`)], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
