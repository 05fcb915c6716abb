import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { describeWithKafka, kafkaBrokers, uniqueTopic } from './support/kafka.js';

const run = promisify(execFile);

describeWithKafka('kafkajs timers through the client port', () => {
  it('arm no timer with a negative delay, so Node prints no TimeoutNegativeWarning', async () => {
    const child = join('test', 'integration', 'support', 'kafkajs-timers-child.ts');
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', child, kafkaBrokers().join(','), uniqueTopic('timers')],
      { timeout: 120_000 },
    );
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, number>;
    expect(report).toEqual({ negativeWarnings: 0, negativeTimers: 0 });
  }, 150_000);
});
