import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * What a new user does: `npm pack`, install the tarball into a fresh strict TypeScript project,
 * type-check a program against the shipped `.d.ts`, run it. "Install" unpacks the tarball into
 * the project's `node_modules/tributary` and links the package's dependencies (and TypeScript,
 * `@types/node`) from this repo's `node_modules`, so the test needs no registry.
 */
const repo = resolve('.');
const project = mkdtempSync(join(tmpdir(), 'tributary-consumer-'));
const program = readFileSync(join(repo, 'test/unit/support/packed-consumer-app.ts.txt'), 'utf8');

function run(file: string, args: string[], cwd: string): string {
  return execFileSync(file, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(() => {
  // `files` ships dist/: CI builds before testing; built here when missing (never rebuilt under
  // package-exports.test.ts, which reads it concurrently).
  if (
    !existsSync(join(repo, 'dist/index.js')) ||
    !existsSync(join(repo, 'dist/testing/index.js')) ||
    !existsSync(join(repo, 'dist/cli/main.js'))
  ) {
    run(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], repo);
  }
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', project], repo)) as {
    filename: string;
  }[];
  const installed = join(project, 'node_modules', 'tributary');
  mkdirSync(installed, { recursive: true });
  run('tar', ['-xzf', join(project, packed[0]!.filename), '-C', installed, '--strip-components=1'], project);
  const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  for (const dep of [...Object.keys(manifest.dependencies), 'typescript', '@types/node']) {
    // Scoped packages (`@types/node`, `@platformatic/kafka`) live in their scope's directory.
    mkdirSync(dirname(join(project, 'node_modules', dep)), { recursive: true });
    symlinkSync(join(repo, 'node_modules', dep), join(project, 'node_modules', dep), 'dir');
  }
}, 300_000);

afterAll(() => rmSync(project, { recursive: true, force: true }));

const cases = [
  {
    name: 'ESM, moduleResolution nodenext',
    type: 'module',
    module: 'nodenext',
    moduleResolution: 'nodenext',
  },
  {
    name: 'CommonJS, moduleResolution nodenext',
    type: 'commonjs',
    module: 'nodenext',
    moduleResolution: 'nodenext',
  },
  { name: 'ESM, moduleResolution bundler', type: 'module', module: 'esnext', moduleResolution: 'bundler' },
] as const;

describe('the packed package in a fresh TypeScript project', () => {
  it('ships dist, src, docs, LICENSE and README, and no tests', () => {
    const files = run('tar', ['-tzf', join(project, readdirTarball())], project).split('\n');
    for (const file of ['package/dist/index.js', 'package/dist/index.d.ts', 'package/dist/testing/index.js'])
      expect(files).toContain(file);
    expect(files).toContain('package/LICENSE');
    expect(files).toContain('package/README.md');
    expect(files.some((f) => f.startsWith('package/docs/'))).toBe(true);
    expect(files.some((f) => f.startsWith('package/src/'))).toBe(true);
    expect(files.some((f) => f.startsWith('package/test/'))).toBe(false);
  });

  it.each(cases)(
    '$name: type-checks strictly and runs a full app on the embedded broker',
    (c) => {
      const dir = join(project, c.type === 'module' ? `esm-${c.moduleResolution}` : 'cjs-nodenext');
      mkdirSync(join(dir, 'src'), { recursive: true });
      writeFileSync(
        join(dir, 'package.json'),
        JSON.stringify({ name: 'consumer', private: true, type: c.type }),
      );
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            target: 'es2022',
            module: c.module,
            moduleResolution: c.moduleResolution,
            types: ['node'],
            skipLibCheck: false,
            outDir: 'dist',
            rootDir: 'src',
          },
          include: ['src'],
        }),
      );
      writeFileSync(join(dir, 'src', 'index.ts'), program);
      try {
        run(process.execPath, [join(project, 'node_modules/typescript/bin/tsc'), '-p', '.'], dir);
      } catch (error) {
        throw new Error(`tsc failed:\n${(error as { stdout?: string }).stdout ?? String(error)}`, {
          cause: error,
        });
      }
      const out = run(process.execPath, [join('dist', 'index.js')], dir)
        .trim()
        .split('\n')
        .at(-1)!;
      expect(JSON.parse(out)).toEqual({
        driven: [
          { key: 'a', value: 1 },
          { key: 'a', value: 2 },
        ],
        hello: 2,
        counts: { hello: 2, packed: 1, world: 1 },
        exitCode: 0,
        state: 'NOT_RUNNING',
      });
    },
    300_000,
  );
});

describe('the packed tributary bin', () => {
  it('is declared in package.json, starts with a shebang and describes a JavaScript module', () => {
    const installed = join(project, 'node_modules', 'tributary');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    const bin = join(installed, manifest.bin.tributary!);
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const dir = join(project, 'bin-check');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'bin-check', private: true, type: 'module' }),
    );
    writeFileSync(
      join(dir, 'topology.js'),
      `import { Serdes, StreamsBuilder } from 'tributary';
const b = new StreamsBuilder();
b.stream('in', { key: Serdes.string(), value: Serdes.string() }).mapValues((v) => v.length).to('out', { value: Serdes.int32() });
export default b.build();
`,
    );
    const out = run(process.execPath, [bin, 'describe', 'topology.js'], dir);
    expect(out).toContain('Source: KSTREAM-SOURCE-0000000000 (topics: [in])');
    expect(out).toContain('Sink: KSTREAM-SINK-0000000002 (topic: out)');
    expect(run(process.execPath, [bin, '--help'], dir)).toContain('Usage: tributary <command>');
  });
});

function readdirTarball(): string {
  return run('sh', ['-c', 'ls *.tgz'], project).trim();
}
