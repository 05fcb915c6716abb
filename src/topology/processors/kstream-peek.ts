import type { Processor, ProcessorContext, StreamRecord } from '../processor.js';

/** Calls `action` for each record; forwards it unchanged unless the node is terminal (`foreach`). */
export function kstreamPeek<K, V>(
  action: (key: K, value: V) => void,
  forward: boolean,
): () => Processor<K, V, K, V> {
  return () => {
    let context: ProcessorContext<K, V>;
    return {
      init: (ctx) => void (context = ctx),
      process: (record: StreamRecord<K, V>) => {
        action(record.key, record.value);
        if (forward) context.forward(record);
      },
    };
  };
}
