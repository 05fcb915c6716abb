import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resolveKafkaJars } from './maven.js';
import { runDir } from './paths.js';
import { freePorts } from './ports.js';
import {
  createClusterSecurity,
  scramFormatArgs,
  secureListenerSettings,
  type SecurePorts,
} from './security.js';
import { KAFKA_HOST, brokerSettings } from './settings.js';
import type { ClusterState } from './state.js';

const run = promisify(execFile);

/** Resolves with a reason when Java 17+ or Maven is missing, `undefined` when both are usable. */
export async function javaToolchainProblem(): Promise<string | undefined> {
  let javaVersion: string;
  try {
    const { stderr, stdout } = await run('java', ['-version'], { timeout: 30_000 });
    javaVersion = `${stderr}${stdout}`;
  } catch {
    return 'java not found on PATH';
  }
  const major = Number(/version "(?:1\.)?(\d+)/.exec(javaVersion)?.[1] ?? 0);
  if (major < 17) return `java ${major || '(unknown version)'} found, Kafka 4 needs 17+`;
  try {
    await run('mvn', ['-v'], { timeout: 60_000 });
  } catch {
    return 'mvn (Maven) not found on PATH';
  }
  return undefined;
}

interface NodeLayout {
  id: number;
  dir: string;
  brokerPort: number;
  controllerPort: number;
  secure?: SecurePorts;
}

/**
 * Starts `nodes` combined broker+controller JVMs on 127.0.0.1 (a KRaft quorum of all of
 * them), detached so they outlive this process. Returns the state before the brokers are
 * ready; the caller waits for readiness. With `secure`, each node also listens with SASL_SSL
 * (SCRAM) and SSL, and the state carries their addresses, the certificate and the credentials.
 */
export async function startJavaCluster(
  nodes: number,
  log: (line: string) => void,
  secure = false,
): Promise<ClusterState> {
  const libDir = await resolveKafkaJars(log);
  const dataDir = join(runDir(), `data-${nodes}node-${Date.now()}`);
  const perNode = secure ? 4 : 2;
  const ports = await freePorts(KAFKA_HOST, nodes * perNode);
  const layout: NodeLayout[] = Array.from({ length: nodes }, (_, index) => ({
    id: index + 1,
    dir: join(dataDir, `node-${index + 1}`),
    brokerPort: ports[index * perNode]!,
    controllerPort: ports[index * perNode + 1]!,
    ...(secure
      ? { secure: { saslSslPort: ports[index * perNode + 2]!, sslPort: ports[index * perNode + 3]! } }
      : {}),
  }));
  const voters = layout.map((node) => `${node.id}@${KAFKA_HOST}:${node.controllerPort}`).join(',');
  const clusterId = randomBytes(16).toString('base64url');
  mkdirSync(dataDir, { recursive: true });
  const security = secure
    ? await createClusterSecurity(
        dataDir,
        layout.map((n) => n.secure!),
      )
    : undefined;

  for (const node of layout) {
    mkdirSync(node.dir, { recursive: true });
    const listeners =
      security === undefined
        ? {}
        : secureListenerSettings(node.brokerPort, node.controllerPort, node.secure!, security);
    writeFileSync(join(node.dir, 'server.properties'), serverProperties(node, voters, nodes, listeners));
    writeFileSync(join(node.dir, 'log4j2.properties'), log4jProperties(join(node.dir, 'kafka.log')));
    await formatStorage(libDir, node.dir, clusterId, security === undefined ? [] : scramFormatArgs(security));
  }
  log(`Starting ${nodes} Kafka node(s) from ${libDir} with data in ${dataDir} ...`);
  const pids = layout.map((node) => startNode(libDir, node.dir, dataDir));
  return {
    how: 'java',
    nodes,
    brokers: layout.map((node) => `${KAFKA_HOST}:${node.brokerPort}`),
    pids,
    dataDir,
    ready: false,
    kept: false,
    leases: [],
    startedAt: new Date().toISOString(),
    ...(security === undefined
      ? {}
      : {
          security: {
            saslSslBrokers: security.saslSslBrokers,
            sslBrokers: security.sslBrokers,
            caPem: security.caPem,
            username: security.username,
            password: security.password,
          },
        }),
  };
}

function serverProperties(
  node: NodeLayout,
  voters: string,
  nodes: number,
  overrides: Record<string, string>,
): string {
  const settings: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': String(node.id),
    'controller.quorum.voters': voters,
    listeners: `PLAINTEXT://${KAFKA_HOST}:${node.brokerPort},CONTROLLER://${KAFKA_HOST}:${node.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${KAFKA_HOST}:${node.brokerPort}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': join(node.dir, 'logs'),
    ...brokerSettings(nodes),
    ...overrides,
  };
  return Object.entries(settings)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n');
}

function log4jProperties(logFile: string): string {
  return [
    'status = warn',
    'appender.file.type = File',
    'appender.file.name = file',
    `appender.file.fileName = ${logFile}`,
    'appender.file.layout.type = PatternLayout',
    'appender.file.layout.pattern = [%d] %p %m (%c)%n',
    'rootLogger.level = warn',
    'rootLogger.appenderRef.file.ref = file',
    // One INFO line that says the node is up makes the log useful when debugging start-up.
    'logger.server.name = kafka.server.KafkaRaftServer',
    'logger.server.level = info',
  ].join('\n');
}

async function formatStorage(
  libDir: string,
  nodeDir: string,
  clusterId: string,
  extraArgs: readonly string[],
): Promise<void> {
  try {
    await run(
      'java',
      [
        '-cp',
        join(libDir, '*'),
        `-Dlog4j2.configurationFile=${join(nodeDir, 'log4j2.properties')}`,
        'kafka.tools.StorageTool',
        'format',
        '--cluster-id',
        clusterId,
        '--config',
        join(nodeDir, 'server.properties'),
        ...extraArgs,
      ],
      { cwd: nodeDir, timeout: 120_000 },
    );
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`kafka.tools.StorageTool format failed in ${nodeDir}:\n${stdout}${stderr}`, {
      cause: error,
    });
  }
}

function startNode(libDir: string, nodeDir: string, dataDir: string): number {
  const output = openSync(join(nodeDir, 'stdout.log'), 'a');
  const child = spawn(
    'java',
    [
      '-Xms256m',
      '-Xmx512m',
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-XX:+ExitOnOutOfMemoryError',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${join(nodeDir, 'log4j2.properties')}`,
      // Marks the command line so a recycled pid is never mistaken for this broker.
      `-Dtributary.dataDir=${dataDir}`,
      '-cp',
      join(libDir, '*'),
      'kafka.Kafka',
      join(nodeDir, 'server.properties'),
    ],
    { cwd: nodeDir, detached: true, stdio: ['ignore', output, output] },
  );
  closeSync(output);
  child.unref();
  if (child.pid === undefined) throw new Error(`Could not start java for ${nodeDir}`);
  return child.pid;
}

/** Starts node `index` (0-based) of a Java cluster again on its formatted data; resolves with its pid. */
export async function restartJavaNode(state: ClusterState, index: number): Promise<number> {
  const libDir = await resolveKafkaJars(() => undefined);
  return startNode(libDir, join(state.dataDir!, `node-${index + 1}`), state.dataDir!);
}

/** The last lines of each node's logs, for error messages. */
export function javaLogTail(dataDir: string, nodes: number, lines = 20): string {
  const parts: string[] = [];
  for (let id = 1; id <= nodes; id++) {
    for (const file of ['stdout.log', 'kafka.log']) {
      const path = join(dataDir, `node-${id}`, file);
      if (!existsSync(path)) continue;
      const tail = readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      if (tail) parts.push(`--- ${path}\n${tail}`);
    }
  }
  return parts.join('\n') || '(no log output)';
}
