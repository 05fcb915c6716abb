/**
 * The contender: the same workloads written with Tributary's DSL and run by `KafkaStreams` on
 * the broker. `commitIntervalMs` comes from the job (the bench uses 1 s, not the 30 s default),
 * count and the windowed count keep the default persistent (`level`) stores with the default record cache, and the
 * logger only passes warnings and errors on. The `tributary-eos` contender is the same app with
 * `processingGuarantee: 'exactly_once'` (and the same `commitIntervalMs`).
 */
import {
  KafkaStreams,
  Serdes,
  StreamsBuilder,
  TimeWindows,
  type ProcessingGuarantee,
  type Topology,
} from '../../src/index.js';
import type { Logger } from '../../src/logger.js';
import type { BrokerJob, RunningContender } from './protocol.js';
import {
  TABLE_TOPIC,
  WINDOW_SIZE_MS,
  enrich,
  isPurchase,
  toPurchase,
  type BenchEvent,
  type Profile,
  type Workload,
} from './workload.js';

export const quietLogger: Logger = {
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
  } else if (workload === 'join') {
    const users = b.table(TABLE_TOPIC, { key: Serdes.string(), value: Serdes.json<Profile>() });
    events.join(users, (e, p) => enrich(e, p)).to(output, { key: Serdes.string(), value: Serdes.json() });
  } else if (workload === 'windowed') {
    events
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(WINDOW_SIZE_MS))
      .count({ name: 'window-counts' })
      .toStream()
      .to(output, {
        key: Serdes.windowed(Serdes.string(), { windowSizeMs: WINDOW_SIZE_MS }),
        value: Serdes.long(),
      });
  } else {
    events
      .groupByKey()
      .count({ name: 'counts' })
      .toStream()
      .to(output, { key: Serdes.string(), value: Serdes.long() });
  }
  return b.build();
}

/** Starts the at-least-once app; resolves once it runs (its first assignment is done). */
export function startTributary(job: BrokerJob): Promise<RunningContender> {
  return startApp(job, 'at_least_once');
}

/** The same app under exactly-once: input offsets are committed in each task's transaction. */
export function startTributaryExactlyOnce(job: BrokerJob): Promise<RunningContender> {
  return startApp(job, 'exactly_once');
}

async function startApp(job: BrokerJob, processingGuarantee: ProcessingGuarantee): Promise<RunningContender> {
  const app = new KafkaStreams(benchTopology(job.workload, job.inputTopic, job.outputTopic), {
    applicationId: job.groupId,
    brokers: job.brokers,
    kafkaClient: job.kafkaClient,
    processingGuarantee,
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
