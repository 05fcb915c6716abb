/**
 * The latency benchmark, Tributary's side: the stateless app with Tributary's defaults (at-least-
 * once, `commitIntervalMs` 30 s, `maxBufferedRecords` 10,000), run until the harness closes stdin.
 * The harness drives the load and measures the latencies from the output topic.
 */
import { KafkaStreams } from '../../src/index.js';
import { READY_MARKER, peakRssMb, type LatencyContenderResult, type LatencyJob } from './protocol.js';
import { benchTopology, quietLogger } from './tributary.js';

/** Starts the app, says so once it is assigned, and stops when stdin closes. */
export async function serveLatency(job: LatencyJob): Promise<LatencyContenderResult> {
  const launched = process.hrtime.bigint();
  const app = new KafkaStreams(benchTopology('stateless', job.inputTopic, job.outputTopic), {
    applicationId: job.applicationId,
    brokers: job.brokers,
    kafkaClient: job.kafkaClient,
    stateDir: job.stateDir,
    logger: quietLogger,
  });
  const assigned = new Promise<bigint>((resolve) => {
    const subscription = app.events$.subscribe((event) => {
      if (event.type === 'rebalance' && event.active.length > 0) {
        resolve(process.hrtime.bigint());
        subscription.unsubscribe();
      }
    });
  });
  const stdinClosed = new Promise<void>((resolve) => {
    process.stdin.on('end', resolve).on('close', resolve).resume();
  });
  await app.start();
  const started = await assigned;
  process.stdout.write(`${READY_MARKER}\n`);
  await stdinClosed;
  await app.close();
  return { startupMs: Math.round(Number(started - launched) / 1e6), peakRssMb: peakRssMb() };
}
