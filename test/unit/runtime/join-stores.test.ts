import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { JoinWindows, KafkaStreams, Serdes, StreamsBuilder } from '../../../src/index.js';
import { createEmbeddedKafka } from '../../../src/kafka/index.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

it('stream–stream join windows are persistent stores in a running app and join records', async () => {
  const kafka = createEmbeddedKafka();
  const admin = await kafka.admin();
  await admin.createTopics(['clicks', 'views', 'joined'].map((topic) => ({ topic, partitions: 1 })));
  const b = new StreamsBuilder();
  const views = b.stream('views', { key: Serdes.string(), value: Serdes.string() });
  b.stream('clicks', { key: Serdes.string(), value: Serdes.string() })
    .join(views, (click, view) => `${click}+${view}`, JoinWindows.ofTimeDifferenceWithNoGrace(10_000), {
      name: 'click-view',
    })
    .to('joined', { key: Serdes.string(), value: Serdes.string() });
  const stateDir = await mkdtemp(join(tmpdir(), 'trib-join-'));
  const app = new KafkaStreams(b.build(), {
    applicationId: 'joins',
    kafka,
    stateDir,
    commitIntervalMs: 20,
    logger: quiet,
  });
  await app.start();
  const producer = await kafka.producer();
  await producer.send([
    { topic: 'views', key: Buffer.from('u1'), value: Buffer.from('home'), timestamp: 1_000 },
  ]);
  await producer.send([
    { topic: 'clicks', key: Buffer.from('u1'), value: Buffer.from('buy'), timestamp: 2_000 },
  ]);
  const deadline = Date.now() + 10_000;
  let end = '0';
  while (Date.now() < deadline && end === '0') {
    end = (await admin.listOffsets([{ topic: 'joined', partition: 0 }]))[0]!.end;
    await new Promise((r) => setTimeout(r, 50));
  }
  const values: string[] = [];
  const reader = kafka.partitionReader({
    groupIdPrefix: 'v',
    partitions: [{ topic: 'joined', partition: 0, fromOffset: '0', untilOffset: end }],
  });
  await reader.run({
    eachBatch: async (batch) => void values.push(...batch.messages.map((m) => m.value!.toString())),
  });
  await reader.close();
  expect(values).toEqual(['buy+home']);
  const taskDir = join(stateDir, 'joins', '0_0');
  const storeDirs = ['click-view-this-join-store', 'click-view-other-join-store'];
  // LevelDB directories under the task: the window stores are persistent, not in-memory.
  for (const dir of storeDirs) expect(existsSync(join(taskDir, dir, 'CURRENT'))).toBe(true);
  await app.close();
  await kafka.close();
  await rm(stateDir, { recursive: true, force: true });
});
