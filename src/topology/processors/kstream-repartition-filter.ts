import type { Processor, ProcessorContext, StreamRecord } from '../processor.js';

/**
 * Drops records with a `null` key before a repartition topic: they cannot be partitioned by key.
 * With `keepNullKeys` it passes them on, for topics whose reader handles them (a foreign-key
 * join's subscriptions).
 */
export function kstreamRepartitionFilter<K, V>(keepNullKeys = false): () => Processor<K, V, K, V> {
  return () => {
    let context: ProcessorContext<K, V>;
    return {
      init: (ctx) => void (context = ctx),
      process: (record: StreamRecord<K, V>) => {
        if (keepNullKeys || (record.key !== null && record.key !== undefined)) context.forward(record);
      },
    };
  };
}
