/** Runs `bench/child.ts` in a fresh Node process and returns the result it prints. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RESULT_MARKER, type ChildJob } from './protocol.js';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const childScript = fileURLToPath(new URL('../child.ts', import.meta.url));

// kafkajs 2.2.4 sets a negative timeout once per process, which Node 24 warns about.
export const QUIET = ['--disable-warning=TimeoutNegativeWarning'];

/** `nodeFlags` go before the script, e.g. `--cpu-prof`. The child's stderr is passed through. */
export function runChild<T>(job: ChildJob, nodeFlags: readonly string[] = []): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...nodeFlags, ...QUIET, '--import', 'tsx', childScript, JSON.stringify(job)],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
      if (code !== 0 || line === undefined) {
        reject(new Error(`bench child (${describeJob(job)}) exited with ${code}:\n${stdout.slice(-2000)}`));
        return;
      }
      resolve(JSON.parse(line.slice(RESULT_MARKER.length)) as T);
    });
  });
}

function describeJob(job: ChildJob): string {
  if (job.kind === 'broker') return `${job.contender} ${job.workload}`;
  if (job.kind === 'latency') return 'latency';
  return job.kind === 'restore' ? 'restore' : 'driver benchmarks';
}
