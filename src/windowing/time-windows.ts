import { ConfigError } from '../errors.js';
import { checkDuration } from './durations.js';
import type { Window } from './windowed.js';

/**
 * Fixed-size time windows aligned to the epoch: tumbling (advance = size, the default) or hopping
 * (advance < size, so windows overlap). A window holds records with `start <= timestamp < end`
 * and accepts late records until stream time reaches `end + grace`.
 *
 * @example
 * ```ts
 * const tumbling = TimeWindows.ofSizeWithNoGrace(60_000);
 * const hopping = TimeWindows.ofSizeAndGrace(60_000, 5_000).advanceBy(10_000);
 * ```
 */
export class TimeWindows {
  readonly kind = 'time' as const;

  private constructor(
    /** The length of each window in ms. */
    readonly sizeMs: number,
    /** How far each window's start is from the previous one's, in ms. */
    readonly advanceMs: number,
    /** How long after its end a window still accepts out-of-order records, in ms. */
    readonly graceMs: number,
  ) {
    Object.freeze(this);
  }

  /**
   * Tumbling windows of `sizeMs` that close as soon as stream time reaches their end.
   * @example `TimeWindows.ofSizeWithNoGrace(60_000)`
   */
  static ofSizeWithNoGrace(sizeMs: number): TimeWindows {
    return TimeWindows.ofSizeAndGrace(sizeMs, 0);
  }

  /**
   * Tumbling windows of `sizeMs` that accept records up to `graceMs` after their end.
   * @example `TimeWindows.ofSizeAndGrace(60_000, 5_000)`
   */
  static ofSizeAndGrace(sizeMs: number, graceMs: number): TimeWindows {
    checkDuration('TimeWindows', 'sizeMs', sizeMs, 1);
    checkDuration('TimeWindows', 'graceMs', graceMs, 0);
    return new TimeWindows(sizeMs, sizeMs, graceMs);
  }

  /**
   * Hopping windows: a new window starts every `advanceMs` (0 < advanceMs <= size).
   * @example `TimeWindows.ofSizeWithNoGrace(60_000).advanceBy(15_000)` // each record lands in 4 windows
   */
  advanceBy(advanceMs: number): TimeWindows {
    checkDuration('TimeWindows.advanceBy', 'advanceMs', advanceMs, 1);
    if (advanceMs > this.sizeMs) {
      throw new ConfigError(
        `TimeWindows.advanceBy: advanceMs must be at most the window size (${this.sizeMs}), got ${advanceMs}.`,
      );
    }
    return new TimeWindows(this.sizeMs, advanceMs, this.graceMs);
  }

  /**
   * Every window containing `timestamp`, oldest first; starts are multiples of the advance and
   * never negative.
   * @example `TimeWindows.ofSizeWithNoGrace(10).advanceBy(5).windowsFor(12)` // [{start:5,end:15},{start:10,end:20}]
   */
  windowsFor(timestamp: number): Window[] {
    const windows: Window[] = [];
    const earliest = Math.max(0, timestamp - this.sizeMs + this.advanceMs);
    // Rounding down to the advance grid still ends after `timestamp`: start > timestamp - size.
    for (let start = earliest - (earliest % this.advanceMs); start <= timestamp; start += this.advanceMs) {
      windows.push({ start, end: start + this.sizeMs });
    }
    return windows;
  }
}
