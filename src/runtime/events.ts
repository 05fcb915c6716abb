import type { StreamsError } from '../errors.js';

/** Lifecycle states, as in Kafka Streams. */
export type StreamsState =
  'CREATED' | 'REBALANCING' | 'RUNNING' | 'PENDING_SHUTDOWN' | 'NOT_RUNNING' | 'ERROR';

/** Something that happened in a running application, on `app.events$`. */
export type StreamsEvent =
  | { type: 'state'; from: StreamsState; to: StreamsState }
  | { type: 'rebalance'; assigned: string[]; revoked: string[]; active: string[]; standby: string[] }
  | { type: 'commit'; tasks: string[]; records: number; durationMs: number }
  | {
      type: 'restore-start';
      store: string;
      topic: string;
      partition: number;
      startOffset: string;
      endOffset: string;
    }
  | {
      type: 'restore-progress';
      store: string;
      topic: string;
      partition: number;
      restored: number;
      remaining: number;
      recordsPerSecond: number;
    }
  | { type: 'restore-end'; store: string; topic: string; partition: number; totalRestored: number }
  | { type: 'error'; error: StreamsError };

/**
 * Callbacks for state restoration, as Kafka Streams' `StateRestoreListener`.
 *
 * @example
 * ```ts
 * new KafkaStreams(topology, { applicationId: 'app', restoreListener: {
 *   onRestoreEnd: (tp, store, total) => console.log(`${store} restored ${total} records`),
 * } });
 * ```
 */
export interface RestoreListener {
  onRestoreStart?(
    topicPartition: { topic: string; partition: number },
    store: string,
    startOffset: string,
    endOffset: string,
  ): void;
  onBatchRestored?(
    topicPartition: { topic: string; partition: number },
    store: string,
    batchEndOffset: string,
    numRestored: number,
  ): void;
  onRestoreEnd?(
    topicPartition: { topic: string; partition: number },
    store: string,
    totalRestored: number,
  ): void;
}

/** What `metadataForLocalTasks()` reports per task. */
export interface TaskMetadata {
  readonly taskId: string;
  readonly kind: 'active' | 'standby';
  readonly topicPartitions: readonly { topic: string; partition: number }[];
  /** Committed input offsets (next offset to read) per `topic:partition`. */
  readonly committedOffsets: Readonly<Record<string, string>>;
}

/** What `localThreadsMetadata()` reports per stream thread. */
export interface ThreadMetadata {
  readonly threadName: string;
  readonly state: StreamsState;
  readonly activeTasks: TaskMetadata[];
  readonly standbyTasks: TaskMetadata[];
}
