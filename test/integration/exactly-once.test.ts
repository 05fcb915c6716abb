import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { KafkaStreams } from '../../src/index.js';
import { createKafkaClient } from '../../src/kafka/index.js';
import { describeWithKafka, kafkaBrokers, uniqueTopic } from './support/kafka.js';
import { ledgerApp } from './support/ledger-app.js';
import { readCommitted } from './support/read-committed.js';
import { waitUntil } from './support/word-count-app.js';

const dirs: string[] = [];
const children: ChildProcess[] = [];
const apps: KafkaStreams[] = [];

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await Promise.all(apps.map((a) => a.close()));
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tempDir() {
  const d = await mkdtemp(join(tmpdir(), 'trib-eos-'));
  dirs.push(d);
  return d;
}

function startWorker(args: string[]): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join('test', 'integration', 'support', 'ledger-worker.ts'), ...args],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('RUNNING') && resolve(child));
    child.on('exit', (code, signal) => signal === null && reject(new Error(`worker exited with ${code}`)));
  });
}

async function killLoop(guarantee: 'exactly_once' | 'at_least_once') {
  const brokers = kafkaBrokers();
  const id = uniqueTopic(`ledger-${guarantee === 'exactly_once' ? 'eos' : 'alos'}`);
  const [input, echo, sums] = [`${id}-payments`, `${id}-echo`, `${id}-sums`];
  const kafka = createKafkaClient({ brokers, clientId: 'setup' });
  const admin = await kafka.admin();
  await admin.createTopics([input, echo, sums].map((topic) => ({ topic, partitions: 4 })));
  const config = {
    applicationId: id,
    brokers,
    processingGuarantee: guarantee,
    commitIntervalMs: 200,
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 1_000,
  } as const;
  const survivor = ledgerApp(input, echo, sums, { ...config, stateDir: await tempDir() });
  apps.push(survivor);
  await survivor.start();

  // Input flows for the whole test: payment i to account i % 13, amount i % 100.
  const producer = await kafka.producer();
  let produced = 0;
  let flowing = true;
  const flow = (async () => {
    while (flowing) {
      const batch = Array.from({ length: 50 }, (_, j) => {
        const i = produced + j;
        return {
          topic: input,
          key: Buffer.from(`acct-${i % 13}`),
          value: Buffer.from(`p${i}:${i % 100}`),
          timestamp: Date.now(),
        };
      });
      await producer.send(batch);
      produced += batch.length;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();

  const victimDir = await tempDir();
  for (let round = 0; round < 5; round++) {
    const victim = await startWorker([brokers.join(','), id, input, echo, sums, victimDir, guarantee]);
    await new Promise((r) => setTimeout(r, 1_000 + Math.random() * 2_500));
    victim.kill('SIGKILL');
  }
  flowing = false;
  await flow;
  await producer.close();

  const truth = new Map<string, number>();
  for (let i = 0; i < produced; i++)
    truth.set(`acct-${i % 13}`, (truth.get(`acct-${i % 13}`) ?? 0) + (i % 100));
  await waitUntil(
    async () => {
      const latest = new Map(
        (await readCommitted(brokers, sums)).map((r) => [r.key, Number(r.value!.readBigInt64BE(0))]),
      );
      // At-least-once may count a payment twice after a crash, never zero times.
      return [...truth].every(([k, v]) =>
        guarantee === 'exactly_once' ? latest.get(k) === v : (latest.get(k) ?? 0) >= v,
      );
    },
    120_000,
    guarantee === 'exactly_once' ? 'final balances equal to the truth' : 'final balances at least the truth',
  );
  const echoed = (await readCommitted(brokers, echo)).map((r) => r.value!.toString());
  const ids = new Set(echoed);
  expect(ids.size).toBe(produced);
  await survivor.close();
  await admin.close();
  await kafka.close();
  return { produced, echoed: echoed.length };
}

describeWithKafka('kill -9 in a loop', () => {
  it('exactly-once: every payment appears once and balances equal the truth', async () => {
    const { produced, echoed } = await killLoop('exactly_once');
    expect(echoed).toBe(produced);
  }, 300_000);

  it('at-least-once: nothing is missing (duplicates allowed, balances never below the truth)', async () => {
    const { produced, echoed } = await killLoop('at_least_once');
    expect(echoed).toBeGreaterThanOrEqual(produced);
  }, 300_000);
});
