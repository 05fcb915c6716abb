/**
 * Restart after a crash under exactly-once, with a large state:
 * `npm run bench:eos-crash -- [--records 1000000]`.
 *
 * 1. The restore benchmark's changelog of `records` distinct keys (produced once, then reused).
 * 2. An exactly-once count instance restores it into a fresh state directory, in a child process,
 *    processes a few new keys (so every task commits a transaction), and is killed with SIGKILL.
 * 3. A second instance starts on the same state directory. Its time from launch to RUNNING and the
 *    changelog records it restored are the result: a task that wipes its state after an unclean
 *    stop restores everything again; one whose stores hold committed state only restores the tail.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureKafka } from '../scripts/kafka/provision.js';
import { benchKafka } from './lib/broker.js';
import { ensureChangelog } from './lib/restore.js';

const log = (line: string) => console.error(line);
const flag = process.argv.indexOf('--records');
const records = flag === -1 ? 1_000_000 : Number(process.argv[flag + 1]);

interface Started {
  child: ChildProcess;
  startMs: number;
  restored: number;
  commits: () => number;
}

function startChild(job: object): Promise<Started> {
  const child = spawn(
    process.execPath,
    [
      '--disable-warning=TimeoutNegativeWarning',
      '--import',
      'tsx',
      'bench/eos-crash-child.ts',
      JSON.stringify(job),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let commits = 0;
  return new Promise((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        if (line.startsWith('COMMIT ')) commits = Number(line.slice(7));
        if (line.startsWith('RUNNING ')) {
          const { startMs, restored } = JSON.parse(line.slice(8)) as { startMs: number; restored: number };
          resolve({ child, startMs, restored, commits: () => commits });
        }
      }
    });
    child.on('exit', (code, signal) => signal === null && reject(new Error(`child exited with ${code}`)));
  });
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const kafka = await ensureKafka({ log });
const client = benchKafka(kafka.brokers, 'tributary-bench-crash');
const admin = client.admin();
await admin.connect();
try {
  // Its own topics: the run adds records to the changelog, which the restore benchmark's must not get.
  const applicationId = `tributary-bench-crash-v1-${records}`;
  const topics = {
    applicationId,
    changelog: `${applicationId}-counts-changelog`,
    input: `${applicationId}-input`,
    output: `${applicationId}-output`,
  };
  await ensureChangelog(client, admin, records, log, topics, true);
  const job = {
    brokers: kafka.brokers,
    applicationId,
    inputTopic: topics.input,
    outputTopic: topics.output,
    stateDir: join(tmpdir(), `tributary-crash-${Date.now().toString(36)}`),
  };
  const first = await startChild(job);
  log(`first start: ${first.restored.toLocaleString('en-US')} restored in ${first.startMs} ms`);
  const producer = client.producer();
  await producer.connect();
  await producer.send({
    topic: topics.input,
    messages: Array.from({ length: 40 }, (_, i) => ({ key: `crash-key-${Date.now()}-${i}`, value: '{}' })),
  });
  await producer.disconnect();
  await until(() => first.commits() > 0, 60_000, 'a commit');
  await new Promise((r) => setTimeout(r, 1_500));
  first.child.kill('SIGKILL');
  await new Promise((r) => first.child.once('exit', r));
  const second = await startChild(job);
  const result = { records, restartMs: second.startMs, restoredAfterCrash: second.restored };
  console.log(JSON.stringify(result));
  second.child.kill('SIGTERM');
  await new Promise((r) => second.child.once('exit', r));
  await rm(job.stateDir, { recursive: true, force: true });
} finally {
  await admin.disconnect();
}
