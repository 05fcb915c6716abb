/**
 * `npm run demo`: word count end to end on a handful of lines, printing each count as it changes.
 * For now it runs on the in-process TopologyTestDriver; a later version runs it on the embedded
 * broker with a real KafkaStreams worker.
 */
import { Serdes } from '../src/index.js';
import { TopologyTestDriver } from '../src/testing/index.js';
import { buildWordCountTopology, COUNTS_STORE, COUNTS_TOPIC, LINES_TOPIC } from './word-count.js';

const SAMPLE_LINES = [
  'All streams flow to the sea',
  'Kafka streams, Kafka tables',
  'A tributary joins the stream',
  'streams all the way down',
];

function main(): void {
  const topology = buildWordCountTopology();
  console.log(
    'Tributary demo: word count on the in-process TopologyTestDriver (no Kafka broker involved).\n',
  );
  console.log(topology.describe().toString());

  const driver = new TopologyTestDriver(topology, { applicationId: 'word-count-demo' }, 0);
  try {
    const lines = driver.createInputTopic(LINES_TOPIC, Serdes.string(), Serdes.string());
    const counts = driver.createOutputTopic(COUNTS_TOPIC, Serdes.string(), Serdes.long());
    SAMPLE_LINES.forEach((line, i) => {
      lines.pipeInput(`line-${i + 1}`, line, (i + 1) * 1_000);
      console.log(`> ${line}`);
      for (const { key, value } of counts.readKeyValuesToList()) console.log(`    ${key} = ${value}`);
    });
    console.log('\nFinal counts (from the "counts" store):');
    for (const { key, value } of driver.getKeyValueStore<string, number>(COUNTS_STORE).all())
      console.log(`  ${key.padEnd(10)} ${value}`);
  } finally {
    driver.close();
  }
}

main();
