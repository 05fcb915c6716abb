/**
 * Child of kafkajs-timers.test.ts: a fresh process (Node prints TimeoutNegativeWarning once per
 * process) that talks to the broker through the client port, then reports on stdout, as JSON,
 * the TimeoutNegativeWarnings emitted and the timers armed with a negative delay.
 * Usage: kafkajs-timers-child.ts <brokers> <topic>
 */
import { createKafkaClient } from '../../../src/kafka/index.js';

const [brokers = '', topic = ''] = process.argv.slice(2);
let negativeWarnings = 0;
let negativeTimers = 0;
process.on('warning', (warning) => {
  if (warning.name === 'TimeoutNegativeWarning') negativeWarnings++;
});
const setTimeoutOfNode = globalThis.setTimeout;
globalThis.setTimeout = ((callback: () => void, delay?: number) => {
  if (delay !== undefined && delay < 0) negativeTimers++;
  return setTimeoutOfNode(callback, delay);
}) as typeof setTimeout;

const kafka = createKafkaClient({ brokers: brokers.split(','), clientId: 'kafkajs-timers' });
const admin = await kafka.admin();
await admin.createTopics([{ topic, partitions: 1 }]);
const producer = await kafka.producer();
await producer.send([{ topic, key: Buffer.from('k'), value: Buffer.from('v'), timestamp: Date.now() }]);
await admin.listOffsets([{ topic, partition: 0 }]);
// Idle connections: kafkajs 2.2.4 re-arms its request-queue timer every millisecond here.
await new Promise((resolve) => setTimeoutOfNode(resolve, 300));
await producer.close();
await admin.close();
await kafka.close();
// Warnings are emitted on the next tick.
await new Promise((resolve) => setImmediate(resolve));
process.stdout.write(`${JSON.stringify({ negativeWarnings, negativeTimers })}\n`);
