import type { StreamsState } from './events.js';

/** The lifecycle of a `KafkaStreams` instance: which state may follow which, as in Kafka Streams. */
const TRANSITIONS: Record<StreamsState, readonly StreamsState[]> = {
  CREATED: ['REBALANCING', 'PENDING_SHUTDOWN', 'ERROR'],
  REBALANCING: ['RUNNING', 'PENDING_SHUTDOWN', 'ERROR'],
  RUNNING: ['REBALANCING', 'PENDING_SHUTDOWN', 'ERROR'],
  PENDING_SHUTDOWN: ['NOT_RUNNING'],
  NOT_RUNNING: [],
  ERROR: ['PENDING_SHUTDOWN'],
};

/** Whether an instance in state `from` may move to `to`. */
export function mayTransition(from: StreamsState, to: StreamsState): boolean {
  return TRANSITIONS[from].includes(to);
}
