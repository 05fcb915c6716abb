import { ProductionError } from '../errors.js';
import type { StreamRecord } from '../topology/processor.js';
import type { SinkNodeDef } from '../topology/node-defs.js';
import type { DeadLetterWriter } from './dead-letter-queue.js';
import type { DroppedRecords } from './dropped-records.js';
import type { FailedRecord } from './exception-handlers.js';
import { messageOf, requireSerde, type NodeInstance } from './node-context.js';
import type { RecordCollector } from './record-collector.js';
import type { TaskHost } from './task-host.js';

/** The input record a sink write comes from, for the output's topic extractor and for errors. */
export interface SinkInput {
  readonly topic: string | undefined;
  readonly offset: number;
  /** The input record as the production handler sees it. */
  currentFailedRecord(): FailedRecord;
}

/**
 * A task's sink nodes: picks the output topic and partition, serializes with the sink's serdes
 * (or the defaults), hands the record to the collector, and sends a record that cannot be
 * serialized to the production handler.
 */
export class SinkWriter {
  constructor(
    private readonly taskId: string,
    private readonly partition: number,
    private readonly host: TaskHost,
    private readonly collector: RecordCollector,
    private readonly droppedRecords: DroppedRecords,
    private readonly deadLetters: DeadLetterWriter,
  ) {}

  write(
    node: NodeInstance,
    def: SinkNodeDef,
    record: StreamRecord<unknown, unknown>,
    input: SinkInput,
  ): void {
    const topicName =
      node.sinkTopic ??
      (def.topic as Exclude<SinkNodeDef['topic'], string>)(record.key, record.value, {
        topic: input.topic,
        timestamp: record.timestamp,
      });
    let key: Buffer | null;
    let value: Buffer | null;
    try {
      key =
        record.key === null || record.key === undefined
          ? null
          : requireSerde(def.keySerde ?? this.host.defaultKeySerde, def.name, 'key').serialize(
              record.key,
              topicName,
            );
      value =
        record.value === null || record.value === undefined
          ? null
          : requireSerde(def.valueSerde ?? this.host.defaultValueSerde, def.name, 'value').serialize(
              record.value,
              topicName,
            );
    } catch (cause) {
      this.onSerializationError(cause, def, topicName, input);
      return;
    }
    const partition =
      def.partitioner === undefined
        ? undefined
        : def.partitioner(topicName, record.key, record.value, this.collector.partitionsFor(topicName));
    this.collector.send({
      topic: topicName,
      partition,
      key,
      value,
      timestamp: record.timestamp,
      headers: record.headers,
      origin:
        this.collector.tracksOrigins === true && input.topic !== undefined
          ? input.currentFailedRecord()
          : undefined,
    });
  }

  /** Returns when the handler skips the output (counted as a 'production' drop); throws otherwise. */
  private onSerializationError(cause: unknown, def: SinkNodeDef, topicName: string, input: SinkInput): void {
    const error = new ProductionError(
      `Could not serialize a record for topic "${topicName}" at sink "${def.name}": ${messageOf(cause)}`,
      { taskId: this.taskId, topic: topicName, node: def.name, offset: input.offset, cause },
    );
    const failed = input.currentFailedRecord();
    const response = this.host.onProductionError(error, failed);
    // The output has no bytes: the dead-letter record is the input record it came from.
    this.deadLetters.write(error, failed, response);
    if (response !== 'continue') throw error;
    this.droppedRecords.record('production', {
      node: def.name,
      topic: input.topic,
      partition: this.partition,
      offset: input.offset,
      outputTopic: topicName,
    });
  }
}
