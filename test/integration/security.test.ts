import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type KafkaCluster, ensureKafka } from '../../scripts/kafka/provision.js';
import type { ClusterSecurity } from '../../scripts/kafka/security.js';
import type { KafkaStreams, Logger, StreamsConfig } from '../../src/index.js';
import { createKafkaClient } from '../../src/kafka/index.js';
import { describeWithKafka, uniqueTopic } from './support/kafka.js';
import { produceLines, readCounts, sameCounts, waitUntil, wordCountApp } from './support/word-count-app.js';

let cluster: KafkaCluster;
let security: ClusterSecurity;
const apps: KafkaStreams[] = [];
const dirs: string[] = [];

/** Every line any logger call wrote, fields included, so a secret anywhere in them is found. */
function capturingLogger(lines: string[]): Logger {
  const write = (level: string) => (fields: unknown, message?: string) => {
    lines.push(`${level} ${message ?? ''} ${inspect(fields, { depth: 8 })}`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** Topics created over the PLAINTEXT listener, so set-up needs no credentials. */
async function createTopics(...names: string[]): Promise<void> {
  const kafka = createKafkaClient({ brokers: cluster.brokers });
  const admin = await kafka.admin();
  try {
    await admin.createTopics(names.map((topic) => ({ topic, partitions: 2 })));
  } finally {
    await admin.close();
    await kafka.close();
  }
}

async function secureRun(config: Partial<StreamsConfig>, lines: string[]) {
  const input = uniqueTopic('secure-in');
  const output = uniqueTopic('secure-out');
  await createTopics(input, output);
  const truth = await produceLines(cluster.brokers, input, 200);
  const stateDir = await mkdtemp(join(tmpdir(), 'tributary-secure-'));
  dirs.push(stateDir);
  const app = wordCountApp(input, output, {
    applicationId: uniqueTopic('secure-app'),
    stateDir,
    logger: capturingLogger(lines),
    logLevel: 'debug',
    ...config,
  });
  apps.push(app);
  return { app, input, output, truth };
}

describeWithKafka('a broker that requires SASL/SCRAM over TLS, or TLS', () => {
  beforeAll(async () => {
    cluster = await ensureKafka({ nodes: 1, isolated: true, security: true });
    security = cluster.security!;
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled(apps.map((app) => app.close()));
    await cluster?.stop();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('counts exactly over SASL_SSL with SCRAM-SHA-512 under exactly-once, and no log line shows the password', async () => {
    const lines: string[] = [];
    const { app, output, truth } = await secureRun(
      {
        brokers: security.saslSslBrokers,
        ssl: { ca: [security.caPem] },
        sasl: { mechanism: 'scram-sha-512', username: security.username, password: security.password },
        processingGuarantee: 'exactly_once',
      },
      lines,
    );
    await app.start();
    await waitUntil(
      async () => sameCounts(await readCounts(cluster.brokers, output), truth),
      60_000,
      'exact counts',
    );
    expect(Object.fromEntries(await readCounts(cluster.brokers, output))).toEqual(Object.fromEntries(truth));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((line) => line.includes(security.password))).toEqual([]);
    expect(inspect(app, { depth: 8 })).not.toContain(security.password);
    expect(JSON.stringify(app)).not.toContain(security.password);
  }, 120_000);

  it('counts over a TLS-only listener with the broker’s certificate as the CA', async () => {
    const { app, output, truth } = await secureRun(
      { brokers: security.sslBrokers, ssl: { ca: [security.caPem] } },
      [],
    );
    await app.start();
    await waitUntil(
      async () => sameCounts(await readCounts(cluster.brokers, output), truth),
      60_000,
      'exact counts',
    );
  }, 120_000);

  it('a wrong SCRAM password fails start() with an authentication error that does not echo it', async () => {
    const lines: string[] = [];
    const wrong = `not-${security.password}`;
    const { app } = await secureRun(
      {
        brokers: security.saslSslBrokers,
        ssl: { ca: [security.caPem] },
        sasl: { mechanism: 'scram-sha-256', username: security.username, password: wrong },
      },
      lines,
    );
    const error = await app.start().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toMatch(/SASL|authenticat/i);
    expect(error!.message).not.toContain(wrong);
    expect(app.state).toBe('ERROR');
    expect(lines.filter((line) => line.includes(wrong))).toEqual([]);
  }, 120_000);
});
