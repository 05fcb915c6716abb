import { KafkaStreams, Serdes, StreamsBuilder, type StreamsConfig } from '../../../src/index.js';
import { createKafkaClient } from '../../../src/kafka/index.js';
import { consoleLogger } from '../../../src/logger.js';
import { mergeCounts, readLatestCounts } from '../../support/counts.js';

/** Lines → words → counts per word (a key change, so a repartition topic), written to `output`. */
export function wordCountTopology(input: string, output: string) {
  const b = new StreamsBuilder();
  b.stream(input, { key: Serdes.string(), value: Serdes.string() })
    .flatMapValues((line) => line.split(' '))
    .groupBy((_, w) => w, { key: Serdes.string(), value: Serdes.string() })
    .count({ name: 'counts' })
    .toStream()
    .to(output, { key: Serdes.string(), value: Serdes.long() });
  return b.build();
}

export const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Quiet unless `TRIBUTARY_TEST_LOG` names a level (`debug`, `info`…): for chasing a failing run. */
function testLogger(instance: string) {
  const level = process.env.TRIBUTARY_TEST_LOG as 'debug' | 'info' | 'warn' | 'error' | undefined;
  return level ? consoleLogger(level, { instance }) : quietLogger;
}

/**
 * The client library of the apps under test: `TRIBUTARY_KAFKA_CLIENT=platformatic` runs the
 * word-count suites on the @platformatic/kafka adapter (the default stays the app's default).
 */
export function testKafkaClient(): Pick<StreamsConfig, 'kafkaClient'> {
  const client = process.env.TRIBUTARY_KAFKA_CLIENT;
  return client ? { kafkaClient: client as NonNullable<StreamsConfig['kafkaClient']> } : {};
}

export function wordCountApp(input: string, output: string, config: StreamsConfig): KafkaStreams {
  return new KafkaStreams(wordCountTopology(input, output), {
    logger: testLogger(`${process.pid}`),
    commitIntervalMs: 200,
    ...(config.brokers ? testKafkaClient() : {}),
    ...config,
  });
}

/** Whether the counts read equal the true count of every word. */
export function sameCounts(got: Map<string, number>, truth: Map<string, number>): boolean {
  return got.size === truth.size && [...truth].every(([w, n]) => got.get(w) === n);
}

/** Latest value per key of a topic holding word counts (Java long values). */
export async function readCounts(brokers: string[], topic: string): Promise<Map<string, number>> {
  const kafka = createKafkaClient({ brokers, clientId: 'verify' });
  try {
    return await readLatestCounts(kafka, topic);
  } finally {
    await kafka.close();
  }
}

/** Produces `count` lines of words from a fixed vocabulary; returns the true count per word. */
export async function produceLines(
  brokers: string[],
  topic: string,
  count: number,
  offset = 0,
): Promise<Map<string, number>> {
  const kafka = createKafkaClient({ brokers, clientId: 'load' });
  const producer = await kafka.producer();
  const truth = new Map<string, number>();
  const records = [];
  // Current timestamps: the broker deletes records older than the topic's retention (7 days)
  // within a minute, whether they were processed or not.
  const now = Date.now();
  for (let i = offset; i < offset + count; i++) {
    const line = `w${i % 37} w${(i * 7) % 41} w${(i * 13) % 29}`;
    for (const w of line.split(' ')) truth.set(w, (truth.get(w) ?? 0) + 1);
    records.push({
      topic,
      key: Buffer.from(`line-${i}`),
      value: Buffer.from(line),
      timestamp: now + i - offset,
    });
  }
  for (let i = 0; i < records.length; i += 500) await producer.send(records.slice(i, i + 500));
  await producer.close();
  await kafka.close();
  return truth;
}

export { mergeCounts };

export async function waitUntil(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
}
