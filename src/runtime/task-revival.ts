/**
 * @internal Brings back tasks closed dirty while this member still owns their partitions.
 *
 * A task's producer is fenced either by a new owner (the task migrated: a rebalance is under way)
 * or without any, when the transaction coordinator aborted a transaction that outlived its
 * timeout (a broker died meanwhile) and bumped the producer's epoch. In the second case no
 * rebalance follows, and without a new task the consumer would go on fetching the partitions for
 * nobody: processing stalls until the next rebalance. So a revival waits a while (two heartbeats:
 * time for a real migration to show up as a rebalance, which voids it), then creates the task
 * again: restored from its changelog, its producer fencing the old one, its input rewound to the
 * committed offsets.
 *
 * @example
 * ```ts
 * const reviver = new TaskReviver(2 * heartbeatIntervalMs, (job) => void executor.run(job));
 * reviver.schedule(() => taskManager.revive(id, partitions));
 * reviver.reset(); // a rebalance began: nothing scheduled before runs
 * ```
 */
export class TaskReviver {
  private generation = 0;

  constructor(
    private readonly delayMs: number,
    private readonly run: (job: () => Promise<void> | void) => void,
  ) {}

  /** The assignment was revoked or lost: revivals scheduled before it are void. */
  reset(): void {
    this.generation++;
  }

  /** Runs `revive` after the delay, through `run`, unless `reset` was called meanwhile. */
  schedule(revive: () => Promise<void> | void): void {
    const generation = this.generation;
    const timer = setTimeout(
      () => this.run(() => (this.generation === generation ? revive() : undefined)),
      this.delayMs,
    );
    timer.unref();
  }
}
