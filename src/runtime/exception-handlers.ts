import {
  ConfigError,
  DeserializationError,
  ProcessingError,
  ProductionError,
  StreamsError,
} from '../errors.js';
import type { Headers } from '../topology/processor.js';

/** What to do after a bad record: stop the task (`'fail'`) or skip the record (`'continue'`). */
export type HandlerResponse = 'fail' | 'continue';

/** The raw record a handler is given: original bytes and where they came from. */
export interface FailedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  /** The record's headers, as consumed. */
  readonly headers?: Headers | undefined;
}

/**
 * Decides the fate of a record that failed to deserialize, process or produce.
 * `'logAndFail'` (default) stops with the error; `'logAndContinue'` logs and skips; a function
 * decides per record (e.g. to send it to a dead-letter topic and continue).
 *
 * @example
 * ```ts
 * const handler: ExceptionHandler = (error, record) => (record.topic === 'noisy' ? 'continue' : 'fail');
 * ```
 */
export type ExceptionHandler =
  'logAndFail' | 'logAndContinue' | ((error: StreamsError, record: FailedRecord) => HandlerResponse);

/** @internal */
export function resolveHandler(
  handler: ExceptionHandler | undefined,
  log: (message: string, error: unknown) => void,
  /** The option the handler was given as, for the error about a bad answer. */
  option = 'An exception handler',
): (error: StreamsError, record: FailedRecord) => HandlerResponse {
  if (handler === undefined || handler === 'logAndFail') {
    return (error) => {
      log('stopping on error (logAndFail)', error);
      return 'fail';
    };
  }
  if (handler === 'logAndContinue') {
    return (error) => {
      log('skipping record (logAndContinue)', error);
      return 'continue';
    };
  }
  return (error, record) => {
    let response: unknown;
    try {
      response = handler(error, record);
    } catch (thrown) {
      // The handler's own bug: it fails the task, but with the record's context, not a bare error.
      const Kind =
        error instanceof DeserializationError
          ? DeserializationError
          : error instanceof ProductionError
            ? ProductionError
            : error instanceof ProcessingError
              ? ProcessingError
              : StreamsError;
      throw new Kind(
        `${option} threw while handling "${error.message}": ${(thrown as Error)?.message ?? String(thrown)}`,
        {
          taskId: error.taskId,
          topic: error.topic,
          partition: error.partition,
          offset: error.offset,
          node: error.node,
          cause: thrown,
        },
      );
    }
    if (response === 'fail' || response === 'continue') return response;
    // A typo ('skip') must not decide a record's fate: it is a configuration error.
    throw new ConfigError(
      `${option} returned ${typeof response === 'string' ? `'${response}'` : String(response)}: it must return 'fail' or 'continue' (synchronously, not a promise).`,
      { cause: error },
    );
  };
}

/**
 * @internal The handler options of a config, resolved (each named in its errors), with the
 * dead-letter topic; `handlesSendFailures`: whether a record the broker rejects is worth isolating
 * and handing to the production handler (a handler that always fails, with no dead-letter topic to
 * write, would only fail the task as it does anyway).
 */
export function resolveHandlers(
  config: {
    readonly deserializationExceptionHandler?: ExceptionHandler | undefined;
    readonly processingExceptionHandler?: ExceptionHandler | undefined;
    readonly productionExceptionHandler?: ExceptionHandler | undefined;
    readonly deadLetterQueueTopic?: string | undefined;
  },
  log: (message: string, error: unknown) => void,
): Record<
  'onDeserializationError' | 'onProcessingError' | 'onProductionError',
  (error: StreamsError, record: FailedRecord) => HandlerResponse
> & { readonly deadLetterQueueTopic: string | undefined; readonly handlesSendFailures: boolean } {
  const production = config.productionExceptionHandler;
  return {
    onDeserializationError: resolveHandler(
      config.deserializationExceptionHandler,
      log,
      'deserializationExceptionHandler',
    ),
    onProcessingError: resolveHandler(config.processingExceptionHandler, log, 'processingExceptionHandler'),
    onProductionError: resolveHandler(production, log, 'productionExceptionHandler'),
    deadLetterQueueTopic: config.deadLetterQueueTopic,
    handlesSendFailures:
      config.deadLetterQueueTopic !== undefined || (production !== undefined && production !== 'logAndFail'),
  };
}
