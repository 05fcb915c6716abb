import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatReport, internalTopicsOf, resetApplication } from '../../../src/cli/reset.js';
import { createEmbeddedKafka, type EmbeddedKafka } from '../../../src/kafka/index.js';

const T0 = 1_700_000_000_000;

describe('resetApplication on the embedded broker', () => {
  let kafka: EmbeddedKafka;
  let stateDir: string;

  beforeEach(async () => {
    kafka = createEmbeddedKafka();
    stateDir = await mkdtemp(join(tmpdir(), 'tributary-reset-unit-'));
    const admin = await kafka.admin();
    await admin.createTopics(
      [
        'lines',
        'shop-counts-changelog',
        'shop-KSTREAM-AGG-0000000003-repartition',
        'shop-audit',
        'other-x-changelog',
      ].map((topic) => ({ topic, partitions: 1 })),
    );
    const producer = await kafka.producer();
    await producer.send(
      [0, 1, 2, 3].map((i) => ({
        topic: 'lines',
        key: null,
        value: Buffer.from(`l${i}`),
        timestamp: T0 + i * 1000,
      })),
    );
    await producer.close();
    await admin.alterCommittedOffsets('shop', [{ topic: 'lines', partition: 0, offset: '4' }]);
    await admin.close();
    await mkdir(join(stateDir, 'shop', '0_0'), { recursive: true });
    await writeFile(join(stateDir, 'shop', '0_0', 'data'), 'x');
  });

  afterEach(async () => {
    await kafka.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('finds internal topics by prefix and suffix only', () => {
    expect(
      internalTopicsOf('shop', [
        'shop-a-changelog',
        'shop-changelog',
        'shop-b-repartition',
        'shopx-a-changelog',
        'shop-c',
      ]),
    ).toEqual(['shop-a-changelog', 'shop-b-repartition']);
  });

  it('changes nothing on a dry run and reports what it would do', async () => {
    const report = await resetApplication(kafka, {
      applicationId: 'shop',
      inputTopics: ['lines'],
      to: { kind: 'earliest' },
      stateDir,
      dryRun: true,
    });
    expect(report).toEqual({
      dryRun: true,
      offsets: [{ topic: 'lines', partition: 0, from: '4', to: '0' }],
      deletedTopics: ['shop-KSTREAM-AGG-0000000003-repartition', 'shop-counts-changelog'],
      deletedStateDir: join(stateDir, 'shop'),
    });
    const admin = await kafka.admin();
    expect(await admin.fetchCommittedOffsets('shop', [{ topic: 'lines', partition: 0 }])).toEqual([
      { topic: 'lines', partition: 0, offset: '4' },
    ]);
    expect(await admin.listTopics()).toContain('shop-counts-changelog');
    await admin.close();
    expect(existsSync(join(stateDir, 'shop', '0_0', 'data'))).toBe(true);
    expect(formatReport('shop', report, stateDir)).toContain('Dry run: nothing changed.');
  });

  it('rewinds by duration to the first record that recent, deletes internal topics and state', async () => {
    const report = await resetApplication(kafka, {
      applicationId: 'shop',
      inputTopics: ['lines'],
      to: { kind: 'duration', ms: 1500 },
      stateDir,
      dryRun: false,
      now: () => T0 + 3000,
    });
    expect(report.offsets).toEqual([{ topic: 'lines', partition: 0, from: '4', to: '2' }]);
    const admin = await kafka.admin();
    expect(await admin.fetchCommittedOffsets('shop', [{ topic: 'lines', partition: 0 }])).toEqual([
      { topic: 'lines', partition: 0, offset: '2' },
    ]);
    expect((await admin.listTopics()).sort()).toEqual(['lines', 'other-x-changelog', 'shop-audit']);
    await admin.close();
    expect(existsSync(join(stateDir, 'shop'))).toBe(false);
  });

  it('rewinds to a date-time and names an unknown input topic', async () => {
    const report = await resetApplication(kafka, {
      applicationId: 'shop',
      inputTopics: ['lines'],
      to: { kind: 'datetime', timestamp: T0 + 999 },
      dryRun: false,
    });
    expect(report.offsets[0]!.to).toBe('1');
    expect(formatReport('shop', report, undefined)).toContain('local state: no --state-dir given');
    await expect(
      resetApplication(kafka, {
        applicationId: 'shop',
        inputTopics: ['nope'],
        to: { kind: 'earliest' },
        dryRun: false,
      }),
    ).rejects.toThrow("--input-topics: no such topic 'nope'");
  });
});
