/**
 * Child of `bench/eos-crash-restart.ts`: an exactly-once count instance over the restore
 * benchmark's topics. Prints `RUNNING <json>` once `start()` resolved (every task restored), with
 * how long that took and how many changelog records it restored, and runs until it is killed.
 */
import { KafkaStreams } from '../src/index.js';
import { benchTopology, quietLogger } from './lib/tributary.js';

interface CrashJob {
  brokers: string[];
  applicationId: string;
  inputTopic: string;
  outputTopic: string;
  stateDir: string;
}

const job = JSON.parse(process.argv[2]!) as CrashJob;
const app = new KafkaStreams(benchTopology('count', job.inputTopic, job.outputTopic), {
  applicationId: job.applicationId,
  brokers: job.brokers,
  processingGuarantee: 'exactly_once',
  commitIntervalMs: 1_000,
  defaultDslStore: 'persistent',
  stateDir: job.stateDir,
  sessionTimeoutMs: 6_000,
  heartbeatIntervalMs: 1_000,
  logger: {
    ...quietLogger,
    warn: (fields, message) => process.stderr.write(`warn: ${message} ${JSON.stringify(fields)}\n`),
  },
});
let restored = 0;
let commits = 0;
app.events$.subscribe((event) => {
  if (event.type === 'restore-end') restored += event.totalRestored;
  if (event.type === 'commit') process.stdout.write(`COMMIT ${++commits}\n`);
});
const launched = process.hrtime.bigint();
await app.start();
const startMs = Math.round(Number(process.hrtime.bigint() - launched) / 1e6);
process.stdout.write(`RUNNING ${JSON.stringify({ startMs, restored })}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
