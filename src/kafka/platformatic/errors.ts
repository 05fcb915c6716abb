import { StreamsError } from '../../errors.js';
import {
  CommitFailedError,
  FencedError,
  KafkaClientError,
  RebalanceInProgressError,
  UnknownTopicError,
} from '../errors.js';
import { retryingWithBackoff } from '../errors.js';
import type { BackoffPolicy, KafkaErrorContext } from '../errors.js';

/** What @platformatic/kafka's errors carry: a protocol error has `apiId` (name) and `apiCode`. */
interface PlatformaticErrorShape {
  message?: string;
  code?: string;
  apiId?: string;
  apiCode?: number;
  canRetry?: boolean;
  cause?: unknown;
  errors?: unknown[];
}

/** The error and every error it wraps: `cause`, and `errors` of its aggregate errors. */
function* errorTree(error: unknown): Generator<PlatformaticErrorShape> {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const current = pending.shift();
    if (!current || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const shape = current as PlatformaticErrorShape;
    yield shape;
    if (shape.cause !== undefined) pending.push(shape.cause);
    if (Array.isArray(shape.errors)) pending.push(...shape.errors);
  }
}

/** The first protocol error (`apiId`/`apiCode`) in the tree, if any. */
export function protocolError(
  error: unknown,
): { type: string; code: number; retriable: boolean } | undefined {
  for (const link of errorTree(error)) {
    if (typeof link.apiId === 'string' && typeof link.apiCode === 'number') {
      return { type: link.apiId, code: link.apiCode, retriable: link.canRetry ?? false };
    }
  }
  return undefined;
}

/** Whether any error in the tree is the protocol error `type`. */
export function hasProtocolError(error: unknown, ...types: string[]): boolean {
  for (const link of errorTree(error))
    if (link.apiId !== undefined && types.includes(link.apiId)) return true;
  return false;
}

/** Whether the error is a lost or timed-out connection (the client's network and timeout errors). */
export function isNetworkError(error: unknown): boolean {
  for (const link of errorTree(error))
    if (link.code === 'PLT_KFK_NETWORK' || link.code === 'PLT_KFK_TIMEOUT') return true;
  return false;
}

const FENCED = ['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'TRANSACTIONAL_ID_NOT_FOUND'];
const OUT_OF_GENERATION = ['ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID'];

/** Maps an @platformatic/kafka error to the port's error classes, keeping the original as `cause`. */
export function translateError(error: unknown, context: KafkaErrorContext = {}): Error {
  if (error instanceof StreamsError) return error;
  const protocol = protocolError(error);
  const detail = protocol ? ` (${protocol.type})` : '';
  const message = `${error instanceof Error ? error.message : String(error)}${detail}`;
  const full: KafkaErrorContext = {
    ...context,
    cause: error,
    type: protocol?.type,
    retriable: protocol?.retriable ?? false,
  };
  if (hasProtocolError(error, ...FENCED)) return new FencedError(message, full);
  if (hasProtocolError(error, 'REBALANCE_IN_PROGRESS')) return new RebalanceInProgressError(message, full);
  if (hasProtocolError(error, ...OUT_OF_GENERATION)) return new CommitFailedError(message, full);
  if (hasProtocolError(error, 'UNKNOWN_TOPIC_OR_PARTITION', 'UNKNOWN_TOPIC_ID'))
    return new UnknownTopicError(message, full);
  return new KafkaClientError(message, full);
}

/** Runs `operation`, translating whatever it throws. */
export async function translated<T>(
  operation: () => Promise<T>,
  context: KafkaErrorContext = {},
): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw translateError(error, context);
  }
}

/**
 * Errors that clear up by themselves within seconds: a coordinator still loading, a coordinator
 * or leader moving, a topic just created and not in every broker's metadata yet.
 */
const TRANSIENT = [
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_OR_FOLLOWER',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR',
];

function retryingOn<T>(
  types: readonly string[],
  operation: () => Promise<T>,
  policy: BackoffPolicy,
  context: KafkaErrorContext = {},
): Promise<T> {
  const retryable = (error: unknown) => hasProtocolError(error, ...types);
  return retryingWithBackoff(operation, retryable, policy, (error) => translateError(error, context));
}

/** Runs `operation`, retrying transient coordinator and leadership errors for about 30 s. */
export function retryTransient<T>(operation: () => Promise<T>, context: KafkaErrorContext = {}): Promise<T> {
  return retryingOn(TRANSIENT, operation, { attempts: 40, maxDelayMs: 1_000 }, context);
}

/** Like {@link retryTransient}, and also UNKNOWN_TOPIC_OR_PARTITION (a topic still propagating). */
export function retryWhileTopicPropagates<T>(
  operation: () => Promise<T>,
  context: KafkaErrorContext = {},
): Promise<T> {
  return retryingOn(
    ['UNKNOWN_TOPIC_OR_PARTITION', 'UNKNOWN_TOPIC_ID', ...TRANSIENT],
    operation,
    { attempts: 40, maxDelayMs: 1_000 },
    context,
  );
}

/** Retries CONCURRENT_TRANSACTIONS: the coordinator still writes the previous transaction's markers. */
export function retryConcurrentTransactions<T>(operation: () => Promise<T>, attempts = 30): Promise<T> {
  return retryingOn(['CONCURRENT_TRANSACTIONS', ...TRANSIENT], operation, { attempts, maxDelayMs: 200 });
}
