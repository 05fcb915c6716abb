import { fixRequestQueueTimer } from '../../src/kafka/kafkajs/request-queue-timer.js';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KafkaCluster, ensureKafka } from '../../scripts/kafka/provision.js';
import type { KafkaStreams } from '../../src/index.js';
import { describeWithKafka, uniqueTopic } from '../integration/support/kafka.js';
import { readCommitted } from '../integration/support/read-committed.js';
import { faultApp, faultTopics } from './support/fault-app.js';
import { ClickFlow, createFaultTopics, outputProblems, produceProfiles } from './support/fault-load.js';
import { tempDirs, waitFor } from './support/rounds.js';

let cluster: KafkaCluster | undefined;
const apps: KafkaStreams[] = [];
const dirs = tempDirs();

/**
 * The exactly-once output must be exact across the outage (docs/faults.md: three causes fixed);
 * `FAULT_OUTAGE_EXACT=0` asserts only that nothing is lost, for chasing a different failure.
 */
const EXACT = process.env.FAULT_OUTAGE_EXACT !== '0';
const promise = EXACT ? 'the exactly-once output is exact' : 'nothing is lost';

/**
 * In the default run and CI (about a minute on a quiet 2-core machine, three Java nodes and their
 * leader elections included); `FAULT_BROKER_OUTAGE=0` leaves it out of a local run.
 */
const describeOutage = process.env.FAULT_BROKER_OUTAGE === '0' ? describe.skip : describeWithKafka;

describeOutage('three brokers (replication 3, min.insync.replicas 2), one stopped mid-run', () => {
  beforeAll(async () => {
    cluster = await ensureKafka({
      nodes: 3,
      isolated: true,
      readyTimeoutMs: 180_000,
      log: (line) => process.stderr.write(`[kafka] ${line}\n`),
    });
  }, 300_000);

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await cluster?.stop();
    await dirs.removeAll();
  }, 120_000);

  it(`keeps processing while the broker is down and ${promise} after it returns`, async () => {
    const { brokers, stopNode, startNode } = cluster!;
    const id = uniqueTopic('faults-outage');
    const topics = faultTopics(id);
    await createFaultTopics(brokers, Object.values(topics));
    const base = Date.now();
    await produceProfiles(brokers, topics, base - 1_000);
    const app = faultApp(topics, {
      applicationId: id,
      brokers,
      processingGuarantee: 'exactly_once',
      stateDir: await dirs.make(),
    });
    apps.push(app);
    await groupCoordinatorLoaded(brokers, id);
    await app.start();
    const flow = new ClickFlow(brokers, topics, base);
    flow.start();
    const enriched = async () => (await readCommitted(brokers, topics.enriched)).length;
    const progressed = async (beyond: number, what: string) => {
      let seen = 0;
      await waitFor(
        async () => (seen = await enriched()) > beyond,
        180_000,
        () => `${what} (enriched clicks committed: ${seen}, wanted more than ${beyond})`,
      );
      return seen;
    };

    const beforeOutage = await progressed(200, 'processing before the outage');
    await stopNode!(1, 'kill');
    const duringOutage = await progressed(beforeOutage + 200, 'processing with one of three brokers down');
    await startNode!(1);
    await progressed(duringOutage + 200, 'processing after the broker returned');
    const produced = await flow.stop();

    let problems: string[] = [];
    await waitFor(
      async () => {
        problems = await outputProblems(
          brokers,
          topics,
          produced,
          base,
          EXACT ? 'exactly_once' : 'at_least_once',
        );
        return problems.length === 0;
      },
      EXACT ? 240_000 : 120_000,
      () => `outputs (${promise}) after a broker outage: ${problems.join('; ')}`,
      2_000,
    );
    expect(problems).toEqual([]);
    expect(app.state).not.toBe('ERROR');
  }, 900_000);
});

/**
 * Waits until the group coordinator of `groupId` has loaded its `__consumer_offsets` partition. On
 * a fresh three-broker cluster it answers GROUP_LOAD_IN_PROGRESS for a while, and a JoinGroup
 * during that time crashes the kafkajs consumer at start (kafkajs retries it only after the first
 * join): an open bug of the runtime's start-up, documented in docs/faults.md, that this test is not about.
 */
async function groupCoordinatorLoaded(brokers: string[], groupId: string): Promise<void> {
  fixRequestQueueTimer();
  const admin = new Kafka({ clientId: 'fault-probe', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await waitFor(
      async () =>
        (await admin.describeGroups([groupId])).groups.every(
          (g) => ((g as { errorCode?: number }).errorCode ?? 0) === 0,
        ),
      180_000,
      () => `the group coordinator of ${groupId} to load`,
    );
  } finally {
    await admin.disconnect();
  }
}
