import type { Processor, ProcessorContext, StreamRecord } from '../processor.js';

/** Forwards every `[key, value]` the mapper returns, in order. */
export function kstreamFlatMap<K, V, KR, VR>(
  mapper: (key: K, value: V) => Iterable<readonly [KR, VR]>,
): () => Processor<K, V, KR, VR> {
  return () => {
    let context: ProcessorContext<KR, VR>;
    return {
      init: (ctx) => void (context = ctx),
      process: (record: StreamRecord<K, V>) => {
        for (const [key, value] of mapper(record.key, record.value)) {
          context.forward({ key, value, timestamp: record.timestamp, headers: record.headers });
        }
      },
    };
  };
}
