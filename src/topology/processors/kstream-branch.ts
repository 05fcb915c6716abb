import type { Processor, ProcessorContext, StreamRecord } from '../processor.js';

/**
 * Sends each record to the first branch whose predicate matches, or to the default branch (if
 * any); a record matching nothing without a default is dropped.
 */
export function kstreamBranch<K, V>(
  branches: readonly { predicate: (key: K, value: V) => boolean; child: string }[],
  defaultChild: string | undefined,
): () => Processor<K, V, K, V> {
  return () => {
    let context: ProcessorContext<K, V>;
    return {
      init: (ctx) => void (context = ctx),
      process: (record: StreamRecord<K, V>) => {
        for (const branch of branches) {
          if (branch.predicate(record.key, record.value)) {
            context.forward(record, branch.child);
            return;
          }
        }
        if (defaultChild !== undefined) context.forward(record, defaultChild);
      },
    };
  };
}
