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

interface KafkajsErrorShape {
  message?: string;
  type?: string;
  code?: number;
  retriable?: boolean;
  cause?: unknown;
  originalError?: unknown;
}

/** The error and every error it wraps (kafkajs nests protocol errors in `cause` / `originalError`). */
function* errorChain(error: unknown): Generator<KafkajsErrorShape> {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    yield current as KafkajsErrorShape;
    const shape = current as KafkajsErrorShape;
    current = shape.cause ?? shape.originalError;
  }
}

/** Whether any error in the chain is the Kafka protocol error `type` (or has its `code`). */
export function hasProtocolError(error: unknown, type: string, code?: number): boolean {
  for (const link of errorChain(error))
    if (link.type === type || (code !== undefined && link.code === code)) return true;
  return false;
}

const FENCED = [
  ['INVALID_PRODUCER_EPOCH', 47],
  ['PRODUCER_FENCED', 90],
  ['TRANSACTIONAL_ID_NOT_FOUND', 105],
] as const;
const OUT_OF_GENERATION = [
  ['ILLEGAL_GENERATION', 22],
  ['UNKNOWN_MEMBER_ID', 25],
  ['FENCED_INSTANCE_ID', 82],
] as const;

/** Maps a kafkajs error to the port's error classes, keeping the original as `cause`. */
export function translateError(error: unknown, context: KafkaErrorContext = {}): Error {
  if (error instanceof StreamsError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const protocol = [...errorChain(error)].find((link) => link.type !== undefined && link.code !== undefined);
  const full: KafkaErrorContext = {
    ...context,
    cause: error,
    type: protocol?.type,
    retriable: protocol?.retriable ?? false,
  };
  if (FENCED.some(([type, code]) => hasProtocolError(error, type, code)))
    return new FencedError(message, full);
  if (hasProtocolError(error, 'REBALANCE_IN_PROGRESS', 27))
    return new RebalanceInProgressError(message, full);
  if (OUT_OF_GENERATION.some(([type, code]) => hasProtocolError(error, type, code)))
    return new CommitFailedError(message, full);
  if (hasProtocolError(error, 'UNKNOWN_TOPIC_OR_PARTITION', 3)) return new UnknownTopicError(message, full);
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

/** Runs `operation` again after errors of one of `codes`, backing off, up to `attempts` times. */
function retryingOn<T>(
  codes: readonly number[],
  operation: () => Promise<T>,
  policy: BackoffPolicy,
  context: KafkaErrorContext = {},
): Promise<T> {
  const retryable = (error: unknown) =>
    [...errorChain(error)].some((link) => codes.includes(link.code ?? -1));
  return retryingWithBackoff(operation, retryable, policy, (error) => translateError(error, context));
}

/**
 * Errors that clear up by themselves within seconds: a coordinator still loading its partition of
 * `__consumer_offsets` (the first group on a fresh broker), a coordinator or leader moving.
 * kafkajs retries them inside the consumer but not in several admin calls (describeGroups).
 */
const TRANSIENT_CODES = [
  5, // LEADER_NOT_AVAILABLE
  6, // NOT_LEADER_OR_FOLLOWER
  14, // COORDINATOR_LOAD_IN_PROGRESS
  15, // COORDINATOR_NOT_AVAILABLE
  16, // NOT_COORDINATOR
];

/** Runs `operation`, retrying transient coordinator and leadership errors for about 30 s. */
export function retryTransient<T>(operation: () => Promise<T>, context: KafkaErrorContext = {}): Promise<T> {
  return retryingOn(TRANSIENT_CODES, operation, { attempts: 40, maxDelayMs: 1_000 }, context);
}

/**
 * Like {@link retryTransient}, and also UNKNOWN_TOPIC_OR_PARTITION: a topic another instance (or
 * this one) has just created is not in every broker's metadata yet, so creating or describing it
 * right then reports it unknown.
 */
export function retryWhileTopicPropagates<T>(
  operation: () => Promise<T>,
  context: KafkaErrorContext = {},
): Promise<T> {
  return retryingOn([3, ...TRANSIENT_CODES], operation, { attempts: 40, maxDelayMs: 1_000 }, context);
}

/**
 * Retries CONCURRENT_TRANSACTIONS, which the coordinator returns while it still writes the markers
 * of the previous transaction and which kafkajs does not retry everywhere.
 */
export function retryConcurrentTransactions<T>(operation: () => Promise<T>, attempts = 30): Promise<T> {
  return retryingOn([51, ...TRANSIENT_CODES], operation, { attempts, maxDelayMs: 200 });
}
