/**
 * A word-count instance as its own process, for kill -9 tests:
 * `tsx word-count-worker.ts <brokers> <applicationId> <input> <output> <stateDir> [<guarantee>]`.
 * Prints `RUNNING` once started and closes gracefully on SIGTERM.
 */
import { wordCountApp } from './word-count-app.js';

const [brokers, applicationId, input, output, stateDir, guarantee] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  ('exactly_once' | 'at_least_once')?,
];
const app = wordCountApp(input, output, {
  applicationId,
  brokers: brokers.split(','),
  stateDir,
  processingGuarantee: guarantee ?? 'at_least_once',
  sessionTimeoutMs: 6_000,
  heartbeatIntervalMs: 1_000,
});
process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
await app.start();
process.stdout.write('RUNNING\n');
