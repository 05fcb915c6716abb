import type { DroppedRecordsSensor } from '../../state/window/metered-window-store.js';
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

/** @internal How a windowed aggregation folds a value into a window's aggregate (`undefined`: the window is new). */
export type WindowFold<K, V, A> = (key: K, value: V, aggregate: A | undefined) => A;
