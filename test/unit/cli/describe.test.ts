import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { describeModule } from '../../../src/cli/describe.js';
import { main } from '../../../src/cli/main.js';
import { topology } from './fixtures/word-count-module.js';

const fixture = 'test/unit/cli/fixtures/word-count-module.ts';
const nothing = 'test/unit/cli/fixtures/nothing-module.ts';

function capture() {
  const io = {
    stdout: '',
    stderr: '',
    out: (t: string) => void (io.stdout += t),
    err: (t: string) => void (io.stderr += t),
  };
  return io;
}

describe('tributary describe', () => {
  it("prints the text description of the module's topology export", async () => {
    const text = await describeModule(fixture, { mermaid: false });
    expect(text).toBe(`${topology.describe().toString().trimEnd()}\n`);
    expect(text).toContain('Sub-topology: 0');
    expect(text).toContain('(topic: counts-repartition)');
  });

  it('prints a Mermaid flowchart with --mermaid', async () => {
    const text = await describeModule(fixture, { mermaid: true });
    expect(text.trimEnd()).toBe(topology.describe().toMermaid().trimEnd());
    expect(text).toMatch(/^(flowchart|graph) /);
  });

  it('names what each candidate export held when none is a Topology', async () => {
    const io = capture();
    expect(await main(['describe', nothing], io)).toBe(2);
    expect(io.stderr).toContain(`${nothing} does not export a Topology as 'default', 'topology'`);
    expect(io.stderr).toContain("'default': an object (Object)");
    expect(io.stderr).toContain("'topology': not exported");
  });

  it('fails with the path when the module does not exist', async () => {
    const io = capture();
    expect(await main(['describe', 'no/such/module.js'], io)).toBe(2);
    expect(io.stderr).toMatch(/module not found: no\/such\/module\.js/);
  });

  it('runs as a child process through tsx and exits 2 on a bad flag', () => {
    const out = execFileSync(
      process.execPath,
      ['node_modules/tsx/dist/cli.mjs', 'src/cli/main.ts', 'describe', fixture],
      {
        encoding: 'utf8',
      },
    );
    expect(out).toContain('Sub-topology: 0');
    let failure: { status: number; stderr: string } | undefined;
    try {
      execFileSync(
        process.execPath,
        ['node_modules/tsx/dist/cli.mjs', 'src/cli/main.ts', 'describe', '--mermaids'],
        {
          encoding: 'utf8',
          stdio: 'pipe',
        },
      );
    } catch (error) {
      failure = error as { status: number; stderr: string };
    }
    expect(failure?.status).toBe(2);
    expect(failure?.stderr).toContain("Unknown option '--mermaids'");
  });
});
