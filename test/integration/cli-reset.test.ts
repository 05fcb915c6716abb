import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { KafkaStreams } from '../../src/index.js';
import { createKafkaClient, type KafkaAdmin } from '../../src/kafka/index.js';
import { describeWithKafka, kafkaBrokers, uniqueTopic } from './support/kafka.js';
import { produceLines, readCounts, waitUntil, wordCountApp } from './support/word-count-app.js';

const run = promisify(execFile);

function capture() {
  const io = {
    stdout: '',
    stderr: '',
    out: (t: string) => void (io.stdout += t),
    err: (t: string) => void (io.stderr += t),
  };
  return io;
}

const sameCounts = (got: Map<string, number>, truth: Map<string, number>) =>
  got.size === truth.size && [...truth].every(([w, n]) => got.get(w) === n);

describeWithKafka('tributary reset on a real broker', () => {
  const applicationId = uniqueTopic('cli-reset-app');
  const input = uniqueTopic('cli-reset-lines');
  const firstOutput = uniqueTopic('cli-reset-counts');
  const secondOutput = uniqueTopic('cli-reset-counts-again');
  const repartition = `${applicationId}-counts-repartition`;
  const changelog = `${applicationId}-counts-changelog`;
  let brokers: string[];
  let stateDir: string;
  let truth: Map<string, number>;
  let admin: KafkaAdmin;
  let kafka: ReturnType<typeof createKafkaClient>;
  const apps: KafkaStreams[] = [];
  const partitions = [0, 1].map((partition) => ({ topic: input, partition }));
  const resetArgs = () => [
    'reset',
    '--application-id',
    applicationId,
    '--brokers',
    brokers.join(','),
    '--input-topics',
    input,
    '--state-dir',
    stateDir,
  ];

  async function countAll(output: string): Promise<KafkaStreams> {
    const app = wordCountApp(input, output, { applicationId, brokers, stateDir });
    apps.push(app);
    await app.start();
    await waitUntil(
      async () => sameCounts(await readCounts(brokers, output), truth),
      60_000,
      `counts in ${output}`,
    );
    return app;
  }

  beforeAll(async () => {
    brokers = kafkaBrokers();
    stateDir = await mkdtemp(join(tmpdir(), 'tributary-cli-reset-'));
    kafka = createKafkaClient({ brokers, clientId: 'cli-reset-verify' });
    admin = await kafka.admin();
    await admin.createTopics([input, firstOutput, secondOutput].map((topic) => ({ topic, partitions: 2 })));
    truth = await produceLines(brokers, input, 300);
  });

  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    await admin
      ?.deleteTopics([input, firstOutput, secondOutput, repartition, changelog])
      .catch(() => undefined);
    await admin?.close();
    await kafka?.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('refuses while the app runs, changes nothing on a dry run, then rewinds so a rerun reprocesses everything', async () => {
    const app = await countAll(firstOutput);

    // Refusal, through the CLI as a child process: non-zero exit, a message naming the group.
    const refused = await run(
      process.execPath,
      ['node_modules/tsx/dist/cli.mjs', 'src/cli/main.ts', ...resetArgs()],
      {
        encoding: 'utf8',
      },
    ).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused?.code).toBe(1);
    expect(refused?.stderr).toContain(`application '${applicationId}' is still running`);
    expect(refused?.stderr).toContain('nothing was changed');

    await app.close();
    const committedBefore = await admin.fetchCommittedOffsets(applicationId, partitions);
    expect(committedBefore.map((c) => Number(c.offset)).reduce((a, b) => a + b, 0)).toBe(300);
    const topics = await admin.listTopics();
    expect(topics).toEqual(expect.arrayContaining([repartition, changelog]));
    expect(existsSync(join(stateDir, applicationId))).toBe(true);

    const dry = capture();
    expect(await main([...resetArgs(), '--dry-run'], dry)).toBe(0);
    expect(dry.stdout).toContain('Dry run: nothing changed.');
    expect(dry.stdout).toContain(`${input}-0: ${committedBefore[0]!.offset} -> 0`);
    expect(dry.stdout).toContain(repartition);
    expect(dry.stdout).toContain(changelog);
    expect(dry.stdout).toContain(join(stateDir, applicationId));
    expect(await admin.fetchCommittedOffsets(applicationId, partitions)).toEqual(committedBefore);
    expect(await admin.listTopics()).toEqual(expect.arrayContaining([repartition, changelog]));
    expect(existsSync(join(stateDir, applicationId))).toBe(true);

    const done = capture();
    expect(await main(resetArgs(), done)).toBe(0);
    expect(done.stdout).toContain('input offsets reset');
    expect(done.stdout).toContain(`internal topics deleted:\n    ${changelog}\n    ${repartition}`);
    expect(await admin.fetchCommittedOffsets(applicationId, partitions)).toEqual(
      partitions.map((p) => ({ ...p, offset: '0' })),
    );
    await waitUntil(
      async () => {
        const left = await admin.listTopics();
        return !left.includes(repartition) && !left.includes(changelog);
      },
      30_000,
      'internal topics to be deleted',
    );
    expect(existsSync(join(stateDir, applicationId))).toBe(false);

    // Everything is reprocessed from the start with empty state: the counts are the truth again,
    // not doubled (stale state) and not partial (offsets not rewound).
    await countAll(secondOutput);
    expect(await readCounts(brokers, secondOutput)).toEqual(truth);
  });

  it("runs a module's topology with its config and flags, and closes gracefully on SIGTERM", async () => {
    const output = uniqueTopic('cli-run-counts');
    await admin.createTopics([{ topic: output, partitions: 2 }]);
    const runId = uniqueTopic('cli-run-app');
    const child = spawn(
      process.execPath,
      [
        'node_modules/tsx/dist/cli.mjs',
        'src/cli/main.ts',
        'run',
        'test/unit/cli/fixtures/word-count-module.ts',
        '--application-id',
        runId,
        '--brokers',
        brokers.join(','),
        '--state-dir',
        stateDir,
      ],
      {
        env: { ...process.env, CLI_FIXTURE_INPUT: input, CLI_FIXTURE_OUTPUT: output },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitUntil(
        async () => sameCounts(await readCounts(brokers, output), truth),
        60_000,
        `counts in ${output}`,
      );
      expect(stderr).toContain("running 'topology' of test/unit/cli/fixtures/word-count-module.ts");
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).toContain('SIGTERM received: closing');
      expect(stderr).toMatch(/closed in \d+ ms/);
    } finally {
      child.kill('SIGKILL');
      await admin
        .deleteTopics([output, `${runId}-counts-repartition`, `${runId}-counts-changelog`])
        .catch(() => undefined);
    }
  });
});
