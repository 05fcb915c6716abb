import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConfigError, StreamsError } from '../errors.js';

/** @internal The instance lock's file name, in `<stateDir>/<applicationId>/`. */
export const INSTANCE_LOCK = '.instance.lock';
/** @internal A task lock's file name, in the task's directory. */
export const TASK_LOCK = '.lock';

/** What a lock file records about its holder. */
interface LockOwner {
  pid: number;
  instanceId: string;
}

/**
 * Locks this process holds, by path → instance id. A lock file naming this process's pid but an
 * instance id not listed here is stale: a container restarted with the same pid, say.
 */
const heldInThisProcess = new Map<string, string>();

/** @internal A lock file held by one `KafkaStreams` instance until `release()`. */
export interface StateLock {
  readonly path: string;
  release(): Promise<void>;
}

/** @internal Why a lock could not be taken: the live holder. */
export class LockHeldError extends StreamsError {
  constructor(
    readonly path: string,
    readonly holder: LockOwner,
  ) {
    super(`${path} is held by process ${holder.pid} (instance ${holder.instanceId})`);
  }
}

/**
 * @internal Takes the application directory's lock for one instance. Two live instances (other
 * processes, or two `KafkaStreams` objects in this one) on one `stateDir` would corrupt each other's
 * stores, so the second fails at once, naming the directory.
 */
export async function lockApplicationDir(appDir: string, instanceId: string): Promise<StateLock> {
  try {
    return await tryLock(join(appDir, INSTANCE_LOCK), instanceId);
  } catch (error) {
    const unusable = unusableStateDir(error, appDir);
    if (unusable !== undefined) throw unusable;
    if (!(error instanceof LockHeldError)) throw error;
    const who =
      error.holder.pid === process.pid
        ? 'another KafkaStreams instance in this process'
        : `process ${error.holder.pid}`;
    throw new ConfigError(
      `State directory ${appDir} is in use by ${who}. Each running instance of an application needs its own stateDir: give this one a different stateDir (or stop the other instance first).`,
      { cause: error },
    );
  }
}

/** File-system errors that mean `stateDir` itself cannot hold state: a file, or not writable. */
const UNUSABLE: Readonly<Record<string, string>> = {
  ENOTDIR: 'is a file (or lies under one), not a directory',
  EEXIST: 'is a file, not a directory',
  EACCES: 'is not writable by this process',
  EPERM: 'is not writable by this process',
  EROFS: 'is on a read-only file system',
};

/** The first thing `start()` writes is the instance lock: its failure names the option. */
function unusableStateDir(error: unknown, appDir: string): ConfigError | undefined {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const why = code === undefined ? undefined : UNUSABLE[code];
  if (why === undefined) return undefined;
  const stateDir = dirname(appDir);
  return new ConfigError(
    `stateDir ${stateDir} ${why} (${code}): set stateDir to a writable directory (or leave it out for one under the OS temp dir).`,
    { cause: error },
  );
}

/**
 * @internal Takes a task directory's lock. During a rebalance a task can reach its new owner
 * before the old one closed it, so a lock held by a live instance is retried until `timeoutMs`.
 */
export async function lockTaskDir(
  taskDir: string,
  instanceId: string,
  taskId: string,
  { timeoutMs = 10_000, retryMs = 50 }: { timeoutMs?: number; retryMs?: number } = {},
): Promise<StateLock> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await tryLock(join(taskDir, TASK_LOCK), instanceId);
    } catch (error) {
      if (!(error instanceof LockHeldError)) throw error;
      if (Date.now() >= deadline) {
        throw new StreamsError(
          `Task ${taskId}: could not lock its state directory ${taskDir} within ${timeoutMs} ms: ${error.message}. Another instance is using this stateDir; give each instance its own.`,
          { taskId, cause: error },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  }
}

async function tryLock(path: string, instanceId: string): Promise<StateLock> {
  await mkdir(join(path, '..'), { recursive: true });
  // Written aside, then linked into place: a reader never sees a half-written lock file.
  const aside = `${path}.${instanceId}.tmp`;
  await writeFile(aside, JSON.stringify({ pid: process.pid, instanceId } satisfies LockOwner));
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await link(aside, path);
        heldInThisProcess.set(path, instanceId);
        return { path, release: () => releaseLock(path, instanceId) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = await readOwner(path);
      if (holder !== undefined && isLive(path, holder)) throw new LockHeldError(path, holder);
      // Stale (dead holder, or unreadable): take it over. Two takers race on `link`; one wins.
      if (attempt >= 3) throw new StreamsError(`Could not take over the stale lock ${path}.`);
      await rm(path, { force: true });
    }
  } finally {
    await rm(aside, { force: true });
  }
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid !== 'number' || typeof parsed.instanceId !== 'string') return undefined;
    return { pid: parsed.pid, instanceId: parsed.instanceId };
  } catch {
    return undefined;
  }
}

function isLive(path: string, holder: LockOwner): boolean {
  if (holder.pid === process.pid) return heldInThisProcess.get(path) === holder.instanceId;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

async function releaseLock(path: string, instanceId: string): Promise<void> {
  if (heldInThisProcess.get(path) !== instanceId) return;
  heldInThisProcess.delete(path);
  const holder = await readOwner(path);
  if (holder?.instanceId === instanceId && holder.pid === process.pid) await rm(path, { force: true });
}
