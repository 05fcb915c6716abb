import { homedir } from 'node:os';
import { join } from 'node:path';

/** Root of everything provisioning keeps outside the repo (jars, running clusters' data). */
export function cacheRoot(): string {
  return (
    process.env.TRIBUTARY_CACHE_DIR ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tributary')
  );
}

/** Where state files, the lock and cluster data directories live. */
export function runDir(): string {
  return join(cacheRoot(), 'run');
}

/**
 * One state file per cluster size, so a 1-node and a 3-node cluster can coexist; a private
 * cluster (one test's own, never shared) has its own file under its `id`.
 */
export function stateFile(nodes: number, id?: string): string {
  return join(runDir(), id === undefined ? `cluster-${nodes}.json` : `cluster-${nodes}-${id}.json`);
}
