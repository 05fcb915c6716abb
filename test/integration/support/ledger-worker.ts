/**
 * A ledger instance as its own process, for kill -9 loops:
 * `node --import tsx ledger-worker.ts <brokers> <applicationId> <input> <echo> <sums> <stateDir> <guarantee>`.
 * Prints `RUNNING` once started.
 */
import { ledgerApp } from './ledger-app.js';

const [brokers, applicationId, input, echo, sums, stateDir, guarantee] = process.argv.slice(2) as string[];
const app = ledgerApp(input!, echo!, sums!, {
  applicationId: applicationId!,
  brokers: brokers!.split(','),
  stateDir: stateDir!,
  processingGuarantee: guarantee as 'exactly_once' | 'at_least_once',
  commitIntervalMs: 200,
  sessionTimeoutMs: 6_000,
  heartbeatIntervalMs: 1_000,
});
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
await app.start();
process.stdout.write('RUNNING\n');
