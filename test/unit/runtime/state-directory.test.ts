import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, type KafkaStreams } from '../../../src/index.js';
import { createEmbeddedKafka, type EmbeddedKafka } from '../../../src/kafka/index.js';
import { lockTaskDir } from '../../../src/runtime/state-directory.js';
import {
  INPUT,
  OUTPUT,
  createTopics,
  produceLines,
  readCounts,
  removeTempDirs,
  sameCounts,
  tempStateDir,
  waitUntil,
  wordCountApp,
} from './support/embedded-app.js';

let kafka: EmbeddedKafka;
const apps: KafkaStreams[] = [];

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  await kafka?.close();
  await removeTempDirs();
});

async function freshCluster(): Promise<void> {
  kafka = createEmbeddedKafka();
  await createTopics(kafka, [
    { topic: INPUT, partitions: 2 },
    { topic: OUTPUT, partitions: 2 },
  ]);
}

/** A pid no process has: 999999 unless that one happens to be alive here. */
function deadPid(): number {
  for (let pid = 999_999; ; pid++) {
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return pid;
    }
  }
}

describe('state directory locking', () => {
  it('a second instance on the same stateDir fails at start() naming the directory; after close it may start', async () => {
    await freshCluster();
    const stateDir = await tempStateDir();
    const first = wordCountApp(kafka, stateDir);
    apps.push(first);
    await first.start();

    const second = wordCountApp(kafka, stateDir);
    apps.push(second);
    const started = second.start();
    await expect(started).rejects.toThrow(ConfigError);
    await expect(started).rejects.toThrow(
      new RegExp(
        `State directory ${join(stateDir, 'wc')} is in use by another KafkaStreams instance.*own stateDir`,
      ),
    );
    expect(second.state).toBe('ERROR');
    expect(first.state).toBe('RUNNING');

    await first.close();
    const third = wordCountApp(kafka, stateDir);
    apps.push(third);
    await third.start();
    expect(third.state).toBe('RUNNING');
  });

  it('takes over stale instance and task locks left by a dead process, and records its own pid', async () => {
    await freshCluster();
    const stateDir = await tempStateDir();
    const pid = deadPid();
    const stale = JSON.stringify({ pid, instanceId: 'crashed-instance' });
    await mkdir(join(stateDir, 'wc', '1_0'), { recursive: true });
    await writeFile(join(stateDir, 'wc', '.instance.lock'), stale);
    await writeFile(join(stateDir, 'wc', '1_0', '.lock'), stale);

    const app = wordCountApp(kafka, stateDir);
    apps.push(app);
    await app.start();
    const owner = JSON.parse(await readFile(join(stateDir, 'wc', '.instance.lock'), 'utf8')) as {
      pid: number;
    };
    expect(owner.pid).toBe(process.pid);
    const taskOwner = JSON.parse(await readFile(join(stateDir, 'wc', '1_0', '.lock'), 'utf8')) as {
      pid: number;
    };
    expect(taskOwner.pid).toBe(process.pid);
    const truth = await produceLines(kafka, 50);
    await waitUntil(async () => sameCounts(await readCounts(kafka), truth), 'counts');

    await app.close();
    await expect(readFile(join(stateDir, 'wc', '.instance.lock'))).rejects.toThrow(/ENOENT/);
    await expect(readFile(join(stateDir, 'wc', '1_0', '.lock'))).rejects.toThrow(/ENOENT/);
  });

  it('a task lock held by a live instance is waited for, then taken once released', async () => {
    const dir = await tempStateDir();
    const held = await lockTaskDir(dir, 'old-owner', '0_0');
    const waiting = lockTaskDir(dir, 'new-owner', '0_0', { timeoutMs: 5_000, retryMs: 10 });
    let taken = false;
    void waiting.then(() => (taken = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(taken).toBe(false);
    await held.release();
    const lock = await waiting;
    const owner = JSON.parse(await readFile(join(dir, '.lock'), 'utf8')) as { instanceId: string };
    expect(owner.instanceId).toBe('new-owner');
    await lock.release();
  });

  it('a task lock still held after the timeout fails clearly, naming the task and directory', async () => {
    const dir = await tempStateDir();
    const held = await lockTaskDir(dir, 'owner', '1_3');
    await expect(lockTaskDir(dir, 'other', '1_3', { timeoutMs: 100, retryMs: 10 })).rejects.toThrow(
      new RegExp(`Task 1_3: could not lock its state directory ${dir} within 100 ms`),
    );
    await held.release();
  });
});
