import type { ValueAndTimestamp } from '../../state/value-and-timestamp.js';
import type { DroppedRecordsSensor, MeteredWindowStore } from '../../state/window/metered-window-store.js';
import type { Windowed } from '../../windowing/windowed.js';
import type { Change } from '../change.js';
import type { ProcessorContext } from '../processor.js';
import type { DropRecorder } from '../dropped-records.js';

/**
 * @internal Reports records a windowed operator drops because their window closed: counts each on
 * the operator's store (`metrics().droppedRecords`) and as the task's `late-window` drop, whose
 * first occurrence is logged at warn through the configured logger.
 */
export class LateRecordReporter {
  constructor(
    private readonly sensor: DroppedRecordsSensor,
    private readonly recordDrop: DropRecorder,
  ) {}

  drop(details: {
    timestamp: number;
    windowStart: number;
    windowEnd: number;
    closeTime: number;
    streamTime: number;
  }): void {
    this.sensor.recordDroppedRecord();
    this.recordDrop('late-window', details);
  }
}

/**
 * @internal The stream-time bookkeeping every windowed aggregation shares: the observed stream
 * time and the close time it gives (`streamTime - closeDelayMs`), reporting a record dropped
 * because its window closed, and with emit-on-window-close how far closed windows were emitted.
 *
 * @example
 * ```ts
 * const late = new WindowCloseTracker(store, dropRecorder(ctx), windows.graceMs);
 * const closeTime = late.advance(record.timestamp);
 * if (window.end <= closeTime) late.dropLate(record.timestamp, window.start, window.end, closeTime);
 * ```
 */
export class WindowCloseTracker {
  readonly #reporter: LateRecordReporter;
  #streamTime = -1;
  #lastEmitCloseTime = -1;

  constructor(
    sensor: DroppedRecordsSensor,
    recordDrop: DropRecorder,
    /** How long after stream time passes a window's end it stays open (grace, plus a session's gap). */
    private readonly closeDelayMs: number,
  ) {
    this.#reporter = new LateRecordReporter(sensor, recordDrop);
  }

  /** The largest record timestamp seen (-1 before any). */
  get streamTime(): number {
    return this.#streamTime;
  }

  /** Takes a record's timestamp into stream time and returns the close time. */
  advance(timestamp: number): number {
    if (timestamp > this.#streamTime) this.#streamTime = timestamp;
    return this.#streamTime - this.closeDelayMs;
  }

  /** Reports a record at `timestamp` dropped because its window had closed. */
  dropLate(timestamp: number, windowStart: number, windowEnd: number, closeTime: number): void {
    this.#reporter.drop({ timestamp, windowStart, windowEnd, closeTime, streamTime: this.#streamTime });
  }

  /**
   * With emit-on-window-close: once `closeTime` passed what was emitted, calls `emit` with it and the
   * close time emitted up to (-1: nothing yet); `emit` returns false when no window can be closed yet,
   * and the next call starts from the same point.
   */
  emitClosed(closeTime: number, emit: (closeTime: number, lastEmitCloseTime: number) => boolean): void {
    const last = this.#lastEmitCloseTime;
    if (last !== -1 && last >= closeTime) return;
    if (emit(closeTime, last)) this.#lastEmitCloseTime = closeTime;
  }
}

/** @internal How a windowed aggregation folds a value into a window's aggregate (`undefined`: the window is new). */
export type WindowFold<K, V, A> = (key: K, value: V, aggregate: A | undefined) => A;

/**
 * @internal Emit-on-window-close for a window store of timestamped aggregates: forwards each
 * window starting in `[lowerStart, upperStart]` as a final result (no old value), at its record
 * timestamp.
 *
 * @example
 * ```ts
 * forwardClosedWindows(context, store, 0, closeTime - windows.sizeMs);
 * ```
 */
export function forwardClosedWindows<K, A>(
  context: ProcessorContext<Windowed<K>, Change<A>>,
  store: MeteredWindowStore<K, ValueAndTimestamp<A>>,
  lowerStart: number,
  upperStart: number,
): void {
  for (const { key, value } of store.fetchAll(lowerStart, upperStart)) {
    context.forward({ key, value: { newValue: value.value, oldValue: null }, timestamp: value.timestamp });
  }
}
