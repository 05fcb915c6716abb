/** What a child process of the benchmark runs: one broker run, or all driver benchmarks. */
import { runDriverBench } from '../driver.js';
import { runJoinBench } from '../driver-join.js';
import { runWindowedBench } from '../driver-windowed.js';
import { benchKafka } from './broker.js';
import { waitForCompletion } from './completion.js';
import {
  peakRssMb,
  type BrokerJob,
  type BrokerRunResult,
  type DriverFigure,
  type DriverJob,
  type DriverRunResult,
  type RunningContender,
} from './protocol.js';
import { startRawKafkajs } from './raw-kafkajs.js';
import { startTributary, startTributaryExactlyOnce } from './tributary.js';
import { topicEnd } from './broker.js';

const STARTERS: Record<BrokerJob['contender'], (job: BrokerJob) => Promise<RunningContender>> = {
  'raw-kafkajs': startRawKafkajs,
  tributary: startTributary,
  'tributary-eos': startTributaryExactlyOnce,
};

/** Starts the contender, waits until the run is complete, stops it and reports. */
export async function broker(job: BrokerJob): Promise<BrokerRunResult> {
  const admin = benchKafka(job.brokers, `${job.groupId}-observer`).admin();
  await admin.connect();
  try {
    const launched = process.hrtime.bigint();
    const running = await STARTERS[job.contender](job);
    const started = await running.processingStarted;
    const ended = await waitForCompletion(admin, job);
    await running.stop();
    const processingMs = Number(ended - started) / 1e6;
    return {
      contender: job.contender,
      workload: job.workload,
      records: job.records,
      startupMs: Math.round(Number(started - launched) / 1e6),
      processingMs: Math.round(processingMs),
      recordsPerSecond: Math.round(job.records / (processingMs / 1000)),
      outputRecords: await topicEnd(admin, job.outputTopic),
      peakRssMb: peakRssMb(),
      windowMicros: [Number(started / 1000n), Number(ended / 1000n)],
    };
  } finally {
    await admin.disconnect();
  }
}

/** The in-process TopologyTestDriver benchmarks, each with its own baseline where it has one. */
export function driver(job: DriverJob): DriverRunResult {
  const [stateless, count, baseline] = runDriverBench({ records: job.records, runs: job.runs });
  const figures: DriverFigure[] = [stateless!, count!].map((r) => ({
    name: `driver ${r.name}`,
    records: r.records,
    recordsPerSecond: Math.round(r.bestRecordsPerSecond),
    baselineRecordsPerSecond: Math.round(baseline!.bestRecordsPerSecond),
  }));
  for (const r of runJoinBench(job.joinRecords, 10_000, job.runs)) {
    figures.push({
      name: `driver ${r.name}`,
      records: r.records,
      recordsPerSecond: Math.round(r.bestRecordsPerSecond),
    });
  }
  const windowed = runWindowedBench(job.windowedRecords);
  figures.push({
    name: `driver ${windowed.name}`,
    records: windowed.records,
    recordsPerSecond: windowed.recordsPerSecond,
  });
  return { figures, peakRssMb: peakRssMb() };
}
