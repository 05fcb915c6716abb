import { StreamsError } from '../../errors.js';
import type { Serde } from '../../serde/serde.js';
import { SuppressionBuffer } from '../../windowing/suppression-buffer.js';
import type { BufferedRecord } from '../../windowing/suppression-buffer.js';
import type { Suppressed } from '../../windowing/suppressed.js';
import type { Windowed } from '../../windowing/windowed.js';
import type { Change } from '../change.js';
import type { Processor, ProcessorContext, StreamRecord } from '../processor.js';

/** @internal Settings of a suppression processor. */
export interface SuppressSpec<K, V> {
  readonly nodeName: string;
  readonly suppressed: Suppressed;
  /**
   * For `untilWindowCloses`: how long after `window.end` a window's result is held (grace; for
   * sessions grace + inactivity gap).
   */
  readonly windowCloseDelayMs: number;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
}

/**
 * Holds back table updates as Kafka Streams' `KTableSuppressProcessor`: each update replaces the
 * key's buffered one; records are emitted in due-time order (ties by serialized key bytes) once
 * the suppression's stream time (the largest timestamp it has seen) reaches their due time plus
 * the suppression duration. Final results (`untilWindowCloses`) drop tombstones, which only delete
 * windows that never closed.
 */
export function ktableSuppress<K, V>(spec: SuppressSpec<K, V>): () => Processor<K, Change<V>, K, Change<V>> {
  const { suppressed, nodeName } = spec;
  const untilWindowCloses = suppressed.type === 'until-window-closes';
  const { maxRecords, maxBytes, whenFull } = suppressed.bufferConfig;
  const duration = untilWindowCloses ? spec.windowCloseDelayMs : suppressed.timeLimitMs;

  // One char per key byte (latin1), so that comparing ids orders keys as Kafka's `BufferKey` does:
  // by unsigned bytes. Without a key serde, the key's JSON stands in for its bytes.
  const keyId = (key: K): string => {
    const bytes = spec.keySerde?.serialize(key);
    return bytes === undefined || bytes === null ? JSON.stringify(key) : bytes.toString('latin1');
  };
  const sizeOf = (value: V | null): number => {
    if (value === null) return 0;
    const bytes = spec.valueSerde?.serialize(value);
    return bytes === undefined || bytes === null ? (JSON.stringify(value)?.length ?? 0) : bytes.length;
  };
  // Kafka Streams' `TimeDefinitions.WindowEndTimeDefinition` buffers by `window.end` as is, for
  // every window type (sliding and session ends are inclusive, yet not shifted by 1 ms).
  const dueTime = (record: StreamRecord<K, Change<V>>): number =>
    untilWindowCloses ? (record.key as Windowed<unknown>).window.end : record.timestamp;

  return () => {
    let context: ProcessorContext<K, Change<V>>;
    const buffer = new SuppressionBuffer<K, V>();
    let observedStreamTime = -1;

    const emit = (record: BufferedRecord<K, V>): void => {
      if (untilWindowCloses && record.newValue === null) return;
      context.forward({
        key: record.key,
        value: { newValue: record.newValue, oldValue: record.oldValue },
        timestamp: record.timestamp,
      });
    };
    const overCapacity = (): boolean => buffer.size > maxRecords || buffer.bytes > maxBytes;

    return {
      init: (ctx) => void (context = ctx),
      process: (record: StreamRecord<K, Change<V>>) => {
        if (record.timestamp > observedStreamTime) observedStreamTime = record.timestamp;
        const id = keyId(record.key);
        const bytes = id.length + sizeOf(record.value.newValue) + sizeOf(record.value.oldValue) + 8;
        buffer.put(
          id,
          record.key,
          record.value.newValue,
          record.value.oldValue,
          record.timestamp,
          dueTime(record),
          bytes,
        );

        const expiryTime = observedStreamTime - duration;
        for (
          let next = buffer.peek();
          next !== undefined && next.dueTime <= expiryTime;
          next = buffer.peek()
        ) {
          emit(buffer.poll() as BufferedRecord<K, V>);
        }
        if (!overCapacity()) return;
        if (whenFull === 'shut-down') {
          throw new StreamsError(
            `Suppression buffer of "${nodeName}" is full (${buffer.size} records, ${buffer.bytes} bytes; limits ${maxRecords} records, ${maxBytes} bytes) and is configured to shut down when full: raise its limits or use emitEarlyWhenFull().`,
            { node: nodeName },
          );
        }
        while (overCapacity()) emit(buffer.poll() as BufferedRecord<K, V>);
      },
    };
  };
}
