/**
 * `npm run demo`: word count running as a real `KafkaStreams` worker. Without configuration it
 * runs on the in-process embedded broker (no Kafka, no Java); with `KAFKA_BROKERS=host:port[,…]`
 * the same program runs against that cluster. It creates the topics, produces a few lines over a
 * few seconds, prints every count update from the output topic, then closes gracefully and exits.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedKafka, KafkaStreams, runApp, type Logger } from '../src/index.js';
import { createKafkaClient, type KafkaClient, type PartitionReader } from '../src/kafka/index.js';
import { buildWordCountTopology, COUNTS_TOPIC, LINES_TOPIC } from './word-count.js';

const SAMPLE_LINES = [
  'All streams flow to the sea',
  'Kafka streams, Kafka tables',
  'A tributary joins the stream',
  'streams all the way down',
  'the sea is never full',
  'Tables are streams at rest',
];
const LINE_INTERVAL_MS = 500;
const PARTITIONS = 4;
/** How long to wait for the last counts before closing anyway. */
const SETTLE_TIMEOUT_MS = 8_000;

/** Warnings and errors only, one readable line each: the runner prints the lifecycle. */
const logger: Logger = {
  debug() {},
  info() {},
  warn: (fields, message) => console.error(`[warn] ${message ?? ''} ${JSON.stringify(fields)}`),
  error: (fields, message) => console.error(`[error] ${message ?? ''} ${JSON.stringify(fields)}`),
};

/** The same tokenization as the topology, to know when every line has been counted. */
function expectedCounts(lines: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines)
    for (const word of line
      .toLowerCase()
      .split(/\W+/)
      .filter((w) => w.length > 0))
      counts.set(word, (counts.get(word) ?? 0) + 1);
  return counts;
}

/** Prints every update on the output topic from its current end on; keeps the latest per word. */
async function followCounts(kafka: KafkaClient, latest: Map<string, number>): Promise<PartitionReader> {
  const admin = await kafka.admin();
  const ends = await admin.listOffsets(
    Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: COUNTS_TOPIC, partition })),
  );
  await admin.close();
  const reader = kafka.partitionReader({
    groupIdPrefix: 'word-count-demo-printer',
    partitions: ends.map((e) => ({ topic: COUNTS_TOPIC, partition: e.partition, fromOffset: e.end })),
  });
  void reader.run({
    eachBatch: async (batch) => {
      for (const m of batch.messages) {
        const word = m.key?.toString() ?? '';
        const count = Number(m.value?.readBigInt64BE(0) ?? 0n);
        latest.set(word, count);
        console.log(`    ${word.padEnd(10)} ${count}`);
      }
    },
  });
  return reader;
}

async function main(): Promise<void> {
  const brokers = process.env.KAFKA_BROKERS?.split(',').filter((b) => b.length > 0);
  const cluster = brokers !== undefined && brokers.length > 0 ? createKafkaClient({ brokers }) : undefined;
  const kafka: KafkaClient = cluster ?? embeddedKafka();
  console.log(
    cluster
      ? `Tributary demo: word count on the Kafka cluster at ${brokers!.join(',')}\n`
      : 'Tributary demo: word count on the in-process embedded broker (set KAFKA_BROKERS to use a cluster)\n',
  );

  // Idempotent: on a cluster that already has the topics, they are reused (and counts continue).
  const admin = await kafka.admin();
  await admin.createTopics([
    { topic: LINES_TOPIC, partitions: PARTITIONS },
    { topic: COUNTS_TOPIC, partitions: PARTITIONS },
  ]);
  await admin.close();

  // The embedded broker lives only as long as this process, so its local state must too; on a
  // cluster the default state dir survives restarts and a rerun restores nothing.
  const stateDir = cluster ? undefined : await mkdtemp(join(tmpdir(), 'tributary-demo-'));
  const app = new KafkaStreams(buildWordCountTopology(), {
    applicationId: 'word-count-demo',
    kafka,
    ...(stateDir === undefined ? {} : { stateDir }),
    commitIntervalMs: 200,
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 1_000,
    logger,
  });
  const latest = new Map<string, number>();
  const printer = await followCounts(kafka, latest);
  const producer = await kafka.producer();
  const running = await runApp(app, {
    closeTimeoutMs: 5_000,
    afterClose: async () => {
      await printer.close();
      await producer.close();
      await cluster?.close();
      if (stateDir !== undefined) await rm(stateDir, { recursive: true, force: true });
    },
  });

  const produced: string[] = [];
  for (const [i, line] of SAMPLE_LINES.entries()) {
    await producer.send([
      {
        topic: LINES_TOPIC,
        key: Buffer.from(`line-${i + 1}`),
        value: Buffer.from(line),
        timestamp: Date.now(),
      },
    ]);
    produced.push(line);
    console.log(`> ${line}`);
    await new Promise((resolve) => setTimeout(resolve, LINE_INTERVAL_MS));
  }

  // Counts only grow, so once each word has reached at least this run's count every line is in.
  const expected = expectedCounts(produced);
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  while (Date.now() < deadline && ![...expected].every(([w, n]) => (latest.get(w) ?? 0) >= n))
    await new Promise((resolve) => setTimeout(resolve, 100));

  console.log('\nLatest counts:');
  for (const [word, count] of [...latest].sort(([a], [b]) => a.localeCompare(b)))
    console.log(`  ${word.padEnd(10)} ${count}`);
  console.log('');
  await running.shutdown('demo finished');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
