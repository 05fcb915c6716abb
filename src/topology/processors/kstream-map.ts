import type { Processor, ProcessorContext, StreamRecord } from '../processor.js';

/** Replaces key and value with the mapper's `[key, value]`. */
export function kstreamMap<K, V, KR, VR>(
  mapper: (key: K, value: V) => readonly [KR, VR],
): () => Processor<K, V, KR, VR> {
  return () => {
    let context: ProcessorContext<KR, VR>;
    return {
      init: (ctx) => void (context = ctx),
      process: (record: StreamRecord<K, V>) => {
        const [key, value] = mapper(record.key, record.value);
        context.forward({ key, value, timestamp: record.timestamp, headers: record.headers });
      },
    };
  };
}
