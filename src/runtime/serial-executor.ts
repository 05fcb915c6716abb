/**
 * @internal Runs async jobs one at a time, in order. The processing loop, commits, punctuation
 * timers and rebalance callbacks all touch tasks; running them through one executor keeps every
 * commit at a clean boundary without locks in the hot path.
 */
export class SerialExecutor {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(job, job);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
