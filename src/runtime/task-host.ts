import type { StreamsError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Serde } from '../serde/serde.js';
import type { StateStore } from '../state/store.js';
import type { FailedRecord, HandlerResponse } from './exception-handlers.js';

/** What a task needs from whoever runs it: a stream thread or the TopologyTestDriver. */
export interface TaskHost {
  readonly applicationId: string;
  readonly defaultKeySerde: Serde<unknown> | undefined;
  readonly defaultValueSerde: Serde<unknown> | undefined;
  /** The configured logger: dropped-record warnings go here. */
  readonly logger: Logger;
  /** The `deadLetterQueueTopic` option: where records a handler skipped or failed on also go. */
  readonly deadLetterQueueTopic?: string | undefined;
  /** At-least-once: records the broker rejects go to the production handler (see `resolveHandlers`). */
  readonly handlesSendFailures?: boolean;
  wallClockMs(): number;
  onDeserializationError(error: StreamsError, record: FailedRecord): HandlerResponse;
  onProcessingError(error: StreamsError, record: FailedRecord): HandlerResponse;
  /** A sink could not serialize a record: skip that output (`'continue'`) or fail. */
  onProductionError(error: StreamsError, record: FailedRecord): HandlerResponse;
  /** Global stores, shared by every task of the instance. */
  globalStore(name: string): StateStore | undefined;
  /** Called after a processor asks for a commit with `context.commit()`. */
  requestCommit(taskId: string): void;
}
