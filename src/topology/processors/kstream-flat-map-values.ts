import type { Processor, ProcessorContext, StreamRecord } from '../processor.js';

/** Forwards one record per value the mapper returns, keeping the key. */
export function kstreamFlatMapValues<K, V, VR>(
  mapper: (value: V, key: K) => Iterable<VR>,
): () => Processor<K, V, K, VR> {
  return () => {
    let context: ProcessorContext<K, VR>;
    return {
      init: (ctx) => void (context = ctx),
      process: (record: StreamRecord<K, V>) => {
        for (const value of mapper(record.value, record.key)) {
          context.forward({ key: record.key, value, timestamp: record.timestamp, headers: record.headers });
        }
      },
    };
  };
}
