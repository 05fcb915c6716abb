import { afterAll, beforeAll, expect, it } from 'vitest';
import { type KafkaCluster, ensureKafka } from '../../scripts/kafka/provision.js';
import type { KafkaStreams } from '../../src/index.js';
import { describeWithKafka, uniqueTopic } from '../integration/support/kafka.js';
import { faultApp, faultTopics } from './support/fault-app.js';
import { ClickFlow, createFaultTopics, outputProblems, produceProfiles } from './support/fault-load.js';
import { tempDirs, waitFor } from './support/rounds.js';

let cluster: KafkaCluster | undefined;
const apps: KafkaStreams[] = [];
const dirs = tempDirs();

/** Clicks for `ms`, then stops; resolves to how many were produced in all. */
async function clicksFor(flow: ClickFlow, ms: number): Promise<number> {
  flow.start();
  await new Promise((resolve) => setTimeout(resolve, ms));
  return flow.stop();
}

describeWithKafka('a single broker restarted under a running application (taskTimeoutMs)', () => {
  beforeAll(async () => {
    cluster = await ensureKafka({
      nodes: 1,
      isolated: true,
      readyTimeoutMs: 120_000,
      log: (line) => process.stderr.write(`[kafka] ${line}\n`),
    });
  }, 180_000);

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await cluster?.stop();
    await dirs.removeAll();
  }, 120_000);

  async function startApp(name: string, taskTimeoutMs: number) {
    const { brokers } = cluster!;
    const id = uniqueTopic(name);
    const topics = faultTopics(id);
    await createFaultTopics(brokers, Object.values(topics));
    const base = Date.now();
    await produceProfiles(brokers, topics, base - 1_000);
    const app = faultApp(topics, {
      applicationId: id,
      brokers,
      processingGuarantee: 'exactly_once',
      stateDir: await dirs.make(),
      taskTimeoutMs,
    });
    apps.push(app);
    await app.start();
    return { app, topics, base, brokers };
  }

  it('retries while the broker is down, recovers once it is back, and the exactly-once output is exact', async () => {
    const { app, topics, base, brokers } = await startApp('faults-restart', 120_000);
    const flow = new ClickFlow(brokers, topics, base);
    const before = await clicksFor(flow, 2_000);
    await waitFor(
      async () => (await outputProblems(brokers, topics, before, base, 'exactly_once')).length === 0,
      60_000,
      () => 'the output of the clicks before the restart',
    );

    await cluster!.stopNode!(0, 'clean');
    // Down for longer than the client's own retries last (a few seconds), well within taskTimeoutMs.
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    expect(app.state).not.toBe('ERROR');
    await cluster!.startNode!(0);

    const after = new ClickFlow(brokers, topics, base, {}, 50, 100);
    after.produced = before;
    const produced = await clicksFor(after, 2_000);
    let problems: string[] = [];
    await waitFor(
      async () => {
        problems = await outputProblems(brokers, topics, produced, base, 'exactly_once');
        return problems.length === 0;
      },
      90_000,
      () => `outputs after the broker restart: ${problems.join('; ')}`,
      2_000,
    );
    expect(problems).toEqual([]);
    expect(app.state).toBe('RUNNING');
    // Closed while the broker is up: the next test stops it for good.
    await app.close();
  }, 240_000);

  it('fails with an error naming taskTimeoutMs when the broker stays down past it', async () => {
    const { app } = await startApp('faults-timeout', 5_000);
    const errors: Error[] = [];
    app.events$.subscribe((event) => {
      if (event.type === 'error') errors.push(event.error);
    });
    await cluster!.stopNode!(0, 'clean');
    const stoppedAt = Date.now();
    await waitFor(
      () => app.state === 'ERROR',
      60_000,
      () => `state ERROR after taskTimeoutMs with the broker down (state ${app.state})`,
      250,
    );
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(5_000);
    expect(errors.map((e) => e.message).join('\n')).toMatch(/taskTimeoutMs \(5000 ms/);
  }, 120_000);
});
