import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * How many fault rounds a test runs: `FAULT_ROUNDS` if set, else the soak count under
 * `FAULT_SOAK=1`, else the CI-sized count.
 */
export function faultRounds(ci: number, soak: number): number {
  const explicit = Number(process.env.FAULT_ROUNDS);
  if (Number.isInteger(explicit) && explicit > 0) return explicit;
  return process.env.FAULT_SOAK === '1' ? soak : ci;
}

/**
 * A seeded generator (mulberry32) so a failing run can be replayed with `FAULT_SEED=<seed>`.
 * Resolves to numbers in [0, 1).
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function faultSeed(): number {
  const fixed = Number(process.env.FAULT_SEED);
  return Number.isInteger(fixed) ? fixed : Math.floor(Math.random() * 2 ** 31);
}

/**
 * Polls `check` until it holds. A check that throws counts as not yet (a broker that is down or
 * electing leaders answers with errors for a while); the last error is in the timeout message.
 */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: () => string,
  intervalMs = 1_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError === undefined ? '' : ` (last error: ${(lastError as Error).message})`;
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what()}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Temporary state directories of one test file, removed together in `afterAll`. */
export function tempDirs() {
  const made: string[] = [];
  return {
    async make(): Promise<string> {
      const dir = await mkdtemp(join(tmpdir(), 'trib-faults-'));
      made.push(dir);
      return dir;
    },
    async removeAll(): Promise<void> {
      for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
    },
  };
}
