import type { Subject } from 'rxjs';
import type { ConsumedBatch, KafkaAdmin, KafkaClient, PartitionReader } from '../kafka/port.js';
import type { ChangelogRecord } from '../state/store.js';
import type { RegisteredStore } from './task-stores.js';
import type { Checkpoint } from './checkpoint.js';
import type { RestoreListener, StreamsEvent } from './events.js';
import type { Logger } from '../logger.js';

/** @internal What restoring needs from the running instance. */
export interface RestoreEnvironment {
  readonly client: KafkaClient;
  readonly admin: KafkaAdmin;
  readonly applicationId: string;
  readonly events: Subject<StreamsEvent>;
  readonly listener: RestoreListener | undefined;
  readonly logger: Logger;
}

/** @internal The stores of one task and where their changelogs stand. */
export interface RestoreTarget {
  readonly id: string;
  readonly partition: number;
  readonly stores: readonly RegisteredStore[];
  /** Changelog position per `topic:partition`, advanced as records are restored. */
  readonly changelogOffsets: Map<string, string>;
}

/**
 * @internal Stops a restore or a standby's changelog reader from outside: the reader is closed,
 * so its `run` returns after the batch in flight.
 */
export class ReadCancellation {
  private readerInUse: PartitionReader | undefined;
  private isCancelled = false;

  get cancelled(): boolean {
    return this.isCancelled;
  }

  /** Registers the reader to close on `cancel()`; closes it at once if already cancelled. */
  use(reader: PartitionReader): void {
    this.readerInUse = reader;
    if (this.isCancelled) void reader.close().catch(() => undefined);
  }

  async cancel(): Promise<void> {
    this.isCancelled = true;
    await this.readerInUse?.close().catch(() => undefined);
  }
}

/** A long restore logs its progress (percent, records/s) this often. */
const PROGRESS_LOG_INTERVAL_MS = 5_000;

/** @internal Changelog records of a consumed batch, as a store's restore callback takes them. */
export function toChangelogRecords(batch: ConsumedBatch): ChangelogRecord[] {
  return batch.messages.map((m) => ({
    key: m.key ?? Buffer.alloc(0),
    value: m.value,
    timestamp: m.timestamp,
    offset: m.offset,
  }));
}

/**
 * @internal Where each logged store's restore starts: a persistent store's checkpointed offset
 * when the changelog still holds it, else the changelog's beginning. Also returns the end offsets.
 */
export async function restoreStartOffsets(
  admin: KafkaAdmin,
  target: RestoreTarget,
  checkpoint: Checkpoint,
): Promise<{ store: RegisteredStore; topic: string; start: string; end: string }[]> {
  const logged = target.stores.filter((s) => s.changelogTopic !== undefined);
  if (logged.length === 0) return [];
  const partition = target.partition;
  const ends = await admin.listOffsets(logged.map((s) => ({ topic: s.changelogTopic!, partition })));
  return logged.map((store) => {
    const topic = store.changelogTopic!;
    const end = ends.find((e) => e.topic === topic && e.partition === partition)!;
    const fromCheckpoint = store.store.persistent ? checkpoint[`${topic}:${partition}`] : undefined;
    const start =
      fromCheckpoint !== undefined && BigInt(fromCheckpoint) >= BigInt(end.begin)
        ? fromCheckpoint
        : end.begin;
    return { store, topic, start, end: end.end };
  });
}

/**
 * @internal Brings a task's logged stores up to the end of their changelogs, one store at a time,
 * reporting progress as events, to the restore listener and in the log. Returns false when it was
 * cancelled before the end (the positions reached are in `target.changelogOffsets`).
 */
export async function restoreTask(
  env: RestoreEnvironment,
  target: RestoreTarget,
  checkpoint: Checkpoint,
  cancellation: ReadCancellation,
): Promise<boolean> {
  const plans = await restoreStartOffsets(env.admin, target, checkpoint);
  for (const { topic, start } of plans) target.changelogOffsets.set(`${topic}:${target.partition}`, start);
  for (const { store, topic, start, end } of plans) {
    if (cancellation.cancelled) return false;
    if (BigInt(start) < BigInt(end)) {
      const done = await restoreStore(env, target, store, topic, start, end, cancellation);
      if (!done) return false;
    }
    // Transaction markers at the end hold no records: the restore is complete at `end`.
    target.changelogOffsets.set(`${topic}:${target.partition}`, end);
  }
  return !cancellation.cancelled;
}

async function restoreStore(
  env: RestoreEnvironment,
  target: RestoreTarget,
  s: RegisteredStore,
  topic: string,
  start: string,
  end: string,
  cancellation: ReadCancellation,
): Promise<boolean> {
  const store = s.store.name;
  const partition = target.partition;
  const tp = { topic, partition };
  const key = `${topic}:${partition}`;
  const total = Number(BigInt(end) - BigInt(start));
  env.events.next({ type: 'restore-start', store, topic, partition, startOffset: start, endOffset: end });
  env.listener?.onRestoreStart?.(tp, store, start, end);
  env.logger.info({ taskId: target.id, store, topic, partition, from: start, to: end }, 'restoring store');
  const began = Date.now();
  let restored = 0;
  let lastLogged = began;
  const reader = env.client.partitionReader({
    groupIdPrefix: `${env.applicationId}-restore`,
    partitions: [{ topic, partition, fromOffset: start, untilOffset: end }],
    isolation: 'read_committed',
  });
  cancellation.use(reader);
  try {
    await reader.run({
      eachBatch: async (batch) => {
        if (cancellation.cancelled) return;
        s.restore(toChangelogRecords(batch));
        const last = batch.messages.at(-1)?.offset ?? start;
        const next = String(BigInt(last) + 1n);
        // The restored records and how far they go reach disk in one batch.
        if (s.offsets === undefined) await s.store.flush();
        else await s.offsets.commit({ [key]: next });
        restored += batch.messages.length;
        target.changelogOffsets.set(key, next);
        env.listener?.onBatchRestored?.(tp, store, last, batch.messages.length);
        const now = Date.now();
        const seconds = Math.max(0.001, (now - began) / 1000);
        if (now - lastLogged >= PROGRESS_LOG_INTERVAL_MS) {
          lastLogged = now;
          const percent = total > 0 ? Math.min(100, Math.floor((restored / total) * 100)) : 100;
          env.logger.info(
            { taskId: target.id, store, restored, total, recordsPerSecond: Math.round(restored / seconds) },
            `restoring ${store}: ${percent}%`,
          );
        }
        env.events.next({
          type: 'restore-progress',
          store,
          topic,
          partition,
          restored,
          remaining: Math.max(0, total - restored),
          recordsPerSecond: Math.round(restored / seconds),
        });
      },
    });
  } finally {
    await reader.close();
  }
  if (cancellation.cancelled) {
    env.logger.info({ taskId: target.id, store, restored }, `restoring ${store} cancelled: task revoked`);
    return false;
  }
  env.events.next({ type: 'restore-end', store, topic, partition, totalRestored: restored });
  env.listener?.onRestoreEnd?.(tp, store, restored);
  const seconds = Math.max(0.001, (Date.now() - began) / 1000);
  env.logger.info(
    { taskId: target.id, store, restored, recordsPerSecond: Math.round(restored / seconds) },
    `restored ${store} (100%)`,
  );
  return true;
}
