/**
 * The Java oracle: a fat jar over Kafka Streams' TopologyTestDriver, built with Maven once and
 * rebuilt only when its sources change (a hash of them sits beside the jar in the gitignored
 * target/ folder). One JVM runs a whole batch of cases.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaseResult, FidelityCase } from './case.js';

const PROJECT_DIR = fileURLToPath(new URL('./oracle/', import.meta.url));
const JAR = join(PROJECT_DIR, 'target', 'fidelity-oracle.jar');
const HASH_FILE = join(PROJECT_DIR, 'target', 'sources.sha256');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : [join(dir, e.name)]))
    .sort();
}

function sourcesHash(): string {
  const hash = createHash('sha256');
  for (const file of [join(PROJECT_DIR, 'pom.xml'), ...sourceFiles(join(PROJECT_DIR, 'src'))]) {
    hash.update(file.slice(PROJECT_DIR.length)).update(readFileSync(file));
  }
  return hash.digest('hex');
}

/** Builds the oracle jar unless the cached one matches the current sources; returns its path. */
export function ensureOracleJar(log: (line: string) => void = () => {}): string {
  const hash = sourcesHash();
  if (existsSync(JAR) && existsSync(HASH_FILE) && readFileSync(HASH_FILE, 'utf8') === hash) return JAR;
  log('building the Kafka Streams fidelity oracle (mvn package)…');
  const mvn = (args: string[]) =>
    execFileSync('mvn', ['-q', ...args, 'package'], { cwd: PROJECT_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    mvn(['-o']);
  } catch {
    mvn([]); // not everything is in the local Maven repository yet: resolve from Maven Central
  }
  writeFileSync(HASH_FILE, hash);
  return JAR;
}

/**
 * Runs a batch of cases through Kafka Streams in one JVM. Its DSL stores are in-memory unless
 * FIDELITY_ROCKSDB=1 (twenty times slower; its windowed outputs differ, as RocksDB drops expired
 * windows by segment, while Tributary's driver is in-memory like the default here).
 */
export function runOracle(cases: readonly FidelityCase[]): CaseResult[] {
  const jar = ensureOracleJar();
  const dir = mkdtempSync(join(tmpdir(), 'tributary-fidelity-'));
  try {
    const input = join(dir, 'cases.json');
    const output = join(dir, 'results.json');
    writeFileSync(input, JSON.stringify(cases));
    execFileSync(
      'java',
      [
        '-XX:+UseSerialGC',
        '-XX:TieredStopAtLevel=1',
        '-jar',
        jar,
        input,
        output,
        ...(process.env.FIDELITY_ROCKSDB === '1' ? ['rocksdb'] : []),
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return JSON.parse(readFileSync(output, 'utf8')) as CaseResult[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
