import { randomUUID } from 'node:crypto';
import { CommitFailedError, RebalanceInProgressError } from '../errors.js';
import type { GroupMemberAssignment, MemberAssignment, TopicPartitionOffset } from '../port.js';
import { Notifier } from './notifier.js';

/** What a member sends when it (re)joins. */
export interface JoinRequest {
  memberId: string | undefined;
  clientId: string;
  protocol: string;
  userData: Buffer;
  topics: string[];
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
}

/** A joined member as the leader's assignor sees it. */
export interface JoinedMember {
  memberId: string;
  userData: Buffer;
  topics: string[];
}

/** The answer to a join: the leader also gets every member. */
export interface JoinResult {
  memberId: string;
  generationId: number;
  leaderId: string;
  members: JoinedMember[];
}

interface Deferred<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

interface Member {
  memberId: string;
  clientId: string;
  protocol: string;
  userData: Buffer;
  topics: string[];
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  assignment: MemberAssignment | undefined;
  pendingJoin: Deferred<JoinResult> | undefined;
  pendingSync: Deferred<MemberAssignment> | undefined;
  sessionTimer: NodeJS.Timeout | undefined;
}

type GroupState = 'empty' | 'preparing' | 'completing' | 'stable';

const EMPTY_ASSIGNMENT: MemberAssignment = { assignment: {}, userData: Buffer.alloc(0) };

const partitionKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/**
 * One consumer group of the embedded broker: Kafka's classic (eager) join/sync protocol with
 * generations, a leader that runs the assignor client-side, session timeouts and committed offsets.
 */
export class GroupCoordinator {
  /** Fires when a rebalance starts, so waiting members heartbeat at once instead of at their next tick. */
  readonly rebalanceStarted = new Notifier();
  private state: GroupState = 'empty';
  private generationId = 0;
  private leaderId: string | undefined;
  private readonly members = new Map<string, Member>();
  private readonly committed = new Map<string, number>();
  private rebalanceTimer: NodeJS.Timeout | undefined;

  constructor(readonly groupId: string) {}

  get isEmpty(): boolean {
    return this.members.size === 0;
  }

  join(request: JoinRequest): Promise<JoinResult> {
    let member = request.memberId === undefined ? undefined : this.members.get(request.memberId);
    if (!member) {
      member = {
        memberId: `${request.clientId}-${randomUUID()}`,
        clientId: request.clientId,
        protocol: request.protocol,
        userData: request.userData,
        topics: request.topics,
        sessionTimeoutMs: request.sessionTimeoutMs,
        rebalanceTimeoutMs: request.rebalanceTimeoutMs,
        assignment: undefined,
        pendingJoin: undefined,
        pendingSync: undefined,
        sessionTimer: undefined,
      };
      this.members.set(member.memberId, member);
    }
    Object.assign(member, {
      protocol: request.protocol,
      userData: request.userData,
      topics: request.topics,
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs,
    });
    // A member waiting in a join is kept alive by the join itself (the rebalance timeout bounds it).
    this.stopSessionTimer(member);
    const joining = member;
    const result = new Promise<JoinResult>((resolve, reject) => {
      joining.pendingJoin?.reject(new RebalanceInProgressError('superseded by a newer join', {}));
      joining.pendingJoin = { resolve, reject };
    });
    if (this.state === 'preparing') this.completeJoinIfAllJoined();
    else this.startRebalance();
    return result;
  }

  sync(
    memberId: string,
    generationId: number,
    assignments?: Record<string, MemberAssignment>,
  ): Promise<MemberAssignment> {
    const member = this.requireMember(memberId, generationId);
    this.touchSession(member);
    if (this.state === 'stable') return Promise.resolve(member.assignment ?? EMPTY_ASSIGNMENT);
    if (this.state !== 'completing') {
      return Promise.reject(new RebalanceInProgressError(`group ${this.groupId} is rebalancing`));
    }
    const result = new Promise<MemberAssignment>((resolve, reject) => {
      member.pendingSync = { resolve, reject };
    });
    if (memberId === this.leaderId && assignments) this.completeSync(assignments);
    return result;
  }

  heartbeat(memberId: string, generationId: number): void {
    const member = this.requireMember(memberId, generationId);
    this.touchSession(member);
    if (this.state === 'preparing') {
      throw new RebalanceInProgressError(`group ${this.groupId} is rebalancing`);
    }
  }

  leave(memberId: string): void {
    const member = this.members.get(memberId);
    if (!member) return;
    this.removeMember(member, new RebalanceInProgressError('member left the group'));
  }

  /** Commits offsets for a member of the current generation (generation -1: a group without members). */
  commit(memberId: string | undefined, generationId: number, offsets: TopicPartitionOffset[]): void {
    if (generationId >= 0 || this.members.size > 0) {
      if (memberId === undefined) throw new CommitFailedError(`group ${this.groupId} has active members`);
      this.requireMember(memberId, generationId);
      if (this.state === 'completing')
        throw new RebalanceInProgressError(`group ${this.groupId} is rebalancing`);
    }
    this.commitUnchecked(offsets);
  }

  /** Commits offsets without a generation check: transactional offset commits (no KIP-447). */
  commitUnchecked(offsets: TopicPartitionOffset[]): void {
    for (const { topic, partition, offset } of offsets)
      this.committed.set(partitionKey(topic, partition), Number(offset));
  }

  committedOffset(topic: string, partition: number): number | undefined {
    return this.committed.get(partitionKey(topic, partition));
  }

  describe(): GroupMemberAssignment[] {
    return [...this.members.values()].map((member) => {
      const { assignment, userData } =
        this.state === 'stable' ? (member.assignment ?? EMPTY_ASSIGNMENT) : EMPTY_ASSIGNMENT;
      return { memberId: member.memberId, clientId: member.clientId, assignment, userData };
    });
  }

  /** Stops timers and fails pending requests: the broker is shutting down. */
  shutdown(): void {
    clearTimeout(this.rebalanceTimer);
    for (const member of [...this.members.values()])
      this.removeMember(member, new RebalanceInProgressError('broker closed'), false);
  }

  private requireMember(memberId: string, generationId: number): Member {
    const member = this.members.get(memberId);
    if (!member) throw new CommitFailedError(`member ${memberId} is not in group ${this.groupId}`);
    if (generationId !== this.generationId) {
      throw new CommitFailedError(
        `generation ${generationId} of group ${this.groupId} is over (now ${this.generationId})`,
      );
    }
    return member;
  }

  private startRebalance(): void {
    if (this.state === 'completing') {
      for (const member of this.members.values())
        this.failSync(member, new RebalanceInProgressError(`group ${this.groupId} is rebalancing`));
    }
    this.state = 'preparing';
    const rebalanceTimeoutMs = Math.max(0, ...[...this.members.values()].map((m) => m.rebalanceTimeoutMs));
    clearTimeout(this.rebalanceTimer);
    this.rebalanceTimer = setTimeout(() => this.completeJoin(), rebalanceTimeoutMs);
    this.rebalanceTimer.unref();
    this.rebalanceStarted.notify();
    this.completeJoinIfAllJoined();
  }

  private completeJoinIfAllJoined(): void {
    if ([...this.members.values()].every((member) => member.pendingJoin)) this.completeJoin();
  }

  /** Ends the join phase: members that did not rejoin in time are dropped, a new generation starts. */
  private completeJoin(): void {
    clearTimeout(this.rebalanceTimer);
    if (this.state !== 'preparing') return;
    for (const member of [...this.members.values()]) {
      if (!member.pendingJoin) this.members.delete(member.memberId);
    }
    this.generationId++;
    if (this.members.size === 0) {
      this.state = 'empty';
      this.leaderId = undefined;
      return;
    }
    this.state = 'completing';
    if (this.leaderId === undefined || !this.members.has(this.leaderId))
      this.leaderId = this.members.keys().next().value;
    const everyone = [...this.members.values()].map(({ memberId, userData, topics }) => ({
      memberId,
      userData,
      topics,
    }));
    for (const member of this.members.values()) {
      const pending = member.pendingJoin!;
      member.pendingJoin = undefined;
      member.assignment = undefined;
      this.touchSession(member);
      pending.resolve({
        memberId: member.memberId,
        generationId: this.generationId,
        leaderId: this.leaderId!,
        members: member.memberId === this.leaderId ? everyone : [],
      });
    }
  }

  private completeSync(assignments: Record<string, MemberAssignment>): void {
    this.state = 'stable';
    for (const member of this.members.values()) {
      member.assignment = assignments[member.memberId] ?? EMPTY_ASSIGNMENT;
      const pending = member.pendingSync;
      member.pendingSync = undefined;
      pending?.resolve(member.assignment);
    }
  }

  private removeMember(member: Member, reason: Error, rebalance = true): void {
    this.stopSessionTimer(member);
    member.pendingJoin?.reject(reason);
    this.failSync(member, reason);
    this.members.delete(member.memberId);
    if (!rebalance) return;
    if (this.members.size === 0) {
      clearTimeout(this.rebalanceTimer);
      this.state = 'empty';
      this.leaderId = undefined;
      this.generationId++;
    } else if (this.state === 'preparing') {
      this.completeJoinIfAllJoined();
    } else {
      this.startRebalance();
    }
  }

  private failSync(member: Member, reason: Error): void {
    const pending = member.pendingSync;
    member.pendingSync = undefined;
    pending?.reject(reason);
  }

  private touchSession(member: Member): void {
    this.stopSessionTimer(member);
    member.sessionTimer = setTimeout(() => {
      if (this.members.get(member.memberId) === member && !member.pendingJoin) {
        this.removeMember(member, new RebalanceInProgressError(`session of ${member.memberId} timed out`));
      }
    }, member.sessionTimeoutMs);
    member.sessionTimer.unref();
  }

  private stopSessionTimer(member: Member): void {
    clearTimeout(member.sessionTimer);
    member.sessionTimer = undefined;
  }
}
