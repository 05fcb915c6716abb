import type { Processor, ProcessorContext, StreamRecord } from '../processor.js';

/** Forwards every record unchanged: merge points and branch outputs. */
export function kstreamPassThrough<K, V>(): () => Processor<K, V, K, V> {
  return () => {
    let context: ProcessorContext<K, V>;
    return {
      init: (ctx) => void (context = ctx),
      process: (record: StreamRecord<K, V>) => context.forward(record),
    };
  };
}
