/**
 * A word-count instance as its own process, for kill -9 tests:
 * `tsx word-count-worker.ts <brokers> <applicationId> <input> <output> <stateDir>`.
 * Prints `RUNNING` once started and closes gracefully on SIGTERM.
 */
import { wordCountApp } from './word-count-app.js';

const [brokers, applicationId, input, output, stateDir] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const app = wordCountApp(input, output, {
  applicationId,
  brokers: brokers.split(','),
  stateDir,
  sessionTimeoutMs: 6_000,
  heartbeatIntervalMs: 1_000,
});
process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
await app.start();
process.stdout.write('RUNNING\n');
