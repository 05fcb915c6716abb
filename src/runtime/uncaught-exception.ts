import { ConfigError, StreamsError } from '../errors.js';
import type { KafkaClient } from '../kafka/port.js';
import type { Logger } from '../logger.js';
import { TaskAssignor } from './task-assignor.js';

/**
 * What an instance does when a stream thread fails with an error nothing else handled (an error
 * under `logAndFail`, a failed send, a lost connection), as Kafka Streams'
 * `StreamThreadExceptionResponse`:
 * - `'shutdownClient'` (default): this instance stops without committing and moves to `ERROR`;
 *   the other instances take over its tasks;
 * - `'shutdownApplication'`: every instance of the application stops: this one as with
 *   `'shutdownClient'`, the others after a clean commit, all ending in `ERROR`;
 * - `'replaceThread'`: the failed thread's tasks are closed without committing and a new thread
 *   takes its place; it rejoins the group and reprocesses from the last commit.
 */
export type StreamThreadExceptionResponse = 'shutdownClient' | 'shutdownApplication' | 'replaceThread';

/**
 * The policy for uncaught errors: a fixed response, or a function that picks one per error.
 * Set it as the `uncaughtExceptionHandler` config or with `app.setUncaughtExceptionHandler()`.
 *
 * @example
 * ```ts
 * const handler: UncaughtExceptionHandler = (error) =>
 *   error instanceof ProcessingError ? 'shutdownApplication' : 'replaceThread';
 * ```
 */
export type UncaughtExceptionHandler =
  StreamThreadExceptionResponse | ((error: StreamsError) => StreamThreadExceptionResponse);

const RESPONSES: readonly StreamThreadExceptionResponse[] = [
  'shutdownClient',
  'shutdownApplication',
  'replaceThread',
];

/** @internal Throws a `ConfigError` naming `where` unless `value` is a handler. */
export function checkUncaughtExceptionHandler(value: unknown, where: string): void {
  if (typeof value === 'function' || RESPONSES.includes(value as StreamThreadExceptionResponse)) return;
  throw new ConfigError(
    `${where} must be ${RESPONSES.map((r) => `'${r}'`).join(', ')} or a function; got ${JSON.stringify(value)}.`,
  );
}

/** @internal Where the uncaught error came from, for what the response may be. */
export type FailedThread = 'stream thread' | 'starting stream thread' | 'global thread';

/**
 * @internal The response to `error`. A handler that throws or returns something else is logged
 * and treated as `'shutdownClient'`, the response that loses nothing; so is `'replaceThread'` for
 * the global thread or a thread of an instance still starting, which are not replaced.
 */
export function decideResponse(
  handler: UncaughtExceptionHandler | undefined,
  error: StreamsError,
  logger: Logger,
  from: FailedThread,
): StreamThreadExceptionResponse {
  const response = callHandler(handler, error, logger);
  if (response !== 'replaceThread' || from === 'stream thread') return response;
  logger.warn({ from }, `a failed ${from} is not replaced: shutting down this instance`);
  return 'shutdownClient';
}

function callHandler(
  handler: UncaughtExceptionHandler | undefined,
  error: StreamsError,
  logger: Logger,
): StreamThreadExceptionResponse {
  if (handler === undefined) return 'shutdownClient';
  if (typeof handler !== 'function') return handler;
  try {
    const response = handler(error);
    if (RESPONSES.includes(response)) return response;
    logger.error(
      { response },
      `uncaughtExceptionHandler returned ${JSON.stringify(response)}, not one of ${RESPONSES.join(', ')}: shutting down this instance`,
    );
  } catch (handlerError) {
    logger.error({ err: handlerError }, 'uncaughtExceptionHandler threw: shutting down this instance');
  }
  return 'shutdownClient';
}

/** @internal Where the shutdown request goes and how long it may take. */
export interface ShutdownRequest {
  client: KafkaClient;
  groupId: string;
  topics: string[];
  logger: Logger;
  /** Give up after this long (the others may be gone or stuck). */
  timeoutMs: number;
  /** How often to check whether the other members have left. Default 200. */
  pollIntervalMs?: number;
}

/**
 * @internal Asks every instance of the application to shut down, through the consumer group
 * (as Kafka Streams does with an error code in the assignment): a short-lived extra member joins
 * the application's group with a shutdown flag in its subscription userData. The rebalance it
 * causes runs the group leader's task assignor, which then gives every member an empty
 * assignment whose userData carries the flag; each instance that receives it commits, closes its
 * tasks and stops. The extra member stays until every other member has left (so that a member
 * that rejoins meanwhile, or starts late, gets the flag too), or until `timeoutMs`.
 *
 * Resolves with whether every other member left in time.
 */
export async function requestApplicationShutdown(request: ShutdownRequest): Promise<boolean> {
  const { client, groupId, logger } = request;
  const assignor = new TaskAssignor(
    () => ({ processId: '', previousActive: [], stateTasks: [], shutdownRequested: true }),
    new Map(),
    0,
  );
  const consumer = client.consumer({
    groupId,
    topics: request.topics,
    assignor,
    listener: { onAssigned: () => {}, onRebalancing: () => {} },
    sessionTimeoutMs: Math.max(6_000, Math.min(request.timeoutMs, 30_000)),
    heartbeatIntervalMs: 1_000,
  });
  const admin = await client.admin();
  const deadline = Date.now() + request.timeoutMs;
  try {
    let crashed: Error | undefined;
    await withDeadline(
      consumer.run({ eachBatch: async () => {}, onCrash: (error) => (crashed = error) }),
      deadline,
    );
    logger.warn({ groupId }, 'requested the shutdown of every instance of the application');
    while (Date.now() < deadline && crashed === undefined) {
      const members = await admin.describeGroupAssignments(groupId).catch(() => undefined);
      if (
        members !== undefined &&
        members.length > 0 &&
        members.every((m) => m.memberId === consumer.memberId)
      )
        return true;
      await new Promise((resolve) => setTimeout(resolve, request.pollIntervalMs ?? 200));
    }
    logger.warn(
      { groupId, err: crashed },
      'not every instance left the group after the shutdown request; giving up waiting',
    );
    return false;
  } finally {
    await consumer.close().catch(() => undefined);
    await admin.close().catch(() => undefined);
  }
}

async function withDeadline<T>(promise: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new StreamsError('the shutdown request could not join the group in time')),
      Math.max(0, deadline - Date.now()),
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
