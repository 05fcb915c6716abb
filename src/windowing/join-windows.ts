import { ConfigError } from '../errors.js';
import { checkDuration } from './durations.js';

/**
 * The time bounds of a stream–stream join: a record at `t` of the left stream joins right
 * records with timestamps in `[t - beforeMs, t + afterMs]`. Symmetric by default; `before` and
 * `after` make it asymmetric.
 *
 * @example
 * ```ts
 * left.join(right, (l, r) => ({ l, r }), JoinWindows.ofTimeDifferenceAndGrace(5_000, 1_000).after(0));
 * ```
 */
export class JoinWindows {
  readonly kind = 'join' as const;

  private constructor(
    /** How far before a left record a right record may be, in ms. */
    readonly beforeMs: number,
    /** How far after a left record a right record may be, in ms. */
    readonly afterMs: number,
    /** How long out-of-order records are still joined after the window ends, in ms. */
    readonly graceMs: number,
  ) {
    Object.freeze(this);
  }

  /**
   * Joins records at most `timeDifferenceMs` apart, with no grace period.
   * @example `JoinWindows.ofTimeDifferenceWithNoGrace(10_000)`
   */
  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): JoinWindows {
    return JoinWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0);
  }

  /**
   * Joins records at most `timeDifferenceMs` apart, accepting late records for `graceMs`.
   * @example `JoinWindows.ofTimeDifferenceAndGrace(10_000, 2_000)`
   */
  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): JoinWindows {
    checkDuration('JoinWindows', 'timeDifferenceMs', timeDifferenceMs, 0);
    checkDuration('JoinWindows', 'graceMs', graceMs, 0);
    return new JoinWindows(timeDifferenceMs, timeDifferenceMs, graceMs);
  }

  /**
   * Sets how far before a left record a right record may be (may be negative, as in Kafka, as
   * long as `before + after >= 0`).
   * @example `JoinWindows.ofTimeDifferenceWithNoGrace(10_000).before(0)` // only later right records
   */
  before(beforeMs: number): JoinWindows {
    checkDuration('JoinWindows.before', 'beforeMs', beforeMs, Number.MIN_SAFE_INTEGER);
    return JoinWindows.checked(new JoinWindows(beforeMs, this.afterMs, this.graceMs));
  }

  /**
   * Sets how far after a left record a right record may be.
   * @example `JoinWindows.ofTimeDifferenceWithNoGrace(10_000).after(0)` // only earlier right records
   */
  after(afterMs: number): JoinWindows {
    checkDuration('JoinWindows.after', 'afterMs', afterMs, Number.MIN_SAFE_INTEGER);
    return JoinWindows.checked(new JoinWindows(this.beforeMs, afterMs, this.graceMs));
  }

  /** The span a window store needs to hold: `before + after`. */
  get sizeMs(): number {
    return this.beforeMs + this.afterMs;
  }

  private static checked(windows: JoinWindows): JoinWindows {
    if (windows.beforeMs + windows.afterMs < 0) {
      throw new ConfigError(
        `JoinWindows: beforeMs + afterMs must not be negative, got ${windows.beforeMs} + ${windows.afterMs}.`,
      );
    }
    return windows;
  }
}
