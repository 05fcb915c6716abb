import { afterEach, describe, it } from 'vitest';
import { createEmbeddedKafka } from '../../../src/kafka/index.js';
import { expectJoinMergesByTimestamp } from '../../support/join-order.js';
import { removeTempDirs, tempStateDir } from './support/embedded-app.js';

afterEach(removeTempDirs);

describe('a task reading several partitions', () => {
  it.each([300, 2_500])(
    'merges them by timestamp, so a windowed join loses nothing however the input was fetched (%i per side)',
    async (perSide) => {
      const kafka = createEmbeddedKafka();
      const names = { applicationId: 'merge', left: 'left', right: 'right', output: 'joined-out' };
      await expectJoinMergesByTimestamp(kafka, { ...names, stateDir: await tempStateDir() }, perSide, 20_000);
      await kafka.close();
    },
  );
});
