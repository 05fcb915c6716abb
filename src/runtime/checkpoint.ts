import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** @internal Changelog offsets per `topic:partition`: the next offset to restore from. */
export type Checkpoint = Record<string, string>;

const FILE = '.checkpoint';

/**
 * @internal Reads a task's checkpoint. A missing file means "restore everything"; a corrupt one is
 * reported as `'corrupt'` so the caller wipes the state instead of trusting it.
 */
export async function readCheckpoint(taskDir: string): Promise<Checkpoint | undefined | 'corrupt'> {
  let text: string;
  try {
    text = await readFile(join(taskDir, FILE), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as { version?: number; offsets?: Record<string, unknown> };
    if (parsed.version !== 1 || typeof parsed.offsets !== 'object' || parsed.offsets === null)
      return 'corrupt';
    const out: Checkpoint = {};
    for (const [k, v] of Object.entries(parsed.offsets)) {
      if (typeof v !== 'string' || !/^\d+$/.test(v)) return 'corrupt';
      out[k] = v;
    }
    return out;
  } catch {
    return 'corrupt';
  }
}

/**
 * @internal Writes atomically and durably: write a temp file, fsync it, rename it over the old
 * one, fsync the directory. A crash or a power loss leaves the old checkpoint or the new one,
 * never half of one, and the rename is never on disk before the bytes it names.
 */
export async function writeCheckpoint(taskDir: string, offsets: Checkpoint): Promise<void> {
  await mkdir(taskDir, { recursive: true });
  const tmp = join(taskDir, `${FILE}.tmp`);
  const file = await open(tmp, 'w');
  try {
    await file.writeFile(JSON.stringify({ version: 1, offsets }));
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, join(taskDir, FILE));
  await syncDirectory(taskDir);
}

/** Makes a rename in `dir` durable. Some platforms cannot open a directory to fsync it (Windows). */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
  } catch {
    return;
  }
  try {
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM') throw error;
  } finally {
    await handle.close();
  }
}

/** @internal Removes the checkpoint: the state on disk is no longer known to match it. */
export async function deleteCheckpoint(taskDir: string): Promise<void> {
  await rm(join(taskDir, FILE), { force: true });
}
