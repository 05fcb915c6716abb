import { checkDuration } from './durations.js';

/**
 * Sliding windows (KIP-450): a window `[t - timeDifference, t]` (both ends inclusive) exists for
 * every distinct set of records of a key whose timestamps are at most `timeDifferenceMs` apart.
 * Only windows that contain records are created, so each record updates the windows it falls in
 * and creates at most two: its own left window ending at its timestamp, and a right window
 * starting just after it when later records exist.
 *
 * @example
 * ```ts
 * stream.groupByKey().windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10_000, 2_000)).count();
 * ```
 */
export class SlidingWindows {
  readonly kind = 'sliding' as const;

  private constructor(
    /** The largest difference between two record timestamps in one window, in ms. */
    readonly timeDifferenceMs: number,
    /** How long after its end a window still accepts out-of-order records, in ms. */
    readonly graceMs: number,
  ) {
    Object.freeze(this);
  }

  /**
   * Sliding windows with no grace period.
   * @example `SlidingWindows.ofTimeDifferenceWithNoGrace(5_000)`
   */
  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): SlidingWindows {
    return SlidingWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0);
  }

  /**
   * Sliding windows accepting records up to `graceMs` after a window's end.
   * @example `SlidingWindows.ofTimeDifferenceAndGrace(5_000, 1_000)`
   */
  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): SlidingWindows {
    checkDuration('SlidingWindows', 'timeDifferenceMs', timeDifferenceMs, 1);
    checkDuration('SlidingWindows', 'graceMs', graceMs, 0);
    return new SlidingWindows(timeDifferenceMs, graceMs);
  }
}
