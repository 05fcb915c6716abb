import { Serdes, StreamsBuilder } from '../src/index.js';
import { TopologyTestDriver } from '../src/testing/index.js';
const N = 1_000_000;
const keys: Buffer[] = [], values: Buffer[] = [];
for (let i = 0; i < N; i++) { keys.push(Buffer.from(`key-${i % 100000}`)); values.push(Buffer.from('v' + (i % 100))); }
for (let r = 0; r < 4; r++) {
  const b = new StreamsBuilder();
  b.stream('events', { key: Serdes.buffer(), value: Serdes.buffer() }).filter(() => true).mapValues((v) => v).mapValues((v) => v).to('out', { key: Serdes.buffer(), value: Serdes.buffer() });
  const driver = new TopologyTestDriver(b.build(), { applicationId: 'bench' }, 0);
  const input = driver.createInputTopic('events', Serdes.buffer(), Serdes.buffer());
  const out = driver.createOutputTopic('out', Serdes.buffer(), Serdes.buffer());
  const t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) { input.pipeInput(keys[i]!, values[i]!, i); if (i % 1000 === 0) while (!out.isEmpty()) out.readValue(); }
  console.log('overhead-only rec/s', Math.round(N / (Number(process.hrtime.bigint() - t) / 1e9)));
  driver.close();
}
