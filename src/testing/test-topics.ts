import { StreamsError } from '../errors.js';
import type { Serde } from '../serde/serde.js';
import type { Headers } from '../topology/processor.js';

/** A record as the test topics take and give it. */
export interface TestRecord<K, V> {
  key: K;
  value: V;
  timestamp: number;
  headers?: Headers;
}

/**
 * A record to pipe: the timestamp defaults to the input topic's clock. A `null` value is a
 * tombstone (on a table's topic it deletes the key).
 */
export interface TestRecordInput<K, V> {
  key?: K | null;
  value: V | null;
  timestamp?: number;
  headers?: Headers;
}

/** @internal What the topics need from the driver. */
export interface TestTopicPort {
  pipe(
    topic: string,
    key: Buffer | null,
    value: Buffer | null,
    timestamp: number,
    headers: Headers | undefined,
  ): void;
  readOutput(
    topic: string,
  ):
    { key: Buffer | null; value: Buffer | null; timestamp: number; headers: Headers | undefined } | undefined;
  outputSize(topic: string): number;
}

/**
 * Feeds records into one input topic of a `TopologyTestDriver`. Each piped record is processed
 * to completion before the call returns. Every pipe method takes `null` values: a Kafka record
 * may always carry one, and on a table's topic it is a delete.
 *
 * @example
 * ```ts
 * const input = driver.createInputTopic('orders', Serdes.string(), Serdes.json<Order>());
 * input.pipeInput('alice', { total: 5 }, 1_000);
 * ```
 */
export class TestInputTopic<K, V> {
  private currentTime: number;

  /** @internal */
  constructor(
    private readonly driver: TestTopicPort,
    readonly name: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    startTimestampMs: number,
    private readonly autoAdvanceMs: number,
  ) {
    this.currentTime = startTimestampMs;
  }

  /**
   * Pipes one record; without a timestamp it gets the topic's clock (which then auto-advances).
   * A `null` value is a tombstone; a `null` key is kept or dropped as Kafka Streams does.
   * @example `input.pipeInput('k', 'v', 5_000); input.pipeInput('k', null, 6_000)`
   */
  pipeInput(key: K | null, value: V | null, timestamp?: number): void;
  /** Pipes a value with a `null` key. */
  pipeInput(value: V | null): void;
  pipeInput(...args: [K | null, V | null, number?] | [V | null]): void {
    if (args.length === 1) {
      this.pipeRecord({ key: null, value: args[0] });
      return;
    }
    const [key, value, timestamp] = args;
    this.pipeRecord({ key, value, timestamp });
  }

  /**
   * Pipes one record with optional timestamp and headers.
   * @example `input.pipeRecord({ key: 'k', value: 'v', timestamp: 10, headers: { trace: 'abc' } })`
   */
  pipeRecord(record: TestRecordInput<K, V>): void {
    const timestamp = record.timestamp ?? this.nextTimestamp();
    if (!Number.isFinite(timestamp))
      throw new StreamsError(`pipeInput: timestamp must be a number, got ${String(timestamp)}.`);
    const key =
      record.key === undefined || record.key === null ? null : this.keySerde.serialize(record.key, this.name);
    const value =
      record.value === null || record.value === undefined
        ? null
        : this.valueSerde.serialize(record.value, this.name);
    this.driver.pipe(this.name, key, value, timestamp, record.headers);
  }

  /**
   * Pipes records in order; timestamps start at `startTimestampMs` (else the topic clock) and
   * advance by `advanceMs` per record.
   * @example `input.pipeKeyValueList([{ key: 'a', value: 1 }, { key: 'b', value: 2 }], 0, 1_000)`
   */
  pipeKeyValueList(
    records: readonly { key: K | null; value: V | null }[],
    startTimestampMs?: number,
    advanceMs = 0,
  ): void {
    let ts = startTimestampMs;
    for (const r of records) {
      this.pipeRecord({ key: r.key, value: r.value, timestamp: ts });
      if (ts !== undefined) ts += advanceMs;
    }
  }

  /**
   * Pipes values with `null` keys.
   * @example `input.pipeValueList(['a', 'b'])`
   */
  pipeValueList(values: readonly (V | null)[], startTimestampMs?: number, advanceMs = 0): void {
    this.pipeKeyValueList(
      values.map((value) => ({ key: null, value })),
      startTimestampMs,
      advanceMs,
    );
  }

  /**
   * Pipes full records in order.
   * @example `input.pipeRecordList([{ key: 'a', value: 1, timestamp: 5 }])`
   */
  pipeRecordList(records: readonly TestRecordInput<K, V>[]): void {
    for (const r of records) this.pipeRecord(r);
  }

  /**
   * Moves this topic's clock forward (for records piped without a timestamp).
   * @example `input.advanceTime(60_000)`
   */
  advanceTime(ms: number): void {
    if (ms < 0) throw new StreamsError('advanceTime: ms must not be negative.');
    this.currentTime += ms;
  }

  private nextTimestamp(): number {
    const ts = this.currentTime;
    this.currentTime += this.autoAdvanceMs;
    return ts;
  }
}

/**
 * Reads what a `TopologyTestDriver` wrote to one topic. Reading consumes records. `V` is the
 * value type reads return: a topic that gets tombstones (a table's update stream) is created
 * with `{ tombstones: true }`, which makes it `V | null`. The option only types the reads: a
 * tombstone reads as `null` either way, as in Kafka Streams' driver.
 *
 * @example
 * ```ts
 * const output = driver.createOutputTopic('counts', Serdes.string(), Serdes.long());
 * expect(output.readKeyValuesToList()).toEqual([{ key: 'a', value: 1 }]);
 * ```
 */
export class TestOutputTopic<K, V> {
  /** @internal */
  constructor(
    private readonly driver: TestTopicPort,
    readonly name: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {}

  /** The next value. Throws if the topic is empty. */
  readValue(): V {
    return this.readRecord().value;
  }

  /** The next `{ key, value }`. Throws if the topic is empty. */
  readKeyValue(): { key: K; value: V } {
    const { key, value } = this.readRecord();
    return { key, value };
  }

  /** The next record with timestamp and headers. Throws if the topic is empty. */
  readRecord(): TestRecord<K, V> {
    const raw = this.driver.readOutput(this.name);
    if (raw === undefined)
      throw new StreamsError(`Output topic "${this.name}" is empty.`, { topic: this.name });
    const value = this.valueSerde.deserialize(raw.value, this.name);
    const record: TestRecord<K, V> = {
      key: this.keySerde.deserialize(raw.key, this.name) as K,
      value: value as V,
      timestamp: raw.timestamp,
    };
    if (raw.headers !== undefined && Object.keys(raw.headers).length > 0) record.headers = raw.headers;
    return record;
  }

  /** Every remaining value, in order. */
  readValuesToList(): V[] {
    return this.readRecordsToList().map((r) => r.value);
  }

  /** Every remaining `{ key, value }`, in order. */
  readKeyValuesToList(): { key: K; value: V }[] {
    return this.readRecordsToList().map(({ key, value }) => ({ key, value }));
  }

  /**
   * The latest value per key of every remaining record (a `null` value deletes the key). Keys
   * that are objects are compared by their serialized bytes.
   */
  readKeyValuesToMap(): Map<K, Exclude<V, null>> {
    const byBytes = new Map<string, { key: K; value: Exclude<V, null> }>();
    while (!this.isEmpty()) {
      const raw = this.driver.readOutput(this.name)!;
      const id = raw.key === null ? '\u0000null' : raw.key.toString('latin1');
      const value = this.valueSerde.deserialize(raw.value, this.name) as Exclude<V, null> | null;
      if (value === null) byBytes.delete(id);
      else byBytes.set(id, { key: this.keySerde.deserialize(raw.key, this.name) as K, value });
    }
    return new Map([...byBytes.values()].map(({ key, value }) => [key, value]));
  }

  /** Every remaining record, in order. */
  readRecordsToList(): TestRecord<K, V>[] {
    const out: TestRecord<K, V>[] = [];
    while (!this.isEmpty()) out.push(this.readRecord());
    return out;
  }

  /** How many records are waiting. */
  getQueueSize(): number {
    return this.driver.outputSize(this.name);
  }

  isEmpty(): boolean {
    return this.getQueueSize() === 0;
  }
}
