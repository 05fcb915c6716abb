import type { ProcessorContext } from './processor.js';

/**
 * Why a record was dropped, as counted in `dropped-records-total{reason}`:
 * - `null-key`: a `null` key reached an aggregation, a table or a join that needs one;
 * - `null-value`: a `null` value reached an aggregation or a join that skips it;
 * - `negative-timestamp`: the record's (extracted) timestamp is negative or not a number;
 * - `late-window`: the record's window had closed (stream time past window end + grace);
 * - `deserialization`, `processing`, `production`: a handler chose to continue past an error.
 *
 * @example
 * ```ts
 * const reason: DropReason = 'null-key';
 * ```
 */
export type DropReason =
  | 'null-key'
  | 'null-value'
  | 'negative-timestamp'
  | 'late-window'
  | 'deserialization'
  | 'processing'
  | 'production';

/** @internal Counts a dropped record of the current node; `details` go into its log line. */
export type DropRecorder = (reason: DropReason, details?: Readonly<Record<string, unknown>>) => void;

/** @internal The method the runtime's processor contexts add to `ProcessorContext`. */
export interface DroppedRecordsContext {
  recordDropped: DropRecorder;
}

const uncounted: DropRecorder = () => {};

/**
 * @internal How a DSL processor reports the records it drops, looked up once in `init`. A context
 * made by hand (a processor's own unit test) may lack the method; its drops then go uncounted.
 */
export function dropRecorder(context: ProcessorContext<any, any>): DropRecorder {
  const recorder = (context as Partial<DroppedRecordsContext>).recordDropped;
  return typeof recorder === 'function' ? recorder.bind(context) : uncounted;
}

/**
 * @internal For operators that need both a key and a value (aggregations, windowed aggregations):
 * counts a record lacking one as dropped and returns true, as Kafka Streams skips it.
 */
export function droppedForNull(drop: DropRecorder, key: unknown, value: unknown): boolean {
  if (key === null || key === undefined) {
    drop('null-key');
    return true;
  }
  if (value === null || value === undefined) {
    drop('null-value');
    return true;
  }
  return false;
}

/**
 * @internal For time and session window aggregations, which Kafka Streams feeds `null` values
 * (only sliding windows skip them): counts a record with no key as dropped and returns true.
 */
export function droppedForNullKey(drop: DropRecorder, key: unknown): boolean {
  if (key !== null && key !== undefined) return false;
  drop('null-key');
  return true;
}
