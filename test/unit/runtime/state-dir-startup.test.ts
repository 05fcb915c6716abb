import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, type KafkaStreams, type StreamsEvent } from '../../../src/index.js';
import { createEmbeddedKafka, type EmbeddedKafka } from '../../../src/kafka/index.js';
import {
  INPUT,
  OUTPUT,
  createTopics,
  mergeCounts,
  produceLines,
  readCounts,
  removeTempDirs,
  sameCounts,
  sorted,
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

async function cluster(): Promise<void> {
  kafka = createEmbeddedKafka();
  await createTopics(kafka, [
    { topic: INPUT, partitions: 2 },
    { topic: OUTPUT, partitions: 2 },
  ]);
}

async function startFails(stateDir: string): Promise<unknown> {
  const app = wordCountApp(kafka, stateDir);
  apps.push(app);
  return app.start().then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('start-up errors name stateDir', () => {
  it('a stateDir that is a file fails start() with a ConfigError naming stateDir', async () => {
    await cluster();
    const file = join(await tempStateDir(), 'not-a-dir');
    await writeFile(file, 'x');
    const error = await startFails(file);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(
      new RegExp(`^stateDir ${file} is a file.*set stateDir to a writable directory`),
    );
  });

  it('a stateDir that is not writable fails start() with a ConfigError naming stateDir', async () => {
    await cluster();
    // Permission bits do not stop root: there, a path on a file system nobody may write to.
    let dir = '/sys/tributary-state';
    if (process.getuid?.() !== 0) {
      dir = join(await tempStateDir(), 'read-only');
      await mkdir(dir, { mode: 0o555 });
    }
    const error = await startFails(dir);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(
      /^stateDir \S+ (is not writable by this process|is on a read-only file system) \(E[A-Z]+\)/,
    );
  });
});

describe('a checkpoint naming a changelog that no longer exists', () => {
  it('is wiped and the task restored from its changelog, not a failure', async () => {
    await cluster();
    const stateDir = await tempStateDir();
    const first = wordCountApp(kafka, stateDir);
    apps.push(first);
    await first.start();
    const truth = await produceLines(kafka, 200);
    await waitUntil(async () => sameCounts(await readCounts(kafka), truth), 'first-run counts');
    await first.close();
    apps.splice(apps.indexOf(first), 1);
    // As after a store was renamed or its changelog deleted: the checkpoint names a topic that is gone.
    const appDir = join(stateDir, 'wc');
    for (const id of (await readdir(appDir)).filter((t) => t.startsWith('1_'))) {
      const path = join(appDir, id, '.checkpoint');
      const checkpoint = JSON.parse(await readFile(path, 'utf8')) as { offsets: Record<string, string> };
      checkpoint.offsets[`wc-old-store-changelog:${id.slice(2)}`] = '42';
      await writeFile(path, JSON.stringify(checkpoint));
    }
    const wiped: string[] = [];
    const logger = {
      debug() {},
      info() {},
      error() {},
      warn: (fields: { reason?: unknown }) => {
        if (typeof fields.reason === 'string') wiped.push(fields.reason);
      },
    };
    const second = wordCountApp(kafka, stateDir, { logger });
    apps.push(second);
    let restored = 0;
    second.events$.subscribe((e: StreamsEvent) => {
      if (e.type === 'restore-end') restored += e.totalRestored;
    });
    await second.start();
    expect(second.state).toBe('RUNNING');
    expect(restored).toBeGreaterThan(0);
    expect(wiped).toContainEqual(
      expect.stringMatching(
        /^checkpoint names wc-old-store-changelog:\d, a changelog that no longer exists$/,
      ),
    );
    const all = mergeCounts(truth, await produceLines(kafka, 50, 200));
    await waitUntil(async () => sameCounts(await readCounts(kafka), all), 'exact counts after the restart');
    expect(sorted(await readCounts(kafka))).toEqual(sorted(all));
  });
});
