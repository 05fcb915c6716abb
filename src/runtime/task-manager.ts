import { access, readdir } from 'node:fs/promises';
import { StreamsError } from '../errors.js';
import { join } from 'node:path';
import type { TopicPartition, TopicPartitions } from '../kafka/port.js';
import type { CacheBudget } from '../state/store.js';
import type { Topology } from '../topology/topology.js';
import { ActiveTask, type ActiveTaskEnvironment } from './active-task.js';
import type { RestoreEnvironment } from './changelog-restore.js';
import type { TaskMetadata } from './events.js';
import { KafkaRecordCollector } from './kafka-record-collector.js';
import { handleRejections } from './send-rejections.js';
import { StandbyTask } from './standby-task.js';
import { StreamTask, type TaskHost } from './stream-task.js';
import { decodeAssignmentInfo, taskIdOf } from './task-assignor.js';
import { TaskStores } from './task-stores.js';
import { TaskReviver } from './task-revival.js';
import type { ResolvedConfig } from './config.js';
import type { TopicPlan } from './topic-plan.js';

/** @internal What a task manager builds tasks from and tells about them. */
export interface TaskManagerOptions {
  readonly topology: Topology;
  readonly plan: TopicPlan;
  /** `<stateDir>/<applicationId>`: one directory per task below it. */
  readonly appDir: string;
  /** Caching (`cacheMaxBytes`), and how fenced tasks are revived (`heartbeatIntervalMs`, `taskTimeoutMs`). */
  readonly config: Pick<
    ResolvedConfig,
    'cacheMaxBytes' | 'defaultDslStore' | 'heartbeatIntervalMs' | 'taskTimeoutMs'
  >;
  readonly cacheBudget: CacheBudget;
  readonly host: TaskHost;
  readonly tasks: ActiveTaskEnvironment;
  readonly restore: RestoreEnvironment;
  /** Tasks with a checkpoint in the state directory when the instance started. */
  readonly tasksWithState: Iterable<string>;
  /** A task finished restoring in the background (called outside the thread's executor). */
  onRestored(task: ActiveTask): void;
  /** A background restore or standby failed. */
  onError(error: unknown): void;
  /** Runs a job in the thread's executor, between its other jobs (a revival, see `TaskReviver`). */
  exclusively(job: () => Promise<void> | void): void;
  /** Whether this member holds its assignment (between an assignment and the next rebalance). */
  owns(): boolean;
}

/** @internal What applying an assignment changed. */
export interface AssignmentChange {
  readonly assigned: string[];
  readonly revoked: string[];
  readonly standby: string[];
}

/**
 * @internal Turns assignments into tasks: creates, keeps, closes (clean or dirty) active tasks
 * and standbys, and owns the maps that find them. `remove` is the one place a task leaves them.
 */
export class TaskManager {
  private readonly tasks = new Map<string, ActiveTask>();
  private readonly taskByPartition = new Map<string, ActiveTask>();
  private readonly standbys = new Map<string, StandbyTask>();
  /** Tasks with local state (a checkpoint) in this instance: the assignor prefers us for them. */
  private readonly tasksWithState: Set<string>;
  private stopping = false;
  private readonly reviver: TaskReviver;
  /** Per task whose commit failed: when it first failed since it last committed. */
  private readonly failingSince = new Map<string, number>();

  constructor(private readonly options: TaskManagerOptions) {
    this.tasksWithState = new Set(options.tasksWithState);
    // Two heartbeats: time for a real migration to show up as a rebalance first.
    this.reviver = new TaskReviver(2 * options.config.heartbeatIntervalMs, (job) => options.exclusively(job));
  }

  /** What the assignor tells the group about this member: tasks it runs and tasks it has state for. */
  assignorState(): { previousActive: string[]; stateTasks: string[] } {
    return {
      previousActive: [...this.tasks.keys()],
      stateTasks: [...new Set([...this.tasks.keys(), ...this.standbys.keys(), ...this.tasksWithState])],
    };
  }

  /** The task reading `topic` partition `partition`, if this instance runs it. */
  taskFor(topic: string, partition: number): ActiveTask | undefined {
    return this.taskByPartition.get(`${topic}:${partition}`);
  }

  /** The active task `id`, if this instance runs it. */
  task(id: string): ActiveTask | undefined {
    return this.tasks.get(id);
  }

  activeTasks(): IterableIterator<ActiveTask> {
    return this.tasks.values();
  }

  standbyTasks(): IterableIterator<StandbyTask> {
    return this.standbys.values();
  }

  /** Active tasks done restoring. */
  runningTasks(): ActiveTask[] {
    return [...this.tasks.values()].filter((t) => t.phase === 'RUNNING');
  }

  /** Whether every active task has restored. */
  get allRunning(): boolean {
    for (const task of this.tasks.values()) if (task.phase !== 'RUNNING') return false;
    return true;
  }

  /** Whether a task has processed or collected anything since the last commit. */
  get needsCommit(): boolean {
    for (const task of this.tasks.values()) if (task.committer.hasWork) return true;
    return false;
  }

  /** From now on, failures of background work are the shutdown's, not errors. */
  beginShutdown(): void {
    this.stopping = true;
  }

  /**
   * Applies a new assignment (after the caller committed what ran): revoked tasks and standbys
   * close, new tasks start restoring in the background with their input paused, kept tasks go on,
   * new standbys start following.
   */
  async applyAssignment(assignment: TopicPartitions, userData: Buffer): Promise<AssignmentChange> {
    // A revival scheduled under the previous assignment is void: this one decides who runs what.
    this.reviver.reset();
    const wanted = new Map<string, TopicPartition[]>();
    for (const [topic, partitions] of Object.entries(assignment)) {
      const sub = this.options.plan.subtopologyByTopic.get(topic);
      if (sub === undefined) continue;
      for (const partition of partitions) {
        const id = taskIdOf(sub, partition);
        const list = wanted.get(id) ?? [];
        list.push({ topic, partition });
        wanted.set(id, list);
      }
    }
    const wantedStandbys = new Set(
      (decodeAssignmentInfo(userData)?.standby ?? []).filter((id) => !wanted.has(id)),
    );
    const revoked = [...this.tasks.keys()].filter((id) => !wanted.has(id));
    for (const id of revoked) await this.closeClean(this.tasks.get(id)!);
    // A standby becoming active here closes first: the active task opens over its directory.
    for (const standby of [...this.standbys.values()])
      if (!wantedStandbys.has(standby.id)) await this.closeStandby(standby);
    const assigned: string[] = [];
    for (const [id, partitions] of wanted) {
      const existing = this.tasks.get(id);
      if (existing !== undefined) existing.keep();
      else {
        this.createTask(id, partitions);
        assigned.push(id);
      }
    }
    for (const id of wantedStandbys) if (!this.standbys.has(id)) this.createStandby(id);
    return { assigned, revoked, standby: [...wantedStandbys] };
  }

  /**
   * Drops a task whose exactly-once commit failed (its producer fenced, or a send, offset commit
   * or EndTxn that failed on the client, whatever the broker did with it): its transaction is void
   * and its local state, ahead of the last commit, is wiped on reopening. If this member still
   * owns it when `reviver` runs (see `TaskReviver`), it is created again: restored, its producer
   * completing or aborting whatever its old one left, its input rewound to the committed offsets.
   * Revivals that fail (a broker still down) are retried until `taskTimeoutMs` has passed since
   * the task last committed; then the thread fails with an error naming `taskTimeoutMs`.
   */
  async closeFenced(task: ActiveTask, cause: unknown): Promise<void> {
    await this.closeDirty(task);
    if (task.commits > 0) this.failingSince.delete(task.id);
    const since = this.failingSince.get(task.id) ?? Date.now();
    this.failingSince.set(task.id, since);
    const timeoutMs = this.options.config.taskTimeoutMs;
    if (Date.now() - since >= timeoutMs) {
      const message = (cause as Error | undefined)?.message ?? String(cause);
      this.options.onError(
        new StreamsError(
          `Task ${task.id} could not commit or start again within taskTimeoutMs (${timeoutMs} ms): ${message}`,
          { taskId: task.id, cause },
        ),
      );
      return;
    }
    this.reviver.schedule(() => {
      if (!this.options.owns() || this.tasks.has(task.id)) return;
      this.createTask(task.id, [...task.inputPartitions], (revived, error) =>
        this.options.exclusively(() => this.closeFenced(revived, error)),
      );
    });
  }

  /** Closes a task after its last commit, writing its checkpoint. */
  async closeClean(task: ActiveTask): Promise<void> {
    this.remove(task);
    if (await task.closeClean()) this.tasksWithState.add(task.id);
  }

  /** Drops a task another instance owns now, without committing anything of it. */
  async closeDirty(task: ActiveTask): Promise<void> {
    this.remove(task);
    await task.closeDirty();
  }

  async closeStandby(standby: StandbyTask): Promise<void> {
    this.standbys.delete(standby.id);
    await standby.close();
    if (standby.hasState) this.tasksWithState.add(standby.id);
  }

  /** The instance failed: every task drops what it collected and stops restoring. */
  abandonAll(): void {
    for (const task of this.tasks.values()) task.abandon();
  }

  /** Releases every task and standby, ignoring errors (after a failure, or the last step of a close). */
  async releaseAll(quietly: (f: () => Promise<unknown>) => Promise<void>): Promise<void> {
    const tasks = [...this.tasks.values()];
    for (const task of tasks) this.remove(task);
    for (const task of tasks) await task.release(quietly);
    const standbys = [...this.standbys.values()];
    this.standbys.clear();
    for (const standby of standbys) await quietly(() => standby.close());
  }

  /** Active and standby tasks with their partitions and committed offsets. */
  metadata(): TaskMetadata[] {
    const out: TaskMetadata[] = [];
    for (const t of this.tasks.values()) {
      out.push({
        taskId: t.id,
        kind: 'active',
        topicPartitions: t.inputPartitions,
        committedOffsets: Object.fromEntries([...t.committedOffsets].map(([k, v]) => [k, String(v)])),
      });
    }
    for (const standby of this.standbys.values()) {
      out.push({
        taskId: standby.id,
        kind: 'standby',
        topicPartitions: this.inputPartitionsOf(standby.id),
        committedOffsets: {},
      });
    }
    return out;
  }

  /** The one place a task leaves the maps. */
  private remove(task: ActiveTask): void {
    if (this.tasks.get(task.id) !== task) return;
    this.tasks.delete(task.id);
    for (const tp of task.inputPartitions) this.taskByPartition.delete(`${tp.topic}:${tp.partition}`);
  }

  private inputPartitionsOf(id: string): TopicPartition[] {
    const [sub, partition] = id.split('_').map(Number) as [number, number];
    const out: TopicPartition[] = [];
    for (const [topic, s] of this.options.plan.subtopologyByTopic)
      if (s === sub) out.push({ topic, partition });
    return out;
  }

  private storesOf(id: string, partition: number, collector: KafkaRecordCollector | undefined): TaskStores {
    const o = this.options;
    return new TaskStores(o.topology, {
      applicationId: o.tasks.applicationId,
      taskId: id,
      partition,
      taskDir: join(o.appDir, id),
      cacheMaxBytes: collector === undefined ? 0 : o.config.cacheMaxBytes,
      cacheBudget: collector === undefined ? undefined : o.cacheBudget,
      collector,
      exactlyOnce: collector !== undefined && o.tasks.exactlyOnce,
      defaultDslStore: o.config.defaultDslStore,
    });
  }

  /**
   * Registers a RESTORING task, pauses its input and opens and restores it in the background.
   * A failure to open or restore goes to `onFailure` if given, else to the thread's `onError`.
   */
  private createTask(
    id: string,
    partitions: TopicPartition[],
    onFailure?: (task: ActiveTask, error: unknown) => void,
  ): void {
    const o = this.options;
    const [subId, partition] = id.split('_').map(Number) as [number, number];
    const sub = o.topology.subtopologies().find((s) => s.id === subId)!;
    const collector = new KafkaRecordCollector(o.plan.topicPartitions, new Set(o.plan.changelogs.values()));
    const stores = this.storesOf(id, partition, collector);
    const streamTask = new StreamTask(subId, partition, o.topology, sub.nodes, o.host, stores, collector);
    if (o.host.handlesSendFailures === true && !o.tasks.exactlyOnce)
      handleRejections(streamTask, o.host, collector);
    const task = new ActiveTask(streamTask, partitions, collector, o.tasks);
    this.tasks.set(id, task);
    for (const tp of partitions) this.taskByPartition.set(`${tp.topic}:${tp.partition}`, task);
    task.startRestoring().then(
      (restored) => {
        if (restored) o.onRestored(task);
      },
      (error: unknown) => {
        if (task.cancelled) return;
        if (onFailure !== undefined) onFailure(task, error);
        else o.onError(error);
      },
    );
  }

  /** Opens a standby in the background: lock, stores, then follow the changelogs. */
  private createStandby(id: string): void {
    const o = this.options;
    const [subId, partition] = id.split('_').map(Number) as [number, number];
    const sub = o.topology.subtopologies().find((s) => s.id === subId);
    if (sub === undefined) return;
    const standby = new StandbyTask(id, this.storesOf(id, partition, undefined));
    this.standbys.set(id, standby);
    standby
      .start(sub, o.tasks.processId, o.tasks.trust, o.restore, (error) => o.onError(error))
      .catch((error: unknown) => {
        if (this.standbys.get(id) === standby && !this.stopping) o.onError(error);
      });
  }
}

/** Tasks with a checkpoint left in `appDir` by an earlier run (or a standby) of this instance. */
export async function findTasksWithState(appDir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(appDir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const id of entries) {
    if (!/^\d+_\d+$/.test(id)) continue;
    const has = await access(join(appDir, id, '.checkpoint')).then(
      () => true,
      () => false,
    );
    if (has) out.push(id);
  }
  return out;
}
