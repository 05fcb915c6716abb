import type { Processor, ProcessorContext, StreamRecord } from '../processor.js';

/** Replaces the value with `mapper(value, key)`; the key is untouched. */
export function kstreamMapValues<K, V, VR>(mapper: (value: V, key: K) => VR): () => Processor<K, V, K, VR> {
  return () => {
    let context: ProcessorContext<K, VR>;
    return {
      init: (ctx) => void (context = ctx),
      process: (record: StreamRecord<K, V>) => {
        context.forward({
          key: record.key,
          value: mapper(record.value, record.key),
          timestamp: record.timestamp,
          headers: record.headers,
        });
      },
    };
  };
}
