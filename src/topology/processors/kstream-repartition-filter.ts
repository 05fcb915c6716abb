import type { Processor, ProcessorContext, StreamRecord } from '../processor.js';

/** Drops records with a `null` key before a repartition topic: they cannot be partitioned by key. */
export function kstreamRepartitionFilter<K, V>(): () => Processor<K, V, K, V> {
  return () => {
    let context: ProcessorContext<K, V>;
    return {
      init: (ctx) => void (context = ctx),
      process: (record: StreamRecord<K, V>) => {
        if (record.key !== null && record.key !== undefined) context.forward(record);
      },
    };
  };
}
