import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StateStoreError } from '../errors.js';
import type { KafkaAdmin } from '../kafka/port.js';
import type {
  CacheBudget,
  ChangelogOffsetStore,
  ChangelogRecord,
  StateStore,
  StateStoreContext,
} from '../state/store.js';
import { storeBuilderOf, type DslStoreType } from '../topology/node-defs.js';
import type { Topology } from '../topology/topology.js';
import { readCheckpoint, writeCheckpoint, type Checkpoint } from './checkpoint.js';
import type { Logger } from '../logger.js';
import type { RecordCollector } from './record-collector.js';
import { TASK_LOCK } from './state-directory.js';

/** @internal A store registered by a task, with where its changelog is. */
export interface RegisteredStore {
  readonly store: StateStore;
  readonly restore: (batch: readonly ChangelogRecord[]) => void;
  readonly changelogTopic: string | undefined;
  /** The inner store that keeps its own changelog offsets, when it does (level stores). */
  readonly offsets: ChangelogOffsetStore | undefined;
}

/** @internal Where the stores of one task live and whom they tell about their changes. */
export interface TaskStoresOptions {
  readonly applicationId: string;
  readonly taskId: string;
  /** The task's partition, and so its changelogs' (-1 for global stores: they span every partition). */
  readonly partition: number;
  /** `undefined` where only in-memory stores are allowed (the test driver). */
  readonly taskDir: string | undefined;
  readonly cacheMaxBytes: number;
  readonly cacheBudget?: CacheBudget;
  /** Where change-logging layers send; undefined: changes are not logged (standby, global). */
  readonly collector?: RecordCollector;
  /** An active task under exactly-once (see `StateStoreContext.exactlyOnce`). */
  readonly exactlyOnce?: boolean;
  /** The inner store of DSL stores whose operator names none; `'in-memory'` when not given (the test driver's choice). */
  readonly defaultDslStore?: DslStoreType;
}

/** @internal What deciding whether local state can be trusted needs from the running instance. */
export interface StateTrust {
  readonly admin: KafkaAdmin;
  readonly logger: Logger;
  /** Under exactly-once a missing checkpoint means an unclean stop. */
  readonly exactlyOnce: boolean;
}

/** @internal The timestamp of the record being processed, as change-logging layers stamp it. */
export interface RecordClock {
  readonly timestamp: number;
}

const NO_CLOCK: RecordClock = { timestamp: -1 };

/**
 * @internal The state manager of one task (active, standby or global, in the runtime or the test
 * driver): builds the task's stores, gives them their context, keeps what they register for
 * restoration and where their changelogs stand, flushes, checkpoints and closes them, and wipes
 * local state it cannot trust.
 *
 * @example
 * ```ts
 * const stores = new TaskStores(topology, { applicationId, taskId: '0_1', partition: 1, taskDir, cacheMaxBytes: 0 });
 * await stores.open(['counts'], trust);
 * stores.get('counts');
 * await stores.close();
 * ```
 */
export class TaskStores {
  /** Stores in registration order, with their restore callbacks and changelog topics. */
  readonly registered: RegisteredStore[] = [];
  /** Changelog position per `topic:partition`: where a restore would start, what a checkpoint records. */
  readonly changelogOffsets = new Map<string, string>();
  private readonly stores = new Map<string, StateStore>();
  private readonly offsetStores = new Map<string, ChangelogOffsetStore>();
  private clock: RecordClock = NO_CLOCK;

  constructor(
    private readonly topology: Topology,
    readonly options: TaskStoresOptions,
  ) {}

  get taskId(): string {
    return this.options.taskId;
  }

  get partition(): number {
    return this.options.partition;
  }

  get taskDir(): string | undefined {
    return this.options.taskDir;
  }

  /** Change-logging layers stamp records with `clock.timestamp` (the task's current record). */
  useClock(clock: RecordClock): void {
    this.clock = clock;
  }

  /** A store of this task by name. */
  get(name: string): StateStore | undefined {
    return this.stores.get(name);
  }

  /** Every store of this task by name. */
  all(): ReadonlyMap<string, StateStore> {
    return this.stores;
  }

  /** Whether a store of the topology is logged (has a changelog topic). */
  isLogged(name: string): boolean {
    return this.topology.changelogTopic(this.options.applicationId, name) !== undefined;
  }

  /** Whether a registered store keeps data on disk (and so has a checkpoint). */
  get persistent(): boolean {
    return this.registered.some((s) => s.store.persistent);
  }

  /**
   * Exactly-once: whether the disk holds committed state only, because every persistent store
   * keeps its own offsets and writes only on commit. Such a task checkpoints after each
   * transaction, and a crash restores only the changelog's tail instead of wiping.
   */
  get holdsCommittedStateOnly(): boolean {
    return (
      this.options.exactlyOnce === true &&
      this.persistent &&
      this.registered.every((s) => !s.store.persistent || s.offsets?.writesOnlyOnCommit === true)
    );
  }

  /**
   * Builds and initialises the named stores (names of other tasks' or unknown stores are skipped
   * by the caller). Returns undefined when every store opened synchronously; else a promise that
   * settles once every open settled, so a failure leaves nothing half-opened unknown.
   */
  init(names: Iterable<string>): Promise<void> | undefined {
    const pending = this.build(names);
    if (pending.size === 0) return undefined;
    return Promise.allSettled(pending.values()).then((results) => {
      for (const r of results) if (r.status === 'rejected') throw r.reason;
    });
  }

  /** `init` for runners without a disk (the test driver): a store that opens asynchronously is an error. */
  initSynchronously(names: Iterable<string>): void {
    const pending = this.build(names);
    if (pending.size === 0) return;
    for (const p of pending.values()) p.catch(() => undefined);
    throw new StateStoreError(
      `Task ${this.taskId}: store ${[...pending.keys()].map((n) => `"${n}"`).join(', ')} opens asynchronously (a persistent store); use in-memory stores here.`,
      { taskId: this.taskId, node: [...pending.keys()][0] },
    );
  }

  private build(names: Iterable<string>): Map<string, Promise<void>> {
    const context = this.context();
    const pending = new Map<string, Promise<void>>();
    for (const name of names) {
      const entry = this.topology.stores.get(name);
      if (entry === undefined) continue;
      const store = storeBuilderOf(entry, this.options.defaultDslStore ?? 'in-memory').build();
      this.stores.set(name, store);
      const result = store.init(context, store);
      if (result !== undefined) pending.set(name, result);
    }
    return pending;
  }

  /**
   * Opens the named stores over local state that can be trusted: untrusted state is wiped first
   * (see `wipeUntrusted`), and stores that cannot be opened (corrupt files, a file where a store's
   * directory should be) are closed, wiped and opened once more, empty, to be restored from the
   * changelog. If that fails too, the directory itself is unusable.
   */
  async open(names: readonly string[], trust: StateTrust): Promise<void> {
    const taskDir = this.requireTaskDir();
    await this.wipeUntrusted(trust);
    await mkdir(taskDir, { recursive: true });
    try {
      await this.init(names);
      const reason = await this.untrustedStores(trust.admin);
      if (reason === undefined) return;
      trust.logger.warn(
        { taskId: this.taskId, reason },
        'wiping local state; it will be restored from the changelog',
      );
    } catch (error) {
      trust.logger.warn(
        { err: error, taskId: this.taskId, stores: this.unopened() },
        'cannot open state stores; wiping local state, it will be restored from the changelog',
      );
    }
    await this.discard();
    await wipeTaskState(taskDir);
    await mkdir(taskDir, { recursive: true });
    try {
      await this.init(names);
    } catch (error) {
      await this.discard();
      throw new StateStoreError(
        `Task ${this.taskId} cannot open its state stores even after wiping ${taskDir}: check that the directory is writable and the disk healthy.`,
        { taskId: this.taskId, cause: error },
      );
    }
  }

  /** Closes and forgets the stores that keep nothing on disk (a standby keeps only persistent ones). */
  async dropInMemory(): Promise<void> {
    for (const [name, store] of this.stores) {
      if (store.persistent) continue;
      this.stores.delete(name);
      await store.close();
    }
    for (let i = this.registered.length - 1; i >= 0; i--)
      if (!this.registered[i]!.store.persistent) this.registered.splice(i, 1);
  }

  /** Names of the persistent stores that are not open (the ones that failed to open). */
  unopened(): string[] {
    return [...this.stores.values()].filter((s) => s.persistent && !s.isOpen()).map((s) => s.name);
  }

  /** Closes whatever opened, quietly, and forgets every store, so that `init` can run again. */
  async discard(): Promise<void> {
    for (const store of this.stores.values())
      await Promise.resolve()
        .then(() => store.close())
        .catch(() => undefined);
    this.stores.clear();
    this.offsetStores.clear();
    this.registered.length = 0;
  }

  /**
   * Why stores that keep their own changelog offsets cannot be trusted, if they cannot: a logged
   * store holding data but no offset for its changelog (written by an older version, or emptied
   * of its offsets), or an offset beyond the changelog's end (another history of the topic).
   */
  private async untrustedStores(admin: KafkaAdmin): Promise<string | undefined> {
    const own: Checkpoint = {};
    for (const { store, changelogTopic, offsets } of this.registered) {
      if (changelogTopic === undefined || offsets === undefined) continue;
      const key = `${changelogTopic}:${this.partition}`;
      const offset = offsets.committedOffsets()[key];
      if (offset !== undefined) own[key] = offset;
      else if (offsets.approximateNumEntries() > 0)
        return `store ${store.name} holds data but no offset for ${key}`;
    }
    return beyondChangelogEnd(admin, own);
  }

  /**
   * Local state is never trusted blindly: it is wiped (and restored from the changelog) when the
   * checkpoint is corrupt, when exactly-once finds no checkpoint (the last stop was unclean, so
   * local state may hold uncommitted writes), or when a checkpointed offset lies beyond the
   * changelog's end (the topic was recreated or the application reset: the state belongs to
   * another history).
   */
  async wipeUntrusted(trust: StateTrust): Promise<void> {
    const taskDir = this.requireTaskDir();
    const checkpoint = await readCheckpoint(taskDir);
    let reason: string | undefined;
    if (checkpoint === 'corrupt') reason = 'corrupt checkpoint';
    else if (checkpoint === undefined)
      reason = trust.exactlyOnce ? 'no checkpoint after an unclean stop' : undefined;
    else reason = await beyondChangelogEnd(trust.admin, checkpoint);
    if (reason === undefined) return;
    // A task directory with nothing but its lock is a first start, not an unclean stop.
    const entries = await readdir(taskDir).catch(() => [] as string[]);
    if (!entries.some((entry) => entry !== TASK_LOCK)) return;
    trust.logger.warn(
      { taskId: this.taskId, reason },
      'wiping local state; it will be restored from the changelog',
    );
    await wipeTaskState(taskDir);
  }

  /**
   * The offsets to restore from. A store that keeps its own offsets is restored from its own word
   * (no offset: from the beginning), whatever the checkpoint file says; other persistent stores
   * from the checkpoint; in-memory stores from the beginning.
   */
  async readCheckpoint(): Promise<Checkpoint> {
    if (this.options.taskDir === undefined) return {};
    const file = await readCheckpoint(this.options.taskDir);
    const checkpoint: Record<string, string> = file === undefined || file === 'corrupt' ? {} : { ...file };
    for (const { changelogTopic, offsets } of this.registered) {
      if (changelogTopic === undefined || offsets === undefined) continue;
      const key = `${changelogTopic}:${this.partition}`;
      const own = offsets.committedOffsets()[key];
      if (own === undefined) delete checkpoint[key];
      else checkpoint[key] = own;
    }
    return checkpoint;
  }

  /**
   * Records how far the changelogs go: into each store that keeps its own offsets (with its
   * unflushed writes, one atomic batch), then as the task's checkpoint file (`changelogOffsets`,
   * or `offsets` taken earlier by the caller).
   */
  async checkpoint(offsets: Checkpoint = Object.fromEntries(this.changelogOffsets)): Promise<void> {
    await this.commitOffsets(offsets);
    await writeCheckpoint(this.requireTaskDir(), offsets);
  }

  /** Writes each store's changelog offset from `offsets` into the stores that keep their own. */
  async commitOffsets(offsets: Checkpoint = Object.fromEntries(this.changelogOffsets)): Promise<void> {
    for (const { changelogTopic, offsets: store } of this.registered) {
      if (changelogTopic === undefined || store === undefined) continue;
      const key = `${changelogTopic}:${this.partition}`;
      const offset = offsets[key];
      if (offset !== undefined) await store.commit({ [key]: offset });
    }
  }

  /** Advances the changelog positions of this task's stores to what the last sends acknowledged. */
  noteChangelogEnds(ends: ReadonlyMap<string, string>): void {
    for (const [tp, offset] of ends) if (this.changelogOffsets.has(tp)) this.changelogOffsets.set(tp, offset);
  }

  /** Makes every store's writes durable, in registration order. */
  async flush(): Promise<void> {
    for (const s of this.registered) await s.store.flush();
  }

  /** Closes every store. */
  async close(): Promise<void> {
    for (const store of this.stores.values()) await store.close();
  }

  /** Closes in-memory stores without waiting (test driver). */
  closeSynchronously(): void {
    for (const store of this.stores.values()) void store.close();
  }

  private requireTaskDir(): string {
    if (this.options.taskDir === undefined)
      throw new StateStoreError(`Task ${this.taskId} has no state directory.`, { taskId: this.taskId });
    return this.options.taskDir;
  }

  private context(): StateStoreContext {
    const { applicationId, taskId, partition, taskDir, cacheMaxBytes, cacheBudget, collector, exactlyOnce } =
      this.options;
    // Resolved once per store: building the topic name per write costs a string and a hash.
    const changelogTopics = new Map<string, string | undefined>();
    const changelogTopicOf = (storeName: string): string | undefined => {
      if (changelogTopics.has(storeName)) return changelogTopics.get(storeName);
      const topic = this.topology.changelogTopic(applicationId, storeName);
      changelogTopics.set(storeName, topic);
      return topic;
    };
    return {
      applicationId,
      taskId,
      partition,
      taskDir,
      cacheMaxBytes,
      cacheBudget,
      exactlyOnce,
      currentTimestamp: () => this.clock.timestamp,
      logChange:
        collector === undefined
          ? () => {}
          : (storeName, key, value, timestamp) => {
              const topic = changelogTopicOf(storeName);
              if (topic === undefined) return;
              collector.send({ topic, partition, key, value, timestamp, headers: undefined });
            },
      register: (store, restore) => {
        this.registered.push({
          store,
          restore,
          changelogTopic: this.topology.changelogTopic(applicationId, store.name),
          offsets: this.offsetStores.get(store.name),
        });
      },
      registerOffsetStore: (store) => {
        this.offsetStores.set(store.name, store);
      },
    };
  }
}

/** Why a checkpoint cannot be trusted because it points past its changelog's end, if it does. */
async function beyondChangelogEnd(admin: KafkaAdmin, checkpoint: Checkpoint): Promise<string | undefined> {
  const positions = Object.entries(checkpoint).map(([key, offset]) => {
    const split = key.lastIndexOf(':');
    return { topic: key.slice(0, split), partition: Number(key.slice(split + 1)), offset };
  });
  if (positions.length === 0) return undefined;
  // A changelog that no longer exists (a store renamed or removed, topics deleted) has no end to
  // compare with: the state belongs to another history, like one beyond the end.
  const partitions = await admin.describeTopics([...new Set(positions.map((p) => p.topic))]);
  const vanished = positions.find((p) => !(p.partition < (partitions[p.topic] ?? 0)));
  if (vanished !== undefined)
    return `checkpoint names ${vanished.topic}:${vanished.partition}, a changelog that no longer exists`;
  const ends = await admin.listOffsets(positions.map(({ topic, partition }) => ({ topic, partition })));
  const ahead = positions.find((p) => {
    const end = ends.find((e) => e.topic === p.topic && e.partition === p.partition);
    return end === undefined || BigInt(p.offset) > BigInt(end.end);
  });
  return ahead === undefined
    ? undefined
    : `checkpoint ${ahead.topic}:${ahead.partition}@${ahead.offset} is beyond the changelog's end`;
}

/** Removes a task's local state but not its lock file (the caller holds the lock). */
async function wipeTaskState(taskDir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(taskDir);
  } catch {
    return;
  }
  for (const entry of entries)
    if (entry !== TASK_LOCK) await rm(join(taskDir, entry), { recursive: true, force: true });
}

/** @internal Every global store of a topology: one `TaskStores` per instance holds them all. */
export function globalStoreNames(topology: Topology): string[] {
  return [...topology.stores].filter(([, entry]) => entry.global).map(([name]) => name);
}
