import { type ChildProcess, spawn } from 'node:child_process';

/**
 * Starts a TypeScript worker script as its own Node process (tsx's loader inside Node itself, not
 * the tsx CLI, whose child a SIGKILL of the CLI would leave running) and resolves once it prints
 * `RUNNING`. The child is pushed to `children` before it can fail, so the caller's clean-up kills it.
 *
 * @example
 * ```ts
 * const victim = await startWorkerProcess('test/faults/support/fault-worker.ts', [json], children);
 * victim.kill('SIGKILL');
 * ```
 */
export function startWorkerProcess(
  script: string,
  args: string[],
  children: ChildProcess[],
  timeoutMs = 120_000,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script} not RUNNING after ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.stdout!.on('data', (d: Buffer) => {
      if (!d.toString().includes('RUNNING')) return;
      clearTimeout(timer);
      resolve(child);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === null) reject(new Error(`${script} exited with ${code} before RUNNING`));
    });
  });
}

/** Resolves once the process has exited (immediately if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}
