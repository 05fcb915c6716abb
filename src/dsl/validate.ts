import { TopologyError } from '../errors.js';

/** @internal Fails early, naming the operator, when a user passes something that is not a function. */
export function requireFunction<F>(fn: F, operator: string, what: string): F {
  if (typeof fn !== 'function') {
    throw new TopologyError(
      `${operator}() needs a ${what} function, got ${fn === null ? 'null' : typeof fn}.`,
    );
  }
  return fn;
}
