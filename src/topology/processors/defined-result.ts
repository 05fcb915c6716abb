/**
 * @internal The result of a user function, checked before it is stored or forwarded. `undefined`
 * usually means a missing `return`; silently treating it as a tombstone would delete rows, so it
 * is an error (routed through the processing exception handler). `null` stays a tombstone.
 */
export function definedResult<T>(result: T | undefined, fn: string): T {
  if (result === undefined) {
    throw new TypeError(
      `${fn} returned undefined: return a value, or null for a tombstone (a missing return statement?).`,
    );
  }
  return result;
}
