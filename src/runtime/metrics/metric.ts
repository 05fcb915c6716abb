/**
 * One value of `app.metrics()`, named as Kafka Streams names it (`process-rate`, `records-lag`,
 * ...), in Kafka Streams' group (`stream-thread-metrics`, `stream-task-metrics`, ...), told apart
 * by its tags (`thread-id`, `task-id`, `topic`, `partition`, `store`, `reason`).
 *
 * @example
 * ```ts
 * const lag = app.metrics().filter((m) => m.name === 'records-lag');
 * for (const m of lag) console.log(m.tags.topic, m.tags.partition, m.value);
 * ```
 */
export interface StreamsMetric {
  readonly name: string;
  readonly group: MetricGroup;
  readonly description: string;
  readonly tags: Readonly<Record<string, string>>;
  /** NaN where Kafka Streams reports NaN too: an average or maximum with nothing measured yet. */
  readonly value: number;
}

/** Kafka Streams' metric groups, plus the consumer's for lag. */
export type MetricGroup =
  | 'stream-thread-metrics'
  | 'stream-task-metrics'
  | 'stream-state-metrics'
  | 'stream-record-cache-metrics'
  | 'consumer-fetch-manager-metrics';

/** Every metric `app.metrics()` may report: its group, tag names and meaning. */
export const METRIC_DEFINITIONS = {
  'process-rate': ['records processed per second', ['thread-id', 'task-id']],
  'process-total': ['records processed', ['thread-id', 'task-id']],
  'process-latency-avg': ['mean ms to process a record (sampled per batch)', ['thread-id', 'task-id']],
  'process-latency-max': ['largest per-record ms of a batch', ['thread-id', 'task-id']],
  'commit-rate': ['commits per second', ['thread-id', 'task-id']],
  'commit-total': ['commits', ['thread-id', 'task-id']],
  'commit-latency-avg': ['mean ms of a commit', ['thread-id', 'task-id']],
  'commit-latency-max': ['largest ms of a commit', ['thread-id', 'task-id']],
  'punctuate-rate': ['punctuator calls per second', ['thread-id', 'task-id']],
  'punctuate-total': ['punctuator calls', ['thread-id', 'task-id']],
  'punctuate-latency-avg': ['mean ms of a punctuator call', ['thread-id', 'task-id']],
  'punctuate-latency-max': ['largest ms of a punctuator call', ['thread-id', 'task-id']],
  'poll-rate': ['fetched batches per second', ['thread-id']],
  'poll-total': ['fetched batches', ['thread-id']],
  'dropped-records-total': ['records dropped, by reason', ['thread-id', 'task-id', 'reason']],
  'dead-letter-records-total': [
    'records written to the dead-letter topic (deadLetterQueueTopic)',
    ['thread-id', 'task-id'],
  ],
  'records-lag': ['records behind the end offset', ['thread-id', 'task-id', 'topic', 'partition']],
  'records-lag-max': ['largest lag of the task’s input partitions', ['thread-id', 'task-id']],
  'active-tasks': ['active tasks (restoring or running)', ['thread-id']],
  'standby-tasks': ['standby tasks', ['thread-id']],
  'restore-total': ['changelog records restored', ['store', 'topic', 'partition']],
  'restore-rate': ['records restored per second', ['store', 'topic', 'partition']],
  'restore-remaining-records-total': ['records left to restore', ['store', 'topic', 'partition']],
  'put-total': ['writes to the store', ['task-id', 'store']],
  'get-total': ['point reads of the store', ['task-id', 'store']],
  'delete-total': ['deletes from the store', ['task-id', 'store']],
  'range-total': ['range and prefix scans of the store', ['task-id', 'store']],
  'fetch-total': ['window or session fetches of the store', ['task-id', 'store']],
  'get-latency-avg': ['mean ms of a point read (sampled)', ['task-id', 'store']],
  'get-latency-max': ['largest ms of a sampled point read', ['task-id', 'store']],
  'put-latency-avg': ['mean ms of a write (sampled)', ['task-id', 'store']],
  'put-latency-max': ['largest ms of a sampled write', ['task-id', 'store']],
  'hit-ratio': ['share of cache look-ups that found the key', ['task-id', 'store']],
} as const satisfies Record<string, readonly [string, readonly string[]]>;

/** A name `app.metrics()` reports. */
export type MetricName = keyof typeof METRIC_DEFINITIONS;

/** @internal Builds one metric, its description from the table above. */
export function metric(
  name: MetricName,
  group: MetricGroup,
  tags: Record<string, string>,
  value: number,
): StreamsMetric {
  return { name, group, description: METRIC_DEFINITIONS[name][0], tags, value };
}
