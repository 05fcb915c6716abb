import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect, it } from 'vitest';
import {
  KafkaStreams,
  Serdes,
  StreamsBuilder,
  type StreamsConfig,
  type StreamsState,
} from '../../src/index.js';
import { createKafkaClient, type ClosableKafkaClient } from '../../src/kafka/index.js';
import { readDeadLetters } from '../support/read-dead-letters.js';
import { readTopic } from '../support/read-topic.js';
import { createTopic, describeWithKafka, kafkaBrokers, testKafka, uniqueTopic } from './support/kafka.js';
import { waitUntil } from './support/word-count-app.js';

const dirs: string[] = [];
const apps: KafkaStreams[] = [];
let kafka: ClosableKafkaClient | undefined;

afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
  await kafka?.close();
  kafka = undefined;
});
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** `in` → mapValues (throws on `boom`/`fatal`; `big` becomes 4 KB) → `out`. */
function topology(input: string, output: string) {
  const b = new StreamsBuilder();
  b.stream(input, { key: Serdes.string(), value: Serdes.string() })
    .mapValues((v) => {
      if (v === 'boom' || v === 'fatal') throw new Error(`${v} is not a value`);
      return v === 'big' ? 'B'.repeat(4_096) : v.toUpperCase();
    })
    .to(output, { key: Serdes.string(), value: Serdes.string() });
  return b.build();
}

/** Fresh input, output (records over 1 KB rejected) and dead-letter topics, one partition each. */
async function topics(prefix: string) {
  const id = uniqueTopic(prefix);
  const names = { id, input: `${id}-in`, output: `${id}-out`, dlq: `${id}-dlq` };
  const admin = testKafka().admin();
  await admin.connect();
  await createTopic(admin, names.input, 1);
  await createTopic(admin, names.output, 1, { 'max.message.bytes': '1024' });
  await createTopic(admin, names.dlq, 1);
  await admin.disconnect();
  kafka = createKafkaClient({ brokers: kafkaBrokers(), clientId: `${id}-verify` });
  return names;
}

async function app(
  names: { id: string; input: string; output: string; dlq: string },
  config: Partial<StreamsConfig>,
) {
  const stateDir = await mkdtemp(join(tmpdir(), 'trib-dlq-'));
  dirs.push(stateDir);
  const instance = new KafkaStreams(topology(names.input, names.output), {
    applicationId: names.id,
    brokers: kafkaBrokers(),
    stateDir,
    deadLetterQueueTopic: names.dlq,
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 1_000,
    logger: quiet,
    ...config,
  });
  apps.push(instance);
  return instance;
}

async function produce(topic: string, values: string[], first = 0): Promise<void> {
  const producer = await kafka!.producer();
  await producer.send(
    values.map((value, i) => ({
      topic,
      key: Buffer.from(`k${first + i}`),
      value: Buffer.from(value),
      timestamp: Date.now(),
      headers: { origin: Buffer.from(`line-${first + i}`) },
    })),
  );
  await producer.close();
}

describeWithKafka('dead-letter topic on a real broker', () => {
  it('at-least-once: skipped and rejected records land in the DLQ with the error headers', async () => {
    const names = await topics('dlq-alos');
    const instance = await app(names, {
      commitIntervalMs: 200,
      processingExceptionHandler: 'logAndContinue',
      productionExceptionHandler: 'logAndContinue',
    });
    await instance.start();
    // `big` becomes a record the broker rejects (over the output topic's max.message.bytes).
    await produce(names.input, ['a', 'boom', 'big', 'b']);
    // At-least-once, the resend that finds the rejected record writes again what the failed send
    // had written (here the DLQ record of `boom`): duplicates, never a loss.
    const distinct = async () => [
      ...new Map(
        (await readDeadLetters(kafka!, names.dlq)).map((d) => [d.headers['__streams.errors.offset'], d]),
      ).values(),
    ];
    await waitUntil(async () => (await distinct()).length === 2, 30_000, 'two dead letters');
    const dead = await distinct();
    expect(dead.map((d) => [d.key, d.value, d.headers.origin, d.headers['__streams.errors.offset']])).toEqual(
      [
        ['k1', 'boom', 'line-1', '1'],
        ['k2', 'big', 'line-2', '2'],
      ],
    );
    expect(dead[0]!.headers).toMatchObject({
      '__streams.errors.exception': 'Error',
      '__streams.errors.message': 'boom is not a value',
      '__streams.errors.topic': names.input,
      '__streams.errors.partition': '0',
    });
    expect(dead[0]!.headers['__streams.errors.stacktrace']).toMatch(/^Error: boom is not a value\n\s+at /);
    expect(dead[1]!.headers['__streams.errors.exception']).toBe('KafkaClientError');
    expect(dead[1]!.headers['__streams.errors.message']).toMatch(
      /larger than the max message size|too large/i,
    );
    await waitUntil(async () => (await readTopic(kafka!, names.output)).length === 2, 30_000, 'two outputs');
    expect((await readTopic(kafka!, names.output)).map((r) => r.value!.toString())).toEqual(['A', 'B']);
    expect(instance.state).toBe('RUNNING');
  }, 60_000);

  it('exactly-once: the DLQ record is committed with the transaction; an aborted one stays invisible', async () => {
    const names = await topics('dlq-eos');
    const eos = { processingGuarantee: 'exactly_once', commitIntervalMs: 600_000 } as const;
    const first = await app(names, {
      ...eos,
      processingExceptionHandler: (error) => (error.message.includes('fatal') ? 'fail' : 'continue'),
    });
    const states: StreamsState[] = [];
    first.state$.subscribe((s) => states.push(s));
    await first.start();
    // `boom`'s DLQ record goes into the open transaction (sent early: the input is drained); no
    // commit comes before `fatal` fails the task, so the transaction is aborted.
    await produce(names.input, ['boom']);
    // Its transaction's records sit above the last stable offset until it ends, so wait for the
    // task to have dead-lettered it, then give the early send time to put it into the transaction.
    const deadLettered = () =>
      first.metrics().find((m) => m.name === 'dead-letter-records-total')?.value === 1;
    await waitUntil(deadLettered, 30_000, 'boom to be dead-lettered');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await produce(names.input, ['fatal'], 1);
    await waitUntil(() => states.includes('ERROR'), 30_000, 'the first run to fail');
    await first.close();
    await waitUntil(
      async () => (await readDeadLetters(kafka!, names.dlq, 'read_uncommitted')).length >= 1,
      30_000,
      'the aborted transaction to end',
    );
    expect(await readDeadLetters(kafka!, names.dlq)).toEqual([]);

    // A second run reprocesses both from the last commit (none) and commits their DLQ records.
    const second = await app(names, {
      ...eos,
      commitIntervalMs: 100,
      processingExceptionHandler: 'logAndContinue',
    });
    await second.start();
    await waitUntil(
      async () => (await readDeadLetters(kafka!, names.dlq)).length === 2,
      30_000,
      'the committed DLQ records',
    );
    const committed = await readDeadLetters(kafka!, names.dlq);
    expect(committed.map((d) => [d.value, d.headers['__streams.errors.message']])).toEqual([
      ['boom', 'boom is not a value'],
      ['fatal', 'fatal is not a value'],
    ]);
    // The aborted copy of `boom`'s DLQ record is in the log, but never visible to read_committed.
    const everything = await readDeadLetters(kafka!, names.dlq, 'read_uncommitted');
    expect(everything.map((d) => d.value)).toEqual(['boom', 'boom', 'fatal']);
  }, 90_000);
});
