import type { Subtopology } from '../topology/node-defs.js';
import {
  ReadCancellation,
  restoreStartOffsets,
  toChangelogRecords,
  type RestoreEnvironment,
} from './changelog-restore.js';
import { lockTaskDir, type StateLock } from './state-directory.js';
import type { StateTrust, TaskStores } from './task-stores.js';

/**
 * @internal A warm copy of another instance's task: the task's persistent logged stores, no
 * processors, kept up to date by following their changelogs. When the task moves here its active
 * task opens over the same directory and restores only what the standby had not read yet.
 * In-memory stores are not kept: an active task would build new ones and restore them anyway.
 */
export class StandbyTask {
  private readonly cancellation = new ReadCancellation();
  private following: Promise<void> | undefined;
  private closed = false;
  private lock: StateLock | undefined;
  /** Locking, opening and starting to follow, in the background; `close()` waits for it. */
  private opening: Promise<void> | undefined;

  constructor(
    readonly id: string,
    /** The standby's stores; it writes no changelog, it reads them. */
    readonly stores: TaskStores,
  ) {}

  get partition(): number {
    return this.stores.partition;
  }

  /** Whether the standby holds any store (a task with only in-memory stores keeps none). */
  get hasState(): boolean {
    return this.stores.registered.length > 0;
  }

  /**
   * Opens the standby in the background: lock, the sub-topology's persistent logged stores, then
   * follow their changelogs. `onError` hears why it stopped, if it did on its own.
   */
  start(
    sub: Subtopology,
    processId: string,
    trust: StateTrust,
    env: RestoreEnvironment,
    onError: (error: unknown) => void,
  ): Promise<void> {
    const logged = sub.stores.filter((name) => this.stores.isLogged(name));
    this.opening = (async () => {
      this.lock = await lockTaskDir(this.stores.taskDir!, processId, this.id);
      await this.stores.open(logged, trust);
      await this.stores.dropInMemory();
      await this.startFollowing(env, onError);
    })();
    return this.opening;
  }

  /**
   * Starts reading every store's changelog from the checkpoint (or the beginning) and keeps
   * following it until `close()`. `onError` hears why following stopped, if it did on its own.
   */
  private async startFollowing(env: RestoreEnvironment, onError: (error: unknown) => void): Promise<void> {
    if (!this.hasState || this.cancellation.cancelled) return;
    const changelogOffsets = this.stores.changelogOffsets;
    const target = {
      id: this.id,
      partition: this.partition,
      stores: this.stores.registered,
      changelogOffsets,
    };
    const starts = await restoreStartOffsets(env.admin, target, await this.stores.readCheckpoint());
    const storeByTopic = new Map(starts.map((s) => [s.topic, s.store]));
    for (const { topic, start } of starts) changelogOffsets.set(`${topic}:${this.partition}`, start);
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
            changelogOffsets.set(`${batch.topic}:${batch.partition}`, String(BigInt(last) + 1n));
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
    if (!this.hasState || this.closed || this.stores.changelogOffsets.size === 0) return;
    const offsets = Object.fromEntries(this.stores.changelogOffsets);
    await this.stores.flush();
    await this.stores.checkpoint(offsets);
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
      await this.stores.close();
      await this.lock?.release();
    }
  }
}
