/** Where in a running topology an error happened. Every field is optional: only known ones are set. */
export interface StreamsErrorContext {
  taskId?: string;
  topic?: string;
  partition?: number;
  offset?: string | number;
  node?: string;
  cause?: unknown;
}

/**
 * The root of Tributary's error hierarchy. Carries where the error happened, when known.
 *
 * @example
 * ```ts
 * try { builder.build(); } catch (e) { if (e instanceof StreamsError) console.error(e.node, e.message); }
 * ```
 */
export class StreamsError extends Error {
  readonly taskId: string | undefined;
  readonly topic: string | undefined;
  readonly partition: number | undefined;
  readonly offset: string | number | undefined;
  readonly node: string | undefined;

  constructor(message: string, context: StreamsErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = new.target.name;
    this.taskId = context.taskId;
    this.topic = context.topic;
    this.partition = context.partition;
    this.offset = context.offset;
    this.node = context.node;
  }
}

/**
 * The error as a `StreamsError`: itself when it is one, else wrapped with it as the cause.
 *
 * @internal
 */
export function toStreamsError(error: unknown): StreamsError {
  return error instanceof StreamsError
    ? error
    : new StreamsError((error as Error).message ?? String(error), { cause: error });
}

/** Invalid configuration: names the option and what to do. Thrown at construction. */
export class ConfigError extends StreamsError {}

/** An invalid topology: names the node and the fix. Thrown by `build()` or when adding a node. */
export class TopologyError extends StreamsError {}

/** A record's key or value bytes could not be deserialized. */
export class DeserializationError extends StreamsError {}

/**
 * Thrown by a serde that must first load something (a schema registered after the app started)
 * before it can deserialize a record. A stream thread waits for `ready` (at most
 * `SERDE_WAIT_MS`) and deserializes the record again, as a blocking deserializer would in Kafka
 * Streams; where nothing can wait (the test driver, global stores) or the wait ran out, the
 * record goes to the deserialization handler like any other `DeserializationError`.
 *
 * @example
 * ```ts
 * const reader = readers.get(id);
 * if (reader === undefined) throw new SerdeNotReadyError(`schema ${id} is loading`, load(id));
 * ```
 */
export class SerdeNotReadyError extends DeserializationError {
  constructor(
    message: string,
    /** Settles once the serde may be called again; its rejection is ignored (the retry reports it). */
    readonly ready: Promise<unknown>,
    context: StreamsErrorContext = {},
  ) {
    super(message, context);
  }
}

/** A processor threw while processing a record. */
export class ProcessingError extends StreamsError {}

/** A record could not be serialized or produced. */
export class ProductionError extends StreamsError {}

/** A state store was used wrongly (closed, unknown, read-only) or its data is invalid. */
export class StateStoreError extends StreamsError {}

/** A task could not be migrated or lost its ownership (fenced, rebalanced away). */
export class TaskMigratedError extends StreamsError {}

/**
 * A state store cannot be queried right now: the instance is not running, the store is restoring,
 * or it migrated in a rebalance. Retry later (or ask the instance `queryMetadataForKey` names).
 *
 * @example
 * ```ts
 * try { app.store('counts').get('a'); } catch (e) { if (e instanceof InvalidStateStoreError && e.retriable) retryLater(); }
 * ```
 */
export class InvalidStateStoreError extends StreamsError {
  /** Always true: the condition passes once restoration or the rebalance is done. */
  readonly retriable = true;
}
