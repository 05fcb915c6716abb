import { Kafka, logLevel } from 'kafkajs';
import { fixRequestQueueTimer } from '../../src/kafka/kafkajs/request-queue-timer.js';

export interface WaitForClusterOptions {
  brokers: string[];
  nodes: number;
  timeoutMs: number;
  /** Returns a reason when the cluster can no longer come up (a process died), to fail fast. */
  deadReason: () => string | undefined;
  /** Log output to append to a failure message. */
  logTail: () => string;
}

/** Polls `describeCluster()` until all `nodes` brokers are registered. */
export async function waitForCluster(options: WaitForClusterOptions): Promise<void> {
  // Without it, Node 24 warns of kafkajs' negative request-queue timeout in every test run.
  fixRequestQueueTimer();
  const kafka = new Kafka({
    clientId: 'tributary-provision',
    brokers: options.brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2_000,
    requestTimeout: 5_000,
    retry: { retries: 0 },
  });
  const deadline = Date.now() + options.timeoutMs;
  let lastProblem: string;
  for (;;) {
    const dead = options.deadReason();
    if (dead) throw new Error(`Kafka did not start: ${dead}\n${options.logTail()}`);
    const admin = kafka.admin();
    try {
      await admin.connect();
      const { brokers } = await admin.describeCluster();
      if (brokers.length >= options.nodes) return;
      lastProblem = `${brokers.length} of ${options.nodes} brokers registered`;
    } catch (error) {
      lastProblem = (error as Error).message;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Kafka at ${options.brokers.join(',')} not ready after ${options.timeoutMs / 1000} s ` +
          `(${lastProblem})\n${options.logTail()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
