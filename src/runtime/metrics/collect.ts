import type { StateStore } from '../../state/store.js';
import type { CacheStats } from '../../state/internal/write-back-cache.js';
import { metric, type MetricGroup, type StreamsMetric } from './metric.js';
import type { StreamsMonitor } from './monitor.js';
import type { Sensor, TaskSensors, ThreadSensors } from './sensors.js';

/** @internal What the snapshot reads from a task: its sensors, stores and input positions. */
export interface MeteredTask {
  readonly id: string;
  readonly phase: 'RESTORING' | 'RUNNING';
  readonly inputPartitions: readonly { topic: string; partition: number }[];
  readonly sensors: TaskSensors;
  /** The processor graph, which counts the records it dropped by reason. */
  readonly task: {
    readonly droppedRecords: { readonly byReason: ReadonlyMap<string, number> };
    /** Records written to the dead-letter topic. */
    readonly deadLetters: { readonly topic: string | undefined; readonly written: number };
  };
  readonly stores: { all(): ReadonlyMap<string, StateStore> };
  inputLag(): { topic: string; partition: number; lag: number }[];
}

/** @internal What the snapshot reads from a stream thread. */
export interface MeteredThread {
  readonly name: string;
  readonly sensors: ThreadSensors;
  meteredTasks(): readonly MeteredTask[];
  readonly standbyCount: number;
}

/** What a metered store layer reports (`metrics()` of the key-value, window and session layers). */
interface StoreCounts {
  puts?: number;
  gets?: number;
  deletes?: number;
  rangeScans?: number;
  fetches?: number;
}

/** Sampled latencies a metered store reports, if it samples. */
interface StoreLatencies {
  get?: { avg: number; max: number };
  put?: { avg: number; max: number };
}

interface StoreLayer {
  wrapped?: StoreLayer;
  metrics?(): StoreCounts;
  latencies?(): StoreLatencies;
  cacheStats?(): CacheStats;
}

/** @internal The `app.metrics()` snapshot: computed on demand from the sensors, tasks and stores. */
export function collectMetrics(threads: readonly MeteredThread[], monitor: StreamsMonitor): StreamsMetric[] {
  const now = performance.now();
  const out: StreamsMetric[] = [];
  for (const thread of threads) {
    const threadTags = { 'thread-id': thread.name };
    const group: MetricGroup = 'stream-thread-metrics';
    sensorMetrics(out, 'process', thread.sensors.process, group, threadTags, now);
    sensorMetrics(out, 'commit', thread.sensors.commit, group, threadTags, now);
    sensorMetrics(out, 'punctuate', thread.sensors.punctuate, group, threadTags, now);
    out.push(metric('poll-rate', group, threadTags, thread.sensors.poll.rate(now)));
    out.push(metric('poll-total', group, threadTags, thread.sensors.poll.total));
    const tasks = thread.meteredTasks();
    out.push(metric('active-tasks', group, threadTags, tasks.length));
    out.push(metric('standby-tasks', group, threadTags, thread.standbyCount));
    for (const task of tasks) taskMetrics(out, thread.name, task, now);
  }
  for (const r of monitor.restores.values()) {
    const tags = { store: r.store, topic: r.topic, partition: String(r.partition) };
    out.push(metric('restore-total', 'stream-state-metrics', tags, r.restored));
    out.push(metric('restore-rate', 'stream-state-metrics', tags, r.done ? 0 : r.recordsPerSecond));
    out.push(metric('restore-remaining-records-total', 'stream-state-metrics', tags, r.remaining));
  }
  return out;
}

function taskMetrics(out: StreamsMetric[], threadName: string, task: MeteredTask, now: number): void {
  const tags = { 'thread-id': threadName, 'task-id': task.id };
  const group: MetricGroup = 'stream-task-metrics';
  sensorMetrics(out, 'process', task.sensors.process, group, tags, now);
  sensorMetrics(out, 'commit', task.sensors.commit, group, tags, now);
  sensorMetrics(out, 'punctuate', task.sensors.punctuate, group, tags, now);
  for (const [name, store] of task.stores.all()) storeMetrics(out, task.id, name, store as StoreLayer);
  for (const [reason, count] of task.task.droppedRecords.byReason)
    out.push(metric('dropped-records-total', group, { ...tags, reason }, count));
  if (task.task.deadLetters.topic !== undefined)
    out.push(metric('dead-letter-records-total', group, tags, task.task.deadLetters.written));
  let maxLag = Number.NaN;
  for (const { topic, partition, lag } of task.inputLag()) {
    const lagTags = { ...tags, topic, partition: String(partition) };
    out.push(metric('records-lag', 'consumer-fetch-manager-metrics', lagTags, lag));
    if (!(lag <= maxLag)) maxLag = lag;
  }
  out.push(metric('records-lag-max', 'consumer-fetch-manager-metrics', tags, maxLag));
}

/** Store operation counts, sampled latencies and cache hit ratio. */
function storeMetrics(out: StreamsMetric[], taskId: string, name: string, store: StoreLayer): void {
  const tags = { 'task-id': taskId, store: name };
  const group: MetricGroup = 'stream-state-metrics';
  const counts = store.metrics?.() ?? {};
  if (counts.puts !== undefined) out.push(metric('put-total', group, tags, counts.puts));
  if (counts.gets !== undefined) out.push(metric('get-total', group, tags, counts.gets));
  if (counts.deletes !== undefined) out.push(metric('delete-total', group, tags, counts.deletes));
  if (counts.rangeScans !== undefined) out.push(metric('range-total', group, tags, counts.rangeScans));
  if (counts.fetches !== undefined) out.push(metric('fetch-total', group, tags, counts.fetches));
  const latencies = store.latencies?.();
  if (latencies?.get !== undefined) {
    out.push(metric('get-latency-avg', group, tags, latencies.get.avg));
    out.push(metric('get-latency-max', group, tags, latencies.get.max));
  }
  if (latencies?.put !== undefined) {
    out.push(metric('put-latency-avg', group, tags, latencies.put.avg));
    out.push(metric('put-latency-max', group, tags, latencies.put.max));
  }
  for (let layer: StoreLayer | undefined = store; layer !== undefined; layer = layer.wrapped) {
    if (layer.cacheStats === undefined) continue;
    const { hits, misses } = layer.cacheStats();
    const ratio = hits + misses === 0 ? Number.NaN : hits / (hits + misses);
    out.push(metric('hit-ratio', 'stream-record-cache-metrics', tags, ratio));
    break;
  }
}

function sensorMetrics(
  out: StreamsMetric[],
  base: 'process' | 'commit' | 'punctuate',
  sensor: Sensor,
  group: MetricGroup,
  tags: Record<string, string>,
  now: number,
): void {
  out.push(metric(`${base}-rate`, group, tags, sensor.rate(now)));
  out.push(metric(`${base}-total`, group, tags, sensor.total));
  out.push(metric(`${base}-latency-avg`, group, tags, sensor.avg(now)));
  out.push(metric(`${base}-latency-max`, group, tags, sensor.max(now)));
}
