import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';
import { createKafkaClient } from '../../src/kafka/index.js';
import { expectJoinMergesByTimestamp } from '../support/join-order.js';
import { describeWithKafka, kafkaBrokers, uniqueTopic } from './support/kafka.js';
import { testKafkaClient } from './support/word-count-app.js';

describeWithKafka('a join task on a real broker', () => {
  it('merges both inputs by timestamp, so a windowed join with no grace loses nothing', async () => {
    const kafka = createKafkaClient({ brokers: kafkaBrokers(), client: testKafkaClient().kafkaClient });
    const stateDir = await mkdtemp(join(tmpdir(), 'trib-join-'));
    try {
      await expectJoinMergesByTimestamp(
        kafka,
        {
          applicationId: uniqueTopic('join-order'),
          left: uniqueTopic('left'),
          right: uniqueTopic('right'),
          output: uniqueTopic('joined'),
          stateDir,
        },
        2_000,
        60_000,
      );
    } finally {
      await kafka.close();
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
