import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
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

/** @internal Writes atomically (temp file + rename), so a crash never leaves half a checkpoint. */
export async function writeCheckpoint(taskDir: string, offsets: Checkpoint): Promise<void> {
  await mkdir(taskDir, { recursive: true });
  const tmp = join(taskDir, `${FILE}.tmp`);
  await writeFile(tmp, JSON.stringify({ version: 1, offsets }));
  await rename(tmp, join(taskDir, FILE));
}

/** @internal Removes the checkpoint: the state on disk is no longer known to match it. */
export async function deleteCheckpoint(taskDir: string): Promise<void> {
  await rm(join(taskDir, FILE), { force: true });
}
