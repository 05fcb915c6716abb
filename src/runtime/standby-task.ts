import type { StateStore, StateStoreContext } from '../state/store.js';
import type { Subtopology, Topology } from '../topology/topology.js';
import type { RegisteredStore } from './active-task.js';
import {
  ReadCancellation,
  restoreStartOffsets,
  toChangelogRecords,
  type RestoreEnvironment,
} from './changelog-restore.js';
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';
import type { StateLock } from './state-directory.js';

/**
 * @internal A warm copy of another instance's task: the task's persistent logged stores, no
 * processors, kept up to date by following their changelogs. When the task moves here its active
 * task opens over the same directory and restores only what the standby had not read yet.
 * In-memory stores are not kept: an active task would build new ones and restore them anyway.
 */
export class StandbyTask {
  readonly stores: RegisteredStore[] = [];
  /** Next changelog offset to read per `topic:partition`: what the checkpoint records. */
  readonly changelogOffsets = new Map<string, string>();
  private readonly cancellation = new ReadCancellation();
  /** Every store `openStores` built, opened or not, so a failed open can close what it opened. */
  private readonly built: StateStore[] = [];
  private following: Promise<void> | undefined;
  private closed = false;
  /** The task directory's lock, once taken. */
  lock: StateLock | undefined;
  /** Locking, opening and starting to follow, in the background; `close()` waits for it. */
  opening: Promise<void> | undefined;

  constructor(
    readonly id: string,
    readonly partition: number,
    readonly taskDir: string,
  ) {}

  /** Builds the sub-topology's persistent logged stores in the task directory. */
  async openStores(
    topology: Topology,
    sub: Subtopology,
    applicationId: string,
    changelogs: ReadonlyMap<string, string>,
  ): Promise<void> {
    const registered: { store: StateStore; restore: RegisteredStore['restore'] }[] = [];
    const context: StateStoreContext = {
      applicationId,
      taskId: this.id,
      partition: this.partition,
      taskDir: this.taskDir,
      cacheMaxBytes: 0,
      currentTimestamp: () => -1,
      logChange: () => {},
      register: (store, restore) => registered.push({ store, restore }),
    };
    for (const name of sub.stores) {
      const entry = topology.stores.get(name);
      if (entry === undefined || entry.global || !changelogs.has(name)) continue;
      const store = entry.builder.build();
      this.built.push(store);
      await store.init(context, store);
      const mine = registered.splice(0);
      if (!store.persistent) {
        await store.close();
        continue;
      }
      for (const r of mine)
        this.stores.push({ store: r.store, restore: r.restore, changelogTopic: changelogs.get(name) });
    }
  }

  /** Names of the persistent stores `openStores` built but could not open. */
  unopenedStores(): string[] {
    return this.built.filter((s) => s.persistent && !s.isOpen()).map((s) => s.name);
  }

  /** Closes whatever `openStores` opened and forgets it, so that `openStores` can run again. */
  async discardStores(): Promise<void> {
    for (const store of this.built.splice(0))
      await Promise.resolve()
        .then(() => store.close())
        .catch(() => undefined);
    this.stores.length = 0;
  }

  /**
   * Starts reading every store's changelog from the checkpoint (or the beginning) and keeps
   * following it until `close()`. `onError` hears why following stopped, if it did on its own.
   */
  async startFollowing(env: RestoreEnvironment, onError: (error: unknown) => void): Promise<void> {
    if (this.stores.length === 0 || this.cancellation.cancelled) return;
    const checkpoint = await readCheckpoint(this.taskDir);
    const starts = await restoreStartOffsets(
      env.admin,
      this,
      checkpoint === undefined || checkpoint === 'corrupt' ? {} : checkpoint,
    );
    const storeByTopic = new Map(starts.map((s) => [s.topic, s.store]));
    for (const { topic, start } of starts) this.changelogOffsets.set(`${topic}:${this.partition}`, start);
    if (this.closed) return;
    const reader = env.client.partitionReader({
      groupIdPrefix: `${env.applicationId}-standby`,
      partitions: starts.map(({ topic, start }) => ({ topic, partition: this.partition, fromOffset: start })),
      isolation: 'read_committed',
    });
    this.cancellation.use(reader);
    this.following = reader
      .run({
        eachBatch: async (batch) => {
          if (this.cancellation.cancelled) return;
          storeByTopic.get(batch.topic)?.restore(toChangelogRecords(batch));
          const last = batch.messages.at(-1)?.offset;
          if (last !== undefined)
            this.changelogOffsets.set(`${batch.topic}:${batch.partition}`, String(BigInt(last) + 1n));
        },
      })
      .catch((error: unknown) => {
        if (!this.cancellation.cancelled) onError(error);
      });
  }

  /**
   * Makes what was read durable and records how far: the offsets are taken before the flush, so
   * the checkpoint never claims more than the disk holds (records read meanwhile are read again).
   */
  async checkpoint(): Promise<void> {
    if (this.stores.length === 0 || this.closed || this.changelogOffsets.size === 0) return;
    const offsets = Object.fromEntries(this.changelogOffsets);
    for (const s of this.stores) await s.store.flush();
    await writeCheckpoint(this.taskDir, offsets);
  }

  /** Stops following, then flushes, checkpoints and closes the stores and releases the directory. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.cancellation.cancel();
    await this.opening?.catch(() => undefined);
    await this.following;
    try {
      await this.checkpoint();
    } finally {
      this.closed = true;
      for (const s of this.stores) await s.store.close();
      await this.lock?.release();
    }
  }
}
