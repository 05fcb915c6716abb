/**
 * Store lifecycle methods return `void` when they are synchronous (in-memory stacks) and a promise
 * when some layer does I/O (`level`). Chaining through this keeps an all-in-memory stack fully
 * synchronous, which the TopologyTestDriver relies on.
 */
export function andThen(
  result: void | Promise<void>,
  next: () => void | Promise<void>,
): void | Promise<void> {
  return result instanceof Promise ? result.then(next) : next();
}
