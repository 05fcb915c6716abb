import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KafkaStreams, ProcessingGuarantee, StreamsConfig } from '../../src/index.js';
import { describeWithKafka, kafkaBrokers, uniqueTopic } from '../integration/support/kafka.js';
import { exited, startWorkerProcess } from '../integration/support/worker-process.js';
import { type FaultTopics, faultApp, faultTopics } from './support/fault-app.js';
import { ClickFlow, createFaultTopics, outputProblems, produceProfiles } from './support/fault-load.js';
import { faultRounds, faultSeed, seededRandom, tempDirs, waitFor } from './support/rounds.js';

const children: ChildProcess[] = [];
const apps: KafkaStreams[] = [];
const dirs = tempDirs();

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(children.map(exited));
  await Promise.all(apps.map((app) => app.close()));
  await dirs.removeAll();
});

const ROUNDS = faultRounds(20, 60);
const GUARANTEES: ProcessingGuarantee[] = ['exactly_once', 'at_least_once'];
const seed = faultSeed();
const brokers = () => kafkaBrokers();
let topicsOf: Record<ProcessingGuarantee, FaultTopics>;
let produced = 0;
let base = 0;

/**
 * Per guarantee, one in-process survivor and a victim process killed with SIGKILL `ROUNDS`
 * times while clicks flow, each at its own random moment (from right after it reaches RUNNING
 * to a few seconds into processing), always restarting on the same state directory. Both
 * applications read the same clicks, so one run of rounds serves both guarantees.
 */
async function killRounds(): Promise<void> {
  const random = seededRandom(seed);
  const id = uniqueTopic('faults-kill');
  const shared = faultTopics(id);
  topicsOf = {
    exactly_once: { ...faultTopics(`${id}-eos`), clicks: shared.clicks, profiles: shared.profiles },
    at_least_once: { ...faultTopics(`${id}-alos`), clicks: shared.clicks, profiles: shared.profiles },
  };
  await createFaultTopics(brokers(), [shared.clicks, shared.profiles, ...GUARANTEES.flatMap(outputsOf)]);
  base = Date.now();
  await produceProfiles(brokers(), shared, base - 1_000);

  const victimConfigs: { topics: FaultTopics; config: StreamsConfig }[] = [];
  for (const guarantee of GUARANTEES) {
    const topics = topicsOf[guarantee];
    const config = {
      applicationId: `${id}-${guarantee}`,
      brokers: brokers(),
      processingGuarantee: guarantee,
    };
    const survivor = faultApp(topics, { ...config, stateDir: await dirs.make() });
    apps.push(survivor);
    await survivor.start();
    victimConfigs.push({ topics, config: { ...config, stateDir: await dirs.make() } });
  }
  const flow = new ClickFlow(brokers(), shared, base);
  flow.start();
  for (let round = 0; round < ROUNDS; round++) {
    await Promise.all(
      victimConfigs.map(async (victimConfig) => {
        const args = [JSON.stringify(victimConfig)];
        const victim = await startWorkerProcess('test/faults/support/fault-worker.ts', args, children);
        await new Promise((resolve) => setTimeout(resolve, random() * 4_000));
        victim.kill('SIGKILL');
        await exited(victim);
      }),
    );
  }
  produced = await flow.stop();
}

function outputsOf(guarantee: ProcessingGuarantee): string[] {
  const { counts, windowCounts, enriched } = topicsOf[guarantee];
  return [counts, windowCounts, enriched];
}

async function expectOutputs(guarantee: ProcessingGuarantee): Promise<void> {
  let problems: string[] = [];
  await waitFor(
    async () => {
      problems = await outputProblems(brokers(), topicsOf[guarantee], produced, base, guarantee);
      return problems.length === 0;
    },
    240_000,
    () => `${guarantee} outputs after ${ROUNDS} kill -9 rounds (FAULT_SEED=${seed}): ${problems.join('; ')}`,
    2_000,
  );
  expect(problems).toEqual([]);
  expect(produced).toBeGreaterThan(ROUNDS * 50);
}

describeWithKafka(
  `kill -9 of one of two instances, ${ROUNDS} rounds (count, windowed count, stream–table join)`,
  () => {
    beforeAll(killRounds, ROUNDS * 30_000 + 120_000);

    it('exactly-once: counts and window counts equal the truth, every click joined exactly once', () =>
      expectOutputs('exactly_once'));

    it('at-least-once: nothing missing (counts never below the truth, every click joined)', () =>
      expectOutputs('at_least_once'));
  },
);
