/** Wakes waiters when something changed (records appended, a rebalance started, a close). */
export class Notifier {
  private readonly listeners = new Set<() => void>();

  notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Resolves when any notifier fires or after `timeoutMs`, whichever is first. */
export function waitForAny(notifiers: Notifier[], timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const unsubscribes: (() => void)[] = [];
    const done = (): void => {
      clearTimeout(timer);
      for (const unsubscribe of unsubscribes) unsubscribe();
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    for (const notifier of notifiers) unsubscribes.push(notifier.subscribe(done));
  });
}

/** Lets other in-process clients run before continuing, as a network round trip would. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
