import type { Processor, ProcessorContext, StreamRecord } from '../processor.js';
import type { Change } from '../change.js';

/** Turns table updates into a stream of new values; a delete becomes a `null` value. */
export function ktableToStream<K, V>(): () => Processor<K, Change<V>, K, V | null> {
  return () => {
    let context: ProcessorContext<K, V | null>;
    return {
      init: (ctx) => void (context = ctx),
      process: (record: StreamRecord<K, Change<V>>) => {
        context.forward({
          key: record.key,
          value: record.value.newValue,
          timestamp: record.timestamp,
          headers: record.headers,
        });
      },
    };
  };
}
