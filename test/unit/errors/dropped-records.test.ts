import { afterEach, describe, expect, it } from 'vitest';
import { Serdes, StreamsBuilder, TimeWindows, type Logger } from '../../../src/index.js';
import type { TopologyTestDriver } from '../../../src/testing/index.js';
import { driverFor } from '../dsl/support/harness.js';

let driver: TopologyTestDriver | undefined;
afterEach(() => driver?.close());

const kv = { key: Serdes.string(), value: Serdes.string() };
/** A null key or value, piped where the topic's types say string. */
const none = null as unknown as string;

/** A logger keeping each entry's level, message and fields. */
function fieldLogger(): Logger & { entries: { level: string; message?: string; fields: any }[] } {
  const entries: { level: string; message?: string; fields: any }[] = [];
  const at = (level: string) => (fields: object, message?: string) =>
    void entries.push({ level, message, fields });
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('dropped records are counted by reason and logged once per task per reason', () => {
  it('null keys and values into an aggregation', () => {
    const b = new StreamsBuilder();
    b.stream('in', kv).groupByKey().count({ name: 'counts' }).toStream().to('out', {
      key: Serdes.string(),
      value: Serdes.long(),
    });
    const logger = fieldLogger();
    driver = driverFor(b.build(), { logger });
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    input.pipeInput(none, 'no key', 1);
    input.pipeInput(none, 'no key either', 2);
    input.pipeInput('k', none, 3);
    input.pipeInput('k', 'counted', 4);
    expect(driver.droppedRecords()).toEqual({ total: 3, byReason: { 'null-key': 2, 'null-value': 1 } });
    const warnings = logger.entries.filter((e) => e.level === 'warn');
    expect(warnings.map((w) => w.fields.reason)).toEqual(['null-key', 'null-value']);
    expect(warnings[0]!.message).toMatch(/Skipping record due to null key.*task 0_0.*counted/);
    expect(warnings[0]!.fields).toMatchObject({ taskId: '0_0', topic: 'in', offset: 0, droppedRecords: 1 });
    expect(typeof warnings[0]!.fields.node).toBe('string');
    // The repeat is counted and logged at debug only.
    expect(logger.entries.filter((e) => e.level === 'debug' && e.fields.reason === 'null-key')).toHaveLength(
      1,
    );
  });

  it('negative and NaN timestamps', () => {
    const b = new StreamsBuilder();
    b.stream('in', {
      ...kv,
      timestampExtractor: (r) => (r.value === 'nan' ? Number.NaN : r.timestamp),
    }).to('out', kv);
    driver = driverFor(b.build());
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    input.pipeInput('k', 'negative', -5);
    input.pipeInput('k', 'nan', 5);
    input.pipeInput('k', 'fine', 6);
    expect(driver.createOutputTopic('out', Serdes.string(), Serdes.string()).readValuesToList()).toEqual([
      'fine',
    ]);
    expect(driver.droppedRecords()).toEqual({ total: 2, byReason: { 'negative-timestamp': 2 } });
  });

  it('null keys into a stream–table join and late windowed records, through the configured logger', () => {
    const b = new StreamsBuilder();
    const table = b.table('table', kv);
    b.stream('clicks', kv)
      .join(table, (click, row) => `${click}/${row}`)
      .to('joined', kv);
    b.stream('events', kv)
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 0))
      .count()
      .toStream()
      .to('windowed', { key: Serdes.windowed(Serdes.string()), value: Serdes.long() });
    const logger = fieldLogger();
    driver = driverFor(b.build(), { logger });
    const clicks = driver.createInputTopic('clicks', Serdes.string(), Serdes.string());
    clicks.pipeInput(none, 'anonymous', 1);
    clicks.pipeInput('k', none, 2);
    const events = driver.createInputTopic('events', Serdes.string(), Serdes.string());
    events.pipeInput('k', 'on time', 25);
    events.pipeInput('k', 'late', 3);
    expect(driver.droppedRecords()).toEqual({
      total: 3,
      byReason: { 'null-key': 1, 'null-value': 1, 'late-window': 1 },
    });
    const late = logger.entries.find((e) => e.fields.reason === 'late-window');
    expect(late).toMatchObject({ level: 'warn', fields: { timestamp: 3, windowStart: 0, streamTime: 25 } });
    expect(late!.message).toMatch(/expired window/);
  });

  it('records a handler skipped', () => {
    const b = new StreamsBuilder();
    b.stream('in', kv)
      .mapValues((v) => {
        if (v === 'boom') throw new Error('boom');
        return v;
      })
      .to('out', kv);
    driver = driverFor(b.build(), { processingExceptionHandler: 'logAndContinue' });
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    input.pipeInput('k', 'boom', 1);
    input.pipeInput('k', 'boom', 2);
    expect(driver.droppedRecords()).toEqual({ total: 2, byReason: { processing: 2 } });
  });
});
