/**
 * The restoration benchmark, child side: a fresh count app (empty state directory) whose
 * changelog is pre-filled restores it from the broker into its persistent `level` store. Timed by
 * the app's own `restore-start` / `restore-end` events.
 */
import { KafkaStreams } from '../../src/index.js';
import { peakRssMb, type RestoreJob, type RestoreRunResult } from './protocol.js';
import { benchTopology, quietLogger } from './tributary.js';

/** Starts the app, waits until it runs (every task restored), stops it and reports. */
export async function restore(job: RestoreJob): Promise<RestoreRunResult> {
  const app = new KafkaStreams(benchTopology('count', job.inputTopic, job.outputTopic), {
    applicationId: job.applicationId,
    brokers: job.brokers,
    kafkaClient: job.kafkaClient,
    commitIntervalMs: 1_000,
    defaultDslStore: 'persistent',
    stateDir: job.stateDir,
    logger: quietLogger,
  });
  let firstStart: bigint | undefined;
  let lastEnd: bigint | undefined;
  let restored = 0;
  const subscription = app.events$.subscribe((event) => {
    if (event.type === 'restore-start') firstStart ??= process.hrtime.bigint();
    if (event.type === 'restore-end') {
      restored += event.totalRestored;
      lastEnd = process.hrtime.bigint();
    }
  });
  const launched = process.hrtime.bigint();
  try {
    // start() resolves once RUNNING, i.e. after every active task has restored.
    await app.start();
  } finally {
    subscription.unsubscribe();
    await app.close();
  }
  if (firstStart === undefined || lastEnd === undefined || restored !== job.records) {
    throw new Error(`Restored ${restored} records instead of ${job.records}.`);
  }
  const restoreMs = Number(lastEnd - firstStart) / 1e6;
  return {
    records: job.records,
    restoredRecords: restored,
    startupMs: Math.round(Number(firstStart - launched) / 1e6),
    restoreMs: Math.round(restoreMs),
    recordsPerSecond: Math.round(restored / (restoreMs / 1000)),
    peakRssMb: peakRssMb(),
  };
}
