import { checkDuration } from './durations.js';

/**
 * Session windows: per key, records less than `inactivityGapMs` apart belong to one session
 * `[first, last]` (both inclusive). A record bridging two sessions merges them: the old sessions
 * are deleted (tombstones downstream) and the merged one is emitted.
 *
 * @example
 * ```ts
 * clicks.groupByKey().windowedBy(SessionWindows.ofInactivityGapAndGrace(30 * 60_000, 60_000)).count();
 * ```
 */
export class SessionWindows {
  readonly kind = 'session' as const;

  private constructor(
    /** The longest gap between records of one session, in ms. */
    readonly inactivityGapMs: number,
    /** How long after its end a session still accepts out-of-order records, in ms. */
    readonly graceMs: number,
  ) {
    Object.freeze(this);
  }

  /**
   * Sessions with no grace period.
   * @example `SessionWindows.ofInactivityGapWithNoGrace(5 * 60_000)`
   */
  static ofInactivityGapWithNoGrace(inactivityGapMs: number): SessionWindows {
    return SessionWindows.ofInactivityGapAndGrace(inactivityGapMs, 0);
  }

  /**
   * Sessions accepting records up to `graceMs` after a session's end.
   * @example `SessionWindows.ofInactivityGapAndGrace(5 * 60_000, 30_000)`
   */
  static ofInactivityGapAndGrace(inactivityGapMs: number, graceMs: number): SessionWindows {
    checkDuration('SessionWindows', 'inactivityGapMs', inactivityGapMs, 1);
    checkDuration('SessionWindows', 'graceMs', graceMs, 0);
    return new SessionWindows(inactivityGapMs, graceMs);
  }
}
