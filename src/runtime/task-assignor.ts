import type { AssignmentInput, MemberAssignment, PartitionAssignor, TopicPartitions } from '../kafka/port.js';

/** @internal What each member tells the leader when it joins. */
export interface MemberInfo {
  /** Stable per process, so a restarted member can be recognised by its previous tasks. */
  processId: string;
  /** Active tasks this member ran in the previous generation. */
  previousActive: string[];
  /** Tasks whose state this member holds: its standbys and tasks with a checkpoint on disk. */
  stateTasks: string[];
  /** The member asks every instance to shut down (`'shutdownApplication'`). */
  shutdownRequested?: boolean;
  /** The member's `applicationServer` (`host:port`), for interactive-query metadata. */
  endpoint?: string;
}

/** @internal The tasks of one instance (every stream thread behind one `applicationServer`). */
export interface HostTasks {
  active: string[];
  standby: string[];
}

/** @internal What the leader tells each member besides its partitions. */
export interface AssignmentInfo {
  active: string[];
  standby: string[];
  /** A member asked every instance to shut down: the partitions are empty, stop. */
  shutdownRequested?: boolean;
  /** Tasks per `applicationServer` of the whole group, so every member can route key queries. */
  hosts?: Record<string, HostTasks>;
}

/** @internal A task id: `<subtopology>_<partition>`. */
export function taskIdOf(subtopology: number, partition: number): string {
  return `${subtopology}_${partition}`;
}

/**
 * @internal Assigns tasks, not partitions: all co-partitioned input partitions of a task go to
 * one member. Balanced (stateful and stateless tasks each spread evenly), sticky to the member
 * that ran the task or holds its state, standbys on members other than the active one.
 */
export class TaskAssignor implements PartitionAssignor {
  readonly name = 'tributary-task-assignor';
  readonly version = 1;

  constructor(
    private readonly info: () => MemberInfo,
    /** Source topics per sub-topology (resolved names). */
    private readonly topicsBySubtopology: ReadonlyMap<number, readonly string[]>,
    private readonly numStandbyReplicas: number,
    /** Sub-topologies with logged state: only their tasks get standbys (stateless ones have nothing to copy). */
    private readonly statefulSubtopologies: ReadonlySet<number> = new Set(topicsBySubtopology.keys()),
  ) {}

  userData(): Buffer {
    return Buffer.from(JSON.stringify(this.info()));
  }

  async assign(input: AssignmentInput): Promise<Record<string, MemberAssignment>> {
    const members = input.members.map((m) => ({ memberId: m.memberId, info: decodeMemberInfo(m.userData) }));
    members.sort((a, b) => a.memberId.localeCompare(b.memberId));
    if (members.some((m) => m.info.shutdownRequested === true)) return shutdownAssignments(members);
    const tasks: { id: string; sub: number; partition: number }[] = [];
    for (const [sub, topics] of this.topicsBySubtopology) {
      const count = Math.max(0, ...topics.map((t) => input.topicPartitions[t] ?? 0));
      for (let p = 0; p < count; p++) tasks.push({ id: taskIdOf(sub, p), sub, partition: p });
    }
    const active = new Map<string, string[]>(members.map((m) => [m.memberId, []]));
    const owner = new Map<string, string>();
    const give = (task: string, member: string) => {
      active.get(member)!.push(task);
      owner.set(task, member);
    };
    // Stateful and stateless tasks are balanced separately, so that every member gets its share of
    // the state (and of the standbys that follow it), as Kafka Streams does.
    const stateful = tasks.filter((t) => this.statefulSubtopologies.has(t.sub));
    const stateless = tasks.filter((t) => !this.statefulSubtopologies.has(t.sub));
    for (const group of [stateful, stateless]) {
      const capacity = Math.ceil(group.length / Math.max(1, members.length));
      const inGroup = new Map(members.map((m) => [m.memberId, 0]));
      const load = (m: (typeof members)[number]) => inGroup.get(m.memberId)!;
      const giveInGroup = (task: string, member: string) => {
        give(task, member);
        inGroup.set(member, inGroup.get(member)! + 1);
      };
      // 1. Sticky: previous owner keeps its task while under capacity.
      for (const task of group) {
        const prev = members.find((m) => m.info.previousActive.includes(task.id));
        if (prev !== undefined && load(prev) < capacity) giveInGroup(task.id, prev.memberId);
      }
      // 2. Then a member with the task's state, then the least loaded.
      for (const task of group) {
        if (owner.has(task.id)) continue;
        const withState = members.filter((m) => m.info.stateTasks.includes(task.id) && load(m) < capacity);
        const candidates = withState.length > 0 ? withState : members;
        const target = candidates.reduce((a, b) => {
          const byGroup = load(b) - load(a);
          if (byGroup !== 0) return byGroup < 0 ? b : a;
          return active.get(b.memberId)!.length < active.get(a.memberId)!.length ? b : a;
        });
        giveInGroup(task.id, target.memberId);
      }
    }
    // 3. Standbys: on other members, preferring those with state, then the least loaded.
    const standby = new Map<string, string[]>(members.map((m) => [m.memberId, []]));
    const replicas = Math.min(this.numStandbyReplicas, members.length - 1);
    for (const task of tasks) {
      if (!this.statefulSubtopologies.has(task.sub)) continue;
      for (let r = 0; r < replicas; r++) {
        const candidates = members.filter(
          (m) => m.memberId !== owner.get(task.id) && !standby.get(m.memberId)!.includes(task.id),
        );
        if (candidates.length === 0) break;
        const load = (m: (typeof members)[number]) =>
          active.get(m.memberId)!.length +
          standby.get(m.memberId)!.length -
          (m.info.stateTasks.includes(task.id) ? 0.5 : 0);
        const target = candidates.reduce((a, b) => (load(b) < load(a) ? b : a));
        standby.get(target.memberId)!.push(task.id);
      }
    }
    const hosts = hostTasks(members, active, standby);
    const result: Record<string, MemberAssignment> = {};
    for (const m of members) {
      const partitions: TopicPartitions = {};
      for (const id of active.get(m.memberId)!) {
        const [sub, partition] = id.split('_').map(Number) as [number, number];
        for (const topic of this.topicsBySubtopology.get(sub) ?? []) {
          if (partition < (input.topicPartitions[topic] ?? 0)) (partitions[topic] ??= []).push(partition);
        }
      }
      const info: AssignmentInfo = {
        active: active.get(m.memberId)!,
        standby: standby.get(m.memberId)!,
        ...(hosts === undefined ? {} : { hosts }),
      };
      result[m.memberId] = { assignment: partitions, userData: Buffer.from(JSON.stringify(info)) };
    }
    return result;
  }
}

/** Tasks per endpoint: members without one are left out; threads sharing one are merged. */
function hostTasks(
  members: readonly { memberId: string; info: MemberInfo }[],
  active: ReadonlyMap<string, string[]>,
  standby: ReadonlyMap<string, string[]>,
): Record<string, HostTasks> | undefined {
  let hosts: Record<string, HostTasks> | undefined;
  for (const m of members) {
    if (m.info.endpoint === undefined) continue;
    hosts ??= {};
    const entry = (hosts[m.info.endpoint] ??= { active: [], standby: [] });
    entry.active.push(...active.get(m.memberId)!);
    entry.standby.push(...standby.get(m.memberId)!);
  }
  return hosts;
}

/** Every member gets nothing to do but the request to stop. */
function shutdownAssignments(members: readonly { memberId: string }[]): Record<string, MemberAssignment> {
  const info: AssignmentInfo = { active: [], standby: [], shutdownRequested: true };
  const userData = Buffer.from(JSON.stringify(info));
  return Object.fromEntries(members.map((m) => [m.memberId, { assignment: {}, userData }]));
}

/** @internal */
export function decodeMemberInfo(bytes: Buffer): MemberInfo {
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as Partial<MemberInfo>;
    return {
      processId: String(parsed.processId ?? ''),
      previousActive: Array.isArray(parsed.previousActive) ? parsed.previousActive.map(String) : [],
      stateTasks: Array.isArray(parsed.stateTasks) ? parsed.stateTasks.map(String) : [],
      ...(parsed.shutdownRequested === true ? { shutdownRequested: true } : {}),
      ...(typeof parsed.endpoint === 'string' ? { endpoint: parsed.endpoint } : {}),
    };
  } catch {
    return { processId: '', previousActive: [], stateTasks: [] };
  }
}

/** @internal */
export function decodeAssignmentInfo(bytes: Buffer): AssignmentInfo | undefined {
  if (bytes.length === 0) return undefined;
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as Partial<AssignmentInfo>;
    return {
      active: (parsed.active ?? []).map(String),
      standby: (parsed.standby ?? []).map(String),
      ...(parsed.shutdownRequested === true ? { shutdownRequested: true } : {}),
      ...(parsed.hosts !== undefined && typeof parsed.hosts === 'object'
        ? { hosts: decodeHosts(parsed.hosts) }
        : {}),
    };
  } catch {
    return undefined;
  }
}

function decodeHosts(raw: Record<string, Partial<HostTasks>>): Record<string, HostTasks> {
  const hosts: Record<string, HostTasks> = {};
  for (const [endpoint, tasks] of Object.entries(raw))
    hosts[endpoint] = {
      active: Array.isArray(tasks?.active) ? tasks.active.map(String) : [],
      standby: Array.isArray(tasks?.standby) ? tasks.standby.map(String) : [],
    };
  return hosts;
}
