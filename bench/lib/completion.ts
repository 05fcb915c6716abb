/**
 * When a run is over, seen from outside the contender and the same way for both: the stateless
 * workload ends when the output topic holds every expected record; the count workload (whose
 * output size depends on caching) ends when the group's committed offsets reach the input's end.
 */
import type { Admin } from 'kafkajs';
import { topicEnd } from './broker.js';
import type { BrokerJob } from './protocol.js';
import { expectedPurchases } from './workload.js';

const POLL_MS = 20;
const TIMEOUT_MS = 30 * 60_000;

/** Resolves with `process.hrtime.bigint()` at the first poll that finds the run complete. */
export async function waitForCompletion(admin: Admin, job: BrokerJob): Promise<bigint> {
  const done = job.workload === 'stateless' ? outputHolds(expectedPurchases(job.records)) : committedAll;
  const deadline = Date.now() + TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await done(admin, job)) return process.hrtime.bigint();
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`${job.contender} ${job.workload}: not complete after ${TIMEOUT_MS / 60_000} minutes.`);
}

function outputHolds(expected: number) {
  return async (admin: Admin, job: BrokerJob): Promise<boolean> =>
    (await topicEnd(admin, job.outputTopic)) >= expected;
}

async function committedAll(admin: Admin, job: BrokerJob): Promise<boolean> {
  const [entry] = await admin.fetchOffsets({ groupId: job.groupId, topics: [job.inputTopic] });
  const committed = (entry?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  return committed >= job.records;
}
