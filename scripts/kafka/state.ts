import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isPortAnswering } from './ports.js';
import type { ClusterSecurity } from './security.js';
import { runDir, stateFile } from './paths.js';

/** What a provisioned cluster leaves behind so later processes can reuse or stop it. */
export interface ClusterState {
  how: 'docker' | 'java';
  nodes: number;
  brokers: string[];
  /** Java: one broker process per node. */
  pids: number[];
  /** Docker: the container running the broker. */
  containerId?: string;
  dataDir?: string;
  ready: boolean;
  /** Set by `kafka:up`: the cluster stays until `kafka:down`. */
  kept: boolean;
  /** Processes currently using the cluster; the last one to leave stops it unless `kept`. */
  leases: number[];
  startedAt: string;
  /** Set for a private cluster: started for one process, never reused by another. */
  id?: string;
  /** Set for a cluster started with `security: true`. */
  security?: ClusterSecurity;
}

export function readState(nodes: number, id?: string): ClusterState | undefined {
  try {
    return JSON.parse(readFileSync(stateFile(nodes, id), 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

export function writeState(state: ClusterState): void {
  mkdirSync(runDir(), { recursive: true });
  writeFileSync(stateFile(state.nodes, state.id), JSON.stringify(state, null, 2) + '\n');
}

export function removeState(state: Pick<ClusterState, 'nodes' | 'id'>): void {
  rmSync(stateFile(state.nodes, state.id), { force: true });
}

/** Every state file present, whatever the cluster size. */
export function allStates(): ClusterState[] {
  let names: string[];
  try {
    names = readdirSync(runDir());
  } catch {
    return [];
  }
  return names
    .map((name) => /^cluster-(\d+)(?:-(.+))?\.json$/.exec(name))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => readState(Number(match[1]), match[2]))
    .filter((state): state is ClusterState => state !== undefined);
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A pid can be recycled after a reboot; on Linux confirm it is still our broker. */
export function isOurBroker(pid: number, dataDir: string | undefined): boolean {
  if (!isProcessAlive(pid)) return false;
  try {
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return commandLine.includes('kafka.Kafka') && (dataDir === undefined || commandLine.includes(dataDir));
  } catch {
    return true;
  }
}

/** Ready, its processes alive (Java) and every broker port answering. */
export async function isClusterAlive(state: ClusterState): Promise<boolean> {
  if (!state.ready) return false;
  if (state.how === 'java' && !state.pids.every((pid) => isOurBroker(pid, state.dataDir))) return false;
  const answers = await Promise.all(state.brokers.map((broker) => isPortAnswering(broker)));
  return answers.every(Boolean);
}

export function liveLeases(state: ClusterState): number[] {
  return state.leases.filter(isProcessAlive);
}

/**
 * Serializes provisioning across processes (tests, benchmarks and the CLI may start at once):
 * an exclusive lock file holding the owner's pid; a lock whose owner died is taken over.
 */
export async function withProvisioningLock<T>(work: () => Promise<T>, timeoutMs = 15 * 60_000): Promise<T> {
  mkdirSync(runDir(), { recursive: true });
  const lockPath = join(runDir(), 'provision.lock');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(await readFile(lockPath, 'utf8').catch(() => ''));
      if (Number.isInteger(owner) && owner > 0 && !isProcessAlive(owner)) {
        await rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `Timed out waiting for the Kafka provisioning lock ${lockPath} (held by pid ${owner})`,
          {
            cause: error,
          },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lockPath, { force: true });
  }
}
