import type { Processor, ProcessorContext, StreamRecord } from '../processor.js';

/** @internal The branches of a `split()`, filled in as they are declared and read when the task starts. */
export interface BranchSpec {
  readonly branches: { readonly predicate: (key: any, value: any) => boolean; readonly child: string }[];
  defaultChild: string | undefined;
}

/**
 * Sends each record to the first branch whose predicate matches, or to the default branch (if
 * any); a record matching nothing without a default is dropped.
 */
export function kstreamBranch<K, V>(spec: BranchSpec): () => Processor<K, V, K, V> {
  return () => {
    let context: ProcessorContext<K, V>;
    let branches: BranchSpec['branches'];
    let defaultChild: string | undefined;
    return {
      init: (ctx) => {
        context = ctx;
        branches = spec.branches;
        defaultChild = spec.defaultChild;
      },
      process: (record: StreamRecord<K, V>) => {
        for (let i = 0; i < branches.length; i++) {
          const branch = branches[i]!;
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
