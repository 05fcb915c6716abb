import type { Processor, ProcessorContext, StreamRecord } from '../processor.js';

/** Replaces the key with `selector(key, value)`. */
export function kstreamSelectKey<K, V, KR>(selector: (key: K, value: V) => KR): () => Processor<K, V, KR, V> {
  return () => {
    let context: ProcessorContext<KR, V>;
    return {
      init: (ctx) => void (context = ctx),
      process: (record: StreamRecord<K, V>) => {
        context.forward({
          key: selector(record.key, record.value),
          value: record.value,
          timestamp: record.timestamp,
          headers: record.headers,
        });
      },
    };
  };
}
