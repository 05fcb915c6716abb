/**
 * The contender: the same workloads written with Tributary's DSL and run by `KafkaStreams` on
 * the broker. `commitIntervalMs` comes from the job (the bench uses 1 s, not the 30 s default),
 * count keeps the default persistent (`level`) store with the default record cache, and the
 * logger only passes warnings and errors on.
 */
import { KafkaStreams, Serdes, StreamsBuilder, type Topology } from '../../src/index.js';
import type { Logger } from '../../src/runtime/logger.js';
import type { BrokerJob, RunningContender } from './protocol.js';
import { isPurchase, toPurchase, type BenchEvent, type Workload } from './workload.js';

const quietLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (fields, message) => console.error('warn', message, fields),
  error: (fields, message) => console.error('error', message, fields),
};

/** The workload as a Tributary topology reading `input` and writing `output`. */
export function benchTopology(workload: Workload, input: string, output: string): Topology {
  const b = new StreamsBuilder();
  const events = b.stream(input, { key: Serdes.string(), value: Serdes.json<BenchEvent>() });
  if (workload === 'stateless') {
    events
      .filter((_, e) => isPurchase(e))
      .mapValues(toPurchase)
      .to(output, { value: Serdes.json() });
  } else {
    events
      .groupByKey()
      .count({ name: 'counts' })
      .toStream()
      .to(output, { key: Serdes.string(), value: Serdes.long() });
  }
  return b.build();
}

/** Starts the app; resolves once it runs (its first assignment is done). */
export async function startTributary(job: BrokerJob): Promise<RunningContender> {
  const app = new KafkaStreams(benchTopology(job.workload, job.inputTopic, job.outputTopic), {
    applicationId: job.groupId,
    brokers: job.brokers,
    commitIntervalMs: job.commitIntervalMs,
    defaultDslStore: 'persistent',
    stateDir: job.stateDir,
    logger: quietLogger,
  });
  const processingStarted = new Promise<bigint>((resolve) => {
    const subscription = app.events$.subscribe((event) => {
      if (event.type === 'rebalance' && event.active.length > 0) {
        resolve(process.hrtime.bigint());
        subscription.unsubscribe();
      }
    });
  });
  await app.start();
  return { processingStarted, stop: () => app.close() };
}
