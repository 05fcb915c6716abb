import { consoleLogger } from '../../logger.js';
import type { Logger } from '../../logger.js';
import type { DroppedRecordsSensor } from '../../state/window/metered-window-store.js';

/** Log one warning per this many dropped records (the first one is always logged). */
export const LATE_RECORD_LOG_EVERY = 1000;

const defaultLogger = consoleLogger('warn', { component: 'windowed-aggregate' });

/**
 * @internal Reports records a windowed operator drops because their window closed: counts each on
 * the operator's store (`metrics().droppedRecords`) and logs a warning for the first and then
 * every {@link LATE_RECORD_LOG_EVERY}th, so drops are never silent and never flood the log.
 */
export class LateRecordReporter {
  #dropped = 0;

  constructor(
    private readonly nodeName: string,
    private readonly sensor: DroppedRecordsSensor,
    private readonly logger: Logger = defaultLogger,
  ) {}

  drop(details: {
    timestamp: number;
    windowStart: number;
    windowEnd: number;
    closeTime: number;
    streamTime: number;
  }): void {
    this.sensor.recordDroppedRecord();
    if (this.#dropped++ % LATE_RECORD_LOG_EVERY === 0) {
      this.logger.warn(
        { node: this.nodeName, ...details, droppedRecords: this.#dropped },
        'Skipping record for expired window (stream time is past window end + grace).',
      );
    }
  }
}

/** @internal How a windowed aggregation folds a value into a window's aggregate (`undefined`: the window is new). */
export type WindowFold<K, V, A> = (key: K, value: V, aggregate: A | undefined) => A;
