import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  KafkaStreams,
  Serdes,
  StreamsBuilder,
  type StreamsConfig,
  type StreamsState,
} from '../../../src/index.js';
import {
  createEmbeddedKafka,
  KafkaClientError,
  type EmbeddedKafka,
  type KafkaClient,
  type ProducerRecord,
} from '../../../src/kafka/index.js';
import { readDeadLetters } from '../../support/read-dead-letters.js';
import { readTopic } from '../../support/read-topic.js';
import { quietLogger, removeTempDirs, tempStateDir, waitUntil } from './support/embedded-app.js';

let kafka: EmbeddedKafka;
const apps: KafkaStreams[] = [];

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  await kafka?.close();
  await removeTempDirs();
});

/** `in` → mapValues (throws on 'boom') → `out`. */
function topology() {
  const b = new StreamsBuilder();
  b.stream('in', { key: Serdes.string(), value: Serdes.string() })
    .mapValues((v) => {
      if (v === 'boom') throw new Error('boom is not a value');
      return v.toUpperCase();
    })
    .to('out', { key: Serdes.string(), value: Serdes.string() });
  return b.build();
}

async function cluster(topics = ['in', 'out', 'dlq']): Promise<void> {
  kafka = createEmbeddedKafka();
  const admin = await kafka.admin();
  await admin.createTopics(topics.map((topic) => ({ topic, partitions: 1 })));
  await admin.close();
}

async function produce(values: string[]): Promise<void> {
  const producer = await kafka.producer();
  await producer.send(
    values.map((value, i) => ({
      topic: 'in',
      key: Buffer.from(`k${i}`),
      value: Buffer.from(value),
      timestamp: 1_000 + i,
      headers: { origin: Buffer.from(`line-${i}`) },
    })),
  );
  await producer.close();
}

async function app(config: Partial<StreamsConfig>, client: KafkaClient = kafka): Promise<KafkaStreams> {
  const instance = new KafkaStreams(topology(), {
    applicationId: 'dlq-app',
    kafka: client,
    stateDir: await tempStateDir(),
    commitIntervalMs: 50,
    sessionTimeoutMs: 2_000,
    heartbeatIntervalMs: 100,
    logger: quietLogger,
    deadLetterQueueTopic: 'dlq',
    ...config,
  });
  apps.push(instance);
  return instance;
}

const outValues = async () => (await readTopic(kafka, 'out')).map((r) => r.value!.toString());

describe('deadLetterQueueTopic on the embedded broker', () => {
  it('start() rejects with a ConfigError naming the option when the topic does not exist', async () => {
    await cluster(['in', 'out']);
    const instance = await app({});
    await expect(instance.start()).rejects.toThrow(ConfigError);
    await expect(
      (async () => {
        const again = await app({});
        await again.start();
      })(),
    ).rejects.toThrow(/deadLetterQueueTopic "dlq" does not exist: create it/);
  });

  it('logAndContinue: skipped records are in the DLQ, with their headers and the error headers, and counted', async () => {
    await cluster();
    const instance = await app({ processingExceptionHandler: 'logAndContinue' });
    await instance.start();
    await produce(['a', 'boom', 'b']);
    await waitUntil(async () => (await outValues()).length === 2, 'two outputs');
    await waitUntil(async () => (await readDeadLetters(kafka, 'dlq')).length === 1, 'one dead letter');
    const [dead] = await readDeadLetters(kafka, 'dlq');
    expect(dead).toMatchObject({
      key: 'k1',
      value: 'boom',
      headers: {
        origin: 'line-1',
        '__streams.errors.exception': 'Error',
        '__streams.errors.message': 'boom is not a value',
        '__streams.errors.topic': 'in',
        '__streams.errors.partition': '0',
        '__streams.errors.offset': '1',
      },
    });
    expect(dead!.headers['__streams.errors.stacktrace']).toMatch(/^Error: boom is not a value\n\s+at /);
    expect(await outValues()).toEqual(['A', 'B']);
    const metric = instance.metrics().find((m) => m.name === 'dead-letter-records-total');
    expect(metric?.value).toBe(1);
  });

  it('logAndFail at-least-once: the DLQ record is written, then the app fails', async () => {
    await cluster();
    const instance = await app({});
    const states: StreamsState[] = [];
    instance.state$.subscribe((s) => states.push(s));
    await instance.start();
    await produce(['a', 'boom', 'b']);
    await waitUntil(() => states.includes('ERROR'), 'the app to fail');
    const dead = await readDeadLetters(kafka, 'dlq');
    expect(dead.map((d) => [d.key, d.value, d.headers['__streams.errors.offset']])).toEqual([
      ['k1', 'boom', '1'],
    ]);
  });

  it('exactly-once: the DLQ record is committed with the transaction', async () => {
    await cluster();
    const instance = await app({
      processingGuarantee: 'exactly_once',
      processingExceptionHandler: 'logAndContinue',
    });
    await instance.start();
    await produce(['boom', 'a']);
    await waitUntil(
      async () => (await readDeadLetters(kafka, 'dlq')).length === 1,
      'the committed dead letter',
    );
    expect(await outValues()).toEqual(['A']);
  });
});

/** A client whose producers reject (as a broker would a too-large record) records valued `REJECT`. */
function rejecting(inner: KafkaClient): KafkaClient {
  const wrap = <P extends { send(records: ProducerRecord[]): Promise<unknown> }>(producer: P): P =>
    Object.assign(Object.create(producer) as P, {
      send: (records: ProducerRecord[]) =>
        records.some((r) => r.value?.toString() === 'REJECT')
          ? Promise.reject(
              new KafkaClientError('The request included a message larger than the max message size', {
                type: 'MESSAGE_TOO_LARGE',
                retriable: false,
              }),
            )
          : producer.send(records),
    });
  return {
    kind: inner.kind,
    admin: () => inner.admin(),
    producer: async () => wrap(await inner.producer()),
    transactionalProducer: (o) => inner.transactionalProducer(o),
    consumer: (o) => inner.consumer(o),
    partitionReader: (o) => inner.partitionReader(o),
  };
}

describe('productionExceptionHandler for records the broker rejects (at-least-once)', () => {
  it("'continue' drops the rejected record, counts it and writes its input record to the DLQ", async () => {
    await cluster();
    const instance = await app({ productionExceptionHandler: 'logAndContinue' }, rejecting(kafka));
    await instance.start();
    await produce(['a', 'reject', 'b']);
    await waitUntil(async () => (await outValues()).length === 2, 'two outputs');
    await waitUntil(async () => (await readDeadLetters(kafka, 'dlq')).length === 1, 'one dead letter');
    expect(await outValues()).toEqual(['A', 'B']);
    const [dead] = await readDeadLetters(kafka, 'dlq');
    expect(dead).toMatchObject({
      key: 'k1',
      value: 'reject',
      headers: {
        origin: 'line-1',
        '__streams.errors.exception': 'KafkaClientError',
        '__streams.errors.message': 'The request included a message larger than the max message size',
        '__streams.errors.offset': '1',
      },
    });
    const dropped = instance
      .metrics()
      .find((m) => m.name === 'dropped-records-total' && m.tags.reason === 'production');
    expect(dropped?.value).toBe(1);
    expect(instance.state).toBe('RUNNING');
  });

  it('logAndFail with a DLQ: the rejected record is dead-lettered, then the app fails', async () => {
    await cluster();
    const instance = await app({}, rejecting(kafka));
    const states: StreamsState[] = [];
    instance.state$.subscribe((s) => states.push(s));
    await instance.start();
    await produce(['a', 'reject']);
    await waitUntil(() => states.includes('ERROR'), 'the app to fail');
    await waitUntil(async () => (await readDeadLetters(kafka, 'dlq')).length > 0, 'the dead letter');
    const dead = await readDeadLetters(kafka, 'dlq');
    expect(dead.map((d) => [d.value, d.headers['__streams.errors.offset']])).toEqual([['reject', '1']]);
  });

  it("a function handler gets the input record and the broker's error; 'fail' fails the app", async () => {
    await cluster(['in', 'out']);
    const seen: string[] = [];
    const instance = await app(
      {
        deadLetterQueueTopic: undefined,
        productionExceptionHandler: (error, record) => {
          seen.push(
            `${error.name}:${error.topic}:${record.topic}:${record.offset}:${record.value?.toString()}`,
          );
          return 'fail';
        },
      },
      rejecting(kafka),
    );
    const states: StreamsState[] = [];
    instance.state$.subscribe((s) => states.push(s));
    await instance.start();
    await produce(['a', 'reject']);
    await waitUntil(() => states.includes('ERROR'), 'the app to fail');
    expect(seen).toEqual(['ProductionError:out:in:1:reject']);
  });
});
