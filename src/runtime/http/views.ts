import type { StreamsState, TaskMetadata } from '../events.js';
import type { MeteredThread } from '../metrics/collect.js';
import type { RecentEvent, RestoreProgress, StreamsMonitor } from '../metrics/monitor.js';

/** One task as `/api/tasks` and the live view show it. */
export interface TaskView {
  readonly taskId: string;
  readonly thread: string;
  readonly state: 'RESTORING' | 'RUNNING' | 'STANDBY';
  readonly partitions: readonly { topic: string; partition: number; lag: number | null }[];
  readonly processRate: number;
  readonly processTotal: number;
  readonly droppedTotal: number;
}

/** What `/health` answers. */
export interface HealthView {
  readonly state: StreamsState;
  readonly tasks: { active: number; standby: number; restoring: number; running: number };
}

/** What the live view receives every second over server-sent events. */
export interface LiveView {
  readonly at: number;
  readonly health: HealthView;
  readonly tasks: readonly TaskView[];
  readonly restores: readonly RestoreProgress[];
  readonly recent: readonly RecentEvent[];
}

/** @internal A stream thread as the views read it. */
export interface ViewedThread extends MeteredThread {
  metadata(): TaskMetadata[];
}

/** @internal Every task of the instance: active ones with their rate and lag, then standbys. */
export function taskViews(threads: readonly ViewedThread[]): TaskView[] {
  const now = performance.now();
  const out: TaskView[] = [];
  for (const thread of threads) {
    for (const task of thread.meteredTasks()) {
      const lag = new Map(task.inputLag().map((l) => [`${l.topic}:${l.partition}`, l.lag]));
      let dropped = 0;
      for (const n of task.task.droppedRecords.byReason.values()) dropped += n;
      out.push({
        taskId: task.id,
        thread: thread.name,
        state: task.phase,
        partitions: task.inputPartitions.map(({ topic, partition }) => ({
          topic,
          partition,
          lag: lag.get(`${topic}:${partition}`) ?? null,
        })),
        processRate: task.sensors.process.rate(now),
        processTotal: task.sensors.process.total,
        droppedTotal: dropped,
      });
    }
    for (const standby of thread.metadata().filter((t) => t.kind === 'standby')) {
      out.push({
        taskId: standby.taskId,
        thread: thread.name,
        state: 'STANDBY',
        partitions: standby.topicPartitions.map(({ topic, partition }) => ({ topic, partition, lag: null })),
        processRate: 0,
        processTotal: 0,
        droppedTotal: 0,
      });
    }
  }
  return out.sort((a, b) => compareTaskIds(a.taskId, b.taskId) || a.state.localeCompare(b.state));
}

/** @internal `/health`: the state and how many tasks are where. */
export function healthView(state: StreamsState, tasks: readonly TaskView[]): HealthView {
  const count = (s: TaskView['state']) => tasks.filter((t) => t.state === s).length;
  const restoring = count('RESTORING');
  const running = count('RUNNING');
  return { state, tasks: { active: restoring + running, standby: count('STANDBY'), restoring, running } };
}

/** @internal The live view's periodic update. */
export function liveView(
  state: StreamsState,
  threads: readonly ViewedThread[],
  monitor: StreamsMonitor,
): LiveView {
  const tasks = taskViews(threads);
  return {
    at: Date.now(),
    health: healthView(state, tasks),
    tasks,
    restores: [...monitor.restores.values()],
    recent: monitor.recent,
  };
}

function compareTaskIds(a: string, b: string): number {
  const [sa, pa] = a.split('_').map(Number);
  const [sb, pb] = b.split('_').map(Number);
  return sa! - sb! || pa! - pb!;
}
