/**
 * One instance of the fault topologies as its own process, for kill -9 rounds:
 * `node --import tsx fault-worker.ts '<json: { topics, config }>'`. Prints `RUNNING` once started.
 */
import type { StreamsConfig } from '../../../src/index.js';
import { type FaultTopics, faultApp } from './fault-app.js';

const { topics, config } = JSON.parse(process.argv[2]!) as { topics: FaultTopics; config: StreamsConfig };
const app = faultApp(topics, config);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
await app.start();
process.stdout.write('RUNNING\n');
