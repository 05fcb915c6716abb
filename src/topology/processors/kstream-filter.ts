import type { Processor, ProcessorContext, StreamRecord } from '../processor.js';

/** Forwards records for which `predicate` is true (or false, for `filterNot`). */
export function kstreamFilter<K, V>(
  predicate: (key: K, value: V) => boolean,
  negate: boolean,
): () => Processor<K, V, K, V> {
  return () => {
    let context: ProcessorContext<K, V>;
    return {
      init: (ctx) => void (context = ctx),
      process: (record: StreamRecord<K, V>) => {
        if (predicate(record.key, record.value) !== negate) context.forward(record);
      },
    };
  };
}
