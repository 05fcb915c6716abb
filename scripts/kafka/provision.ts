import { rmSync } from 'node:fs';
import { dockerEngineProblem, removeContainer, startDockerCluster } from './docker.js';
import { javaLogTail, javaToolchainProblem, restartJavaNode, startJavaCluster } from './java.js';
import { isPortAnswering } from './ports.js';
import { waitForCluster } from './ready.js';
import type { ClusterSecurity } from './security.js';
import {
  type ClusterState,
  allStates,
  isClusterAlive,
  isOurBroker,
  isProcessAlive,
  liveLeases,
  readState,
  removeState,
  withProvisioningLock,
  writeState,
} from './state.js';

/** How the broker list was obtained. */
export type KafkaProvisioner = 'env' | 'docker' | 'java';

/** A Kafka cluster this process may use until it calls `stop()`. */
export interface KafkaCluster {
  /** Bootstrap addresses, `host:port`. */
  brokers: string[];
  how: KafkaProvisioner;
  /** True when this call started the cluster (false when reused or taken from the environment). */
  started: boolean;
  /**
   * Releases this process's use of the cluster. The cluster stops when its last user leaves,
   * unless it was started with `keep` (by `kafka:up`); clusters from `KAFKA_BROKERS` are never stopped.
   */
  stop(): Promise<void>;
  /**
   * Isolated Java clusters only: stops node `index` (0-based) with SIGTERM (a clean shutdown) or
   * SIGKILL (`'kill'`) and resolves once its process is gone.
   */
  stopNode?(index: number, how?: 'clean' | 'kill'): Promise<void>;
  /** Isolated Java clusters only: starts a stopped node again on its data; resolves once its port answers. */
  startNode?(index: number): Promise<void>;
  /** Clusters started with `security: true`: the SASL_SSL and SSL listeners and their credentials. */
  security?: ClusterSecurity;
}

export interface EnsureKafkaOptions {
  /** Number of combined broker+controller nodes; 3 gives replication factor 3 and `min.insync.replicas=2`. */
  nodes?: number;
  /** Progress lines (Maven download, start-up); silent by default. */
  log?: (line: string) => void;
  /** Keep the cluster running after every user has left, until `stopKafka()` (`kafka:down`). */
  keep?: boolean;
  /** How long to wait for the brokers to answer; 90 s by default. */
  readyTimeoutMs?: number;
  /**
   * A cluster of this process's own (Java only), never reused by or shared with another: for
   * tests that stop and restart brokers. It has `stopNode`/`startNode`; `stop()` ends it.
   */
  isolated?: boolean;
  /**
   * With `isolated`: every node also listens with SASL_SSL (SCRAM-SHA-256/512, one user created at
   * format time) and SSL, on a self-signed certificate; see `KafkaCluster.security`.
   */
  security?: boolean;
}

/** No way to get a broker exists on this machine; the message lists what was tried. */
export class KafkaUnavailableError extends Error {
  override readonly name = 'KafkaUnavailableError';
}

/**
 * Finds or starts a real Kafka 4 cluster: `KAFKA_BROKERS` if set, else a running cluster
 * this machine already provisioned, else a Docker engine (testcontainers, one node), else
 * Java 17+ and Maven (broker jars from Maven Central, cached in `~/.cache/tributary`).
 *
 * @example
 * ```ts
 * const kafka = await ensureKafka({ nodes: 1, log: console.error });
 * try {
 *   await runAgainst(kafka.brokers);
 * } finally {
 *   await kafka.stop();
 * }
 * ```
 */
export async function ensureKafka(options: EnsureKafkaOptions = {}): Promise<KafkaCluster> {
  const nodes = options.nodes ?? 1;
  const log = options.log ?? (() => undefined);
  if (options.isolated) {
    // KAFKA_BROKERS names a shared cluster, which a test that stops brokers must never touch.
    const problem = await javaToolchainProblem();
    if (problem !== undefined) throw new KafkaUnavailableError(`No isolated Kafka cluster: ${problem}`);
    // Its own state file and data dir: nothing shared, so no provisioning lock.
    const state = {
      ...(await startJavaCluster(nodes, log, options.security ?? false)),
      id: `own-${process.pid}-${Date.now().toString(36)}`,
    };
    return withNodeControl(await startedAndReady(state, options, log));
  }
  if (options.security) throw new Error('ensureKafka({ security: true }) needs isolated: true.');
  const fromEnv = process.env.KAFKA_BROKERS?.split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
  if (fromEnv?.length) {
    log(`Using KAFKA_BROKERS=${fromEnv.join(',')}`);
    return { brokers: fromEnv, how: 'env', started: false, stop: async () => undefined };
  }

  return withProvisioningLock(async () => {
    const existing = readState(nodes);
    if (existing && (await isClusterAlive(existing))) {
      log(`Reusing the ${existing.how} Kafka cluster at ${existing.brokers.join(',')}`);
      return register(existing, options.keep ?? false, false);
    }
    if (existing) await destroyCluster(existing, log);
    return startedAndReady(await startCluster(nodes, log), options, log);
  });
}

async function startedAndReady(
  state: ClusterState,
  options: EnsureKafkaOptions,
  log: (line: string) => void,
): Promise<KafkaCluster & { state: ClusterState }> {
  const { nodes } = state;
  writeState(state);
  try {
    await waitForCluster({
      brokers: state.brokers,
      nodes,
      timeoutMs: options.readyTimeoutMs ?? 90_000,
      deadReason: () => deadReason(state),
      logTail: () => (state.dataDir ? javaLogTail(state.dataDir, nodes) : ''),
    });
  } catch (error) {
    await destroyCluster(state, log);
    throw error;
  }
  log(`Kafka (${state.how}, ${nodes} node(s)) ready at ${state.brokers.join(',')}`);
  return { ...register({ ...state, ready: true }, options.keep ?? false, true), state };
}

function withNodeControl(cluster: KafkaCluster & { state: ClusterState }): KafkaCluster {
  const { state, ...rest } = cluster;
  const pidOf = (index: number) => readState(state.nodes, state.id)?.pids[index] ?? state.pids[index]!;
  return {
    ...rest,
    ...(state.security === undefined ? {} : { security: state.security }),
    async stopNode(index, how = 'clean') {
      const pid = pidOf(index);
      signal([pid], how === 'kill' ? 'SIGKILL' : 'SIGTERM');
      if (!(await allExited([pid], 60_000))) {
        signal([pid], 'SIGKILL');
        await allExited([pid], 5_000);
      }
    },
    async startNode(index) {
      const pid = await restartJavaNode(state, index);
      await withProvisioningLock(async () => {
        const current = readState(state.nodes, state.id) ?? state;
        const pids = [...current.pids];
        pids[index] = pid;
        writeState({ ...current, pids });
      });
      const deadline = Date.now() + 90_000;
      while (!(await isPortAnswering(state.brokers[index]!))) {
        if (!isProcessAlive(pid))
          throw new Error(
            `Kafka node ${index + 1} exited on restart:\n${javaLogTail(state.dataDir!, state.nodes)}`,
          );
        if (Date.now() > deadline)
          throw new Error(`Kafka node ${index + 1} not answering 90 s after restart`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
  };
}

/**
 * Stops clusters this machine provisioned (all sizes unless `nodes` is given) and removes
 * their data. With `onlyIfUnused`, leaves alone clusters that are kept or still in use.
 * Resolves with the number of clusters stopped.
 *
 * @example
 * ```ts
 * await stopKafka(); // what `npm run kafka:down` does
 * ```
 */
export async function stopKafka(
  options: { nodes?: number; onlyIfUnused?: boolean; log?: (line: string) => void } = {},
): Promise<number> {
  const log = options.log ?? (() => undefined);
  return withProvisioningLock(async () => {
    let stopped = 0;
    for (const state of allStates()) {
      if (options.nodes !== undefined && state.nodes !== options.nodes) continue;
      if (options.onlyIfUnused && (state.kept || liveLeases(state).length > 0)) continue;
      await destroyCluster(state, log);
      stopped++;
    }
    return stopped;
  });
}

async function startCluster(nodes: number, log: (line: string) => void): Promise<ClusterState> {
  const tried = ['KAFKA_BROKERS: not set'];
  if (process.env.TRIBUTARY_KAFKA_NO_DOCKER) {
    tried.push('Docker: skipped (TRIBUTARY_KAFKA_NO_DOCKER is set)');
  } else if (nodes === 1) {
    const dockerProblem = await dockerEngineProblem();
    if (dockerProblem === undefined) return startDockerCluster(log);
    tried.push(`Docker: ${dockerProblem}`);
  } else {
    tried.push(`Docker: not used for ${nodes}-node clusters`);
  }
  const javaProblem = await javaToolchainProblem();
  if (javaProblem === undefined) return startJavaCluster(nodes, log);
  tried.push(`Java + Maven: ${javaProblem}`);
  throw new KafkaUnavailableError(`No Kafka broker available. Tried:\n  - ${tried.join('\n  - ')}`);
}

function register(state: ClusterState, keep: boolean, started: boolean): KafkaCluster {
  const leased: ClusterState = keep
    ? { ...state, kept: true }
    : { ...state, leases: [...liveLeases(state), process.pid] };
  writeState(leased);
  return {
    brokers: state.brokers,
    how: state.how,
    started,
    stop: () => (keep ? Promise.resolve() : release(state)),
  };
}

async function release(held: ClusterState): Promise<void> {
  await withProvisioningLock(async () => {
    const state = readState(held.nodes, held.id);
    // Someone ran `kafka:down` meanwhile; the file (if any) now describes another cluster.
    if (!state || state.startedAt !== held.startedAt) return;
    const leases = [...state.leases];
    const mine = leases.indexOf(process.pid);
    if (mine >= 0) leases.splice(mine, 1);
    const remaining = liveLeases({ ...state, leases });
    if (remaining.length === 0 && !state.kept) await destroyCluster(state, () => undefined);
    else writeState({ ...state, leases: remaining });
  });
}

function deadReason(state: ClusterState): string | undefined {
  const dead = state.pids.filter((pid) => !isProcessAlive(pid));
  return dead.length ? `broker process(es) ${dead.join(', ')} exited` : undefined;
}

async function destroyCluster(state: ClusterState, log: (line: string) => void): Promise<void> {
  log(`Stopping the ${state.how} Kafka cluster at ${state.brokers.join(',')}`);
  if (state.containerId) await removeContainer(state.containerId).catch(() => undefined);
  const ours = state.pids.filter((pid) => isOurBroker(pid, state.dataDir));
  signal(ours, 'SIGTERM');
  if (!(await allExited(ours, 20_000))) {
    signal(ours, 'SIGKILL');
    await allExited(ours, 5_000);
  }
  if (state.dataDir) rmSync(state.dataDir, { recursive: true, force: true });
  removeState(state);
}

function signal(pids: number[], name: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // Already gone.
    }
  }
}

async function allExited(pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isProcessAlive)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return true;
}
