import type { Logger } from '../logger.js';
import type { DropReason } from '../topology/dropped-records.js';

const WHY: Record<DropReason, string> = {
  'null-key': 'Skipping record due to null key',
  'null-value': 'Skipping record due to null value',
  'negative-timestamp': 'Skipping record due to negative or invalid timestamp',
  'late-window': 'Skipping record for expired window (stream time is past window end + grace)',
  deserialization: 'Skipping record that failed to deserialize (the handler continued)',
  processing: 'Skipping record that failed to process (the handler continued)',
  production: 'Skipping record that failed to produce (the handler continued)',
};

/** Reasons a handler decided on: the built-in `logAndContinue` logs each such record itself. */
const HANDLED: ReadonlySet<DropReason> = new Set(['deserialization', 'processing', 'production']);

/**
 * One task's dropped records, by reason: what `dropped-records-total{reason}` reports. The first
 * drop of each reason in a task is logged at `warn` with where it happened; later ones only
 * count (at `debug`), so drops are never silent and never flood the log.
 */
export class DroppedRecords {
  /** Records dropped so far, by reason; a reason appears once something was dropped for it. */
  readonly byReason = new Map<DropReason, number>();
  #total = 0;

  constructor(
    private readonly taskId: string,
    private readonly logger: Logger,
  ) {}

  /** All records this task dropped. */
  get total(): number {
    return this.#total;
  }

  record(reason: DropReason, where: Readonly<Record<string, unknown>>): void {
    const count = (this.byReason.get(reason) ?? 0) + 1;
    this.byReason.set(reason, count);
    this.#total++;
    const fields = { taskId: this.taskId, reason, ...where, droppedRecords: count };
    if (count === 1) {
      this.logger.warn(
        fields,
        `${WHY[reason]}. Further records dropped for this reason in task ${this.taskId} are counted in dropped-records-total{reason="${reason}"}${HANDLED.has(reason) ? ' (and logged by the handler as it chooses)' : ', not logged at warn'}.`,
      );
    } else {
      this.logger.debug(fields, WHY[reason]);
    }
  }
}

/**
 * Dropped records, in total and by reason.
 *
 * @example
 * ```ts
 * const counts: DroppedRecordCounts = { total: 2, byReason: { 'null-key': 1, 'late-window': 1 } };
 * ```
 */
export interface DroppedRecordCounts {
  readonly total: number;
  readonly byReason: Readonly<Partial<Record<DropReason, number>>>;
}

/** @internal The counts of several tasks added up, by reason. */
export function sumDroppedRecords(tasks: Iterable<DroppedRecords>): DroppedRecordCounts {
  let total = 0;
  const byReason: Partial<Record<DropReason, number>> = {};
  for (const task of tasks) {
    total += task.total;
    for (const [reason, n] of task.byReason) byReason[reason] = (byReason[reason] ?? 0) + n;
  }
  return { total, byReason };
}
