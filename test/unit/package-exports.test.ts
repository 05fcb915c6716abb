import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { beforeAll, expect, it } from 'vitest';

// The published entry points resolve by self-reference from inside the repo once dist/ exists
// (`npm run build`; CI builds before testing). Built here when missing so the check always runs.
beforeAll(() => {
  if (!existsSync('dist/index.js') || !existsSync('dist/testing/index.js')) {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
      stdio: 'inherit',
    });
  }
}, 120_000);

it("'tributary' and 'tributary/testing' resolve through the package exports map", () => {
  const script = `
    const main = await import('tributary');
    const testing = await import('tributary/testing');
    const b = new main.StreamsBuilder();
    b.stream('in', { key: main.Serdes.string(), value: main.Serdes.string() }).mapValues((v) => v.toUpperCase()).to('out', { value: main.Serdes.string() });
    const d = new testing.TopologyTestDriver(b.build());
    d.createInputTopic('in', main.Serdes.string(), main.Serdes.string()).pipeInput('k', 'hello', 1);
    console.log(JSON.stringify(d.createOutputTopic('out', main.Serdes.string(), main.Serdes.string()).readKeyValuesToList()));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(JSON.parse(out.trim())).toEqual([{ key: 'k', value: 'HELLO' }]);
  expect(existsSync('dist/index.d.ts')).toBe(true);
});

it("CommonJS consumers can require('tributary') and require('tributary/testing')", () => {
  const script = `
    const main = require('tributary');
    const testing = require('tributary/testing');
    const b = new main.StreamsBuilder();
    b.stream('in', { key: main.Serdes.string(), value: main.Serdes.string() }).mapValues((v) => v + '!').to('out', { value: main.Serdes.string() });
    const d = new testing.TopologyTestDriver(b.build());
    d.createInputTopic('in', main.Serdes.string(), main.Serdes.string()).pipeInput('k', 'hi', 1);
    console.log(JSON.stringify(d.createOutputTopic('out', main.Serdes.string(), main.Serdes.string()).readKeyValuesToList()));
  `;
  const out = execFileSync(process.execPath, ['--input-type=commonjs', '-e', script], { encoding: 'utf8' });
  expect(JSON.parse(out.trim())).toEqual([{ key: 'k', value: 'hi!' }]);
});
