import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from './ports.js';
import { KAFKA_HOST, KAFKA_IMAGE, brokerSettings } from './settings.js';
import type { ClusterState } from './state.js';

const ENGINE_CHECK_TIMEOUT_MS = 10_000;

/** Resolves with a reason when no Docker engine answers, `undefined` when one does. */
export async function dockerEngineProblem(): Promise<string | undefined> {
  // testcontainers' own discovery can take many seconds; without any hint of an engine, skip it.
  const hints = [
    process.env.DOCKER_HOST,
    [
      '/var/run/docker.sock',
      join(homedir(), '.docker/run/docker.sock'),
      join(homedir(), '.testcontainers.properties'),
    ]
      .concat(process.env.XDG_RUNTIME_DIR ? [join(process.env.XDG_RUNTIME_DIR, 'docker.sock')] : [])
      .find((path) => existsSync(path)),
  ];
  if (!hints.some(Boolean)) return 'no Docker engine (no DOCKER_HOST, no docker.sock)';
  try {
    const { getContainerRuntimeClient } = await importTestcontainers();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), ENGINE_CHECK_TIMEOUT_MS);
    });
    await Promise.race([getContainerRuntimeClient(), timeout]).finally(() => clearTimeout(timer));
    return undefined;
  } catch (error) {
    return `Docker engine not reachable (${(error as Error).message.split('\n')[0]})`;
  }
}

/**
 * Starts one KRaft broker+controller from the Apache Kafka image. The container outlives
 * this process (the reaper is disabled) so other processes can reuse it; `removeContainer`
 * ends it. Multi-node clusters are left to the Java provisioner.
 */
export async function startDockerCluster(log: (line: string) => void): Promise<ClusterState> {
  const { GenericContainer, Wait, getContainerRuntimeClient } = await importTestcontainers();
  const host = (await getContainerRuntimeClient()).info.containerRuntime.host;
  // Binding the same port number on both sides lets the broker advertise the address clients use.
  const [port] = await freePorts(KAFKA_HOST, 1);
  const properties: Record<string, string> = {
    'node.id': '1',
    'process.roles': 'broker,controller',
    'controller.quorum.voters': '1@localhost:9093',
    listeners: `PLAINTEXT://0.0.0.0:${port},CONTROLLER://localhost:9093`,
    'advertised.listeners': `PLAINTEXT://${host}:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    ...brokerSettings(1),
  };
  log(`Starting ${KAFKA_IMAGE} with testcontainers ...`);
  const container = await new GenericContainer(KAFKA_IMAGE)
    .withEnvironment(
      Object.fromEntries(Object.entries(properties).map(([key, value]) => [envName(key), value])),
    )
    .withExposedPorts({ container: port!, host: port! })
    .withWaitStrategy(Wait.forListeningPorts())
    .withStartupTimeout(180_000)
    .start();
  return {
    how: 'docker',
    nodes: 1,
    brokers: [`${host}:${port}`],
    pids: [],
    containerId: container.getId(),
    ready: false,
    kept: false,
    leases: [],
    startedAt: new Date().toISOString(),
  };
}

/** Stops and removes a container started by `startDockerCluster`. */
export async function removeContainer(containerId: string): Promise<void> {
  const { getContainerRuntimeClient } = await importTestcontainers();
  const client = await getContainerRuntimeClient();
  await client.container.dockerode
    .getContainer(containerId)
    .remove({ force: true, v: true })
    .catch((error: { statusCode?: number }) => {
      if (error.statusCode !== 404) throw error;
    });
}

/** The apache/kafka image maps `KAFKA_FOO_BAR` to `foo.bar` (`__` to `_`, `___` to `-`). */
function envName(property: string): string {
  return 'KAFKA_' + property.replace(/_/g, '__').replace(/-/g, '___').replace(/\./g, '_').toUpperCase();
}

async function importTestcontainers() {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  return import('testcontainers');
}
