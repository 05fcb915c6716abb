import { ConfigError } from '../errors.js';

/** One day in milliseconds: the least retention Tributary keeps for windowed stores by default. */
export const ONE_DAY_MS = 24 * 60 * 60 * 1000;

/** @internal Checks a duration argument: a safe integer of milliseconds, at least `min`. */
export function checkDuration(where: string, argument: string, ms: number, min: number): number {
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < min) {
    throw new ConfigError(
      `${where}: ${argument} must be an integer number of milliseconds >= ${min}, got ${String(ms)}.`,
    );
  }
  return ms;
}
