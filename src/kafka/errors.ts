import { StreamsError, TaskMigratedError } from '../errors.js';
import type { StreamsErrorContext } from '../errors.js';

/** What a Kafka-side error carries besides the usual context. */
export interface KafkaErrorContext extends StreamsErrorContext {
  /** The Kafka protocol error name (`UNKNOWN_TOPIC_OR_PARTITION`) when there is one. */
  type?: string;
  retriable?: boolean;
}

/**
 * A Kafka operation failed. Both client adapters throw this class or a subclass.
 *
 * @example
 * ```ts
 * try { await producer.send(records); } catch (e) { if (e instanceof KafkaClientError && e.retriable) retry(); }
 * ```
 */
export class KafkaClientError extends StreamsError {
  readonly type: string | undefined;
  readonly retriable: boolean;

  constructor(message: string, context: KafkaErrorContext = {}) {
    super(message, context);
    this.type = context.type;
    this.retriable = context.retriable ?? false;
  }
}

/** A topic (or partition) does not exist. */
export class UnknownTopicError extends KafkaClientError {}

/** A client or object was used after `close()`, or before it was ready. */
export class ClientStateError extends KafkaClientError {}

/**
 * A newer producer with the same `transactionalId` initialised transactions: this one is a zombie
 * and must be closed; its open transaction is aborted by the broker.
 */
export class FencedError extends TaskMigratedError {}

/** The group is rebalancing: the operation belongs to a generation that is ending. */
export class RebalanceInProgressError extends TaskMigratedError {}

/** An offset commit was rejected: this member is no longer part of the group's generation. */
export class CommitFailedError extends TaskMigratedError {}

/** How often, and how patiently, {@link retryingWithBackoff} tries again. */
export interface BackoffPolicy {
  /** Tries in all, the first included. */
  readonly attempts: number;
  /** The delay starts at 10 ms and doubles up to this. */
  readonly maxDelayMs: number;
}

/**
 * @internal Runs `operation` again after an error `retryable` accepts, backing off, up to
 * `attempts` times; what it finally throws goes out through `translate` (an adapter's own error
 * translation), so callers see the port's error classes only.
 *
 * @example
 * ```ts
 * await retryingWithBackoff(() => admin.describeGroups([id]), isCoordinatorMoving, { attempts: 40, maxDelayMs: 1_000 }, translateError);
 * ```
 */
export async function retryingWithBackoff<T>(
  operation: () => Promise<T>,
  retryable: (error: unknown) => boolean,
  { attempts, maxDelayMs }: BackoffPolicy,
  translate: (error: unknown) => Error,
): Promise<T> {
  let delayMs = 10;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= attempts || !retryable(error)) throw translate(error);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs = Math.min(delayMs * 2, maxDelayMs);
    }
  }
}
