import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resolveKafkaJars } from './maven.js';
import { runDir } from './paths.js';
import { freePorts } from './ports.js';
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
}

/**
 * Starts `nodes` combined broker+controller JVMs on 127.0.0.1 (a KRaft quorum of all of
 * them), detached so they outlive this process. Returns the state before the brokers are
 * ready; the caller waits for readiness.
 */
export async function startJavaCluster(nodes: number, log: (line: string) => void): Promise<ClusterState> {
  const libDir = await resolveKafkaJars(log);
  const dataDir = join(runDir(), `data-${nodes}node-${Date.now()}`);
  const ports = await freePorts(KAFKA_HOST, nodes * 2);
  const layout: NodeLayout[] = Array.from({ length: nodes }, (_, index) => ({
    id: index + 1,
    dir: join(dataDir, `node-${index + 1}`),
    brokerPort: ports[index * 2]!,
    controllerPort: ports[index * 2 + 1]!,
  }));
  const voters = layout.map((node) => `${node.id}@${KAFKA_HOST}:${node.controllerPort}`).join(',');
  const clusterId = randomBytes(16).toString('base64url');

  for (const node of layout) {
    mkdirSync(node.dir, { recursive: true });
    writeFileSync(join(node.dir, 'server.properties'), serverProperties(node, voters, nodes));
    writeFileSync(join(node.dir, 'log4j2.properties'), log4jProperties(join(node.dir, 'kafka.log')));
    await formatStorage(libDir, node.dir, clusterId);
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
  };
}

function serverProperties(node: NodeLayout, voters: string, nodes: number): string {
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

async function formatStorage(libDir: string, nodeDir: string, clusterId: string): Promise<void> {
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
