import { createServer } from 'node:net';
import type { KafkaStreams, StreamsMetadata } from '../../src/index.js';

/** One instance under test and the `applicationServer` it was configured with. */
export interface Instance {
  readonly app: KafkaStreams;
  readonly server: string;
}

/** A port nothing listens on right now, for an `applicationServer` known before `start()`. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function endpoint(m: { host: string; port: number }): string {
  return `${m.host}:${m.port}`;
}

function summary(metadata: StreamsMetadata[]): string {
  return JSON.stringify(metadata);
}

/**
 * Whether every instance is RUNNING and agrees on one metadata picture listing exactly these
 * instances, with every task of `store` active on exactly one of them.
 */
export function settled(instances: readonly Instance[], store: string, partitions: number): boolean {
  if (instances.some(({ app }) => app.state !== 'RUNNING')) return false;
  const pictures = instances.map(({ app }) => summary(app.allMetadata()));
  if (new Set(pictures).size !== 1) return false;
  const metadata = instances[0]!.app.streamsMetadataForStore(store);
  const hosts = instances[0]!.app.allMetadata().map(endpoint).sort();
  if (JSON.stringify(hosts) !== JSON.stringify(instances.map((i) => i.server).sort())) return false;
  const owned = metadata.flatMap((m) => m.topicPartitions.filter((tp) => tp.topic.endsWith('-repartition')));
  return owned.length === partitions && new Set(owned.map((tp) => tp.partition)).size === partitions;
}

/**
 * Asserts, for every key, that all instances name the same owner and that only the owner's local
 * store holds the key (with the true value); with standbys, that each standby host differs from
 * the owner. Returns the problems found (empty when all is well), so callers can retry while a
 * rebalance settles.
 */
export function ownershipProblems(
  instances: readonly Instance[],
  store: string,
  truth: ReadonlyMap<string, number>,
  standbyReplicas: number,
): string[] {
  const problems: string[] = [];
  for (const [key, value] of truth) {
    const metas = instances.map(({ app }) => app.queryMetadataForKey(store, key));
    const owner = endpoint(metas[0]!.activeHost);
    if (metas.some((m) => endpoint(m.activeHost) !== owner || m.partition !== metas[0]!.partition))
      problems.push(`${key}: instances disagree on its owner: ${JSON.stringify(metas)}`);
    const standbys = metas[0]!.standbyHosts.map(endpoint);
    const wantStandbys = Math.min(standbyReplicas, instances.length - 1);
    if (standbys.length !== wantStandbys || standbys.includes(owner))
      problems.push(`${key}: standby hosts ${JSON.stringify(standbys)} (owner ${owner})`);
    for (const { app, server } of instances) {
      const local = app.store<string, number>(store, { type: 'keyValue' }).get(key);
      if (server === owner && local !== value)
        problems.push(`${key}: owner ${owner} has ${local}, not ${value}`);
      if (server !== owner && local !== undefined)
        problems.push(`${key}: ${server} has it but ${owner} owns it`);
      if (!standbys.includes(server)) continue;
      const copy = app.store<string, number>(store, { type: 'keyValue', includeStandbys: true }).get(key);
      if (copy !== value) problems.push(`${key}: standby ${server} has ${copy}, not ${value}`);
    }
  }
  return problems;
}
