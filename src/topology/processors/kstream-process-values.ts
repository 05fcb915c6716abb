import { ProcessingError } from '../../errors.js';
import type {
  ForwardedRecord,
  Processor,
  ProcessorContext,
  ProcessorSupplier,
  StreamRecord,
} from '../processor.js';
import { supplierToFactory } from '../processor.js';

/**
 * Runs a user processor that may change values but not keys: forwarding a record whose key is
 * not the input record's key fails, so no repartition is ever needed downstream.
 */
export function kstreamProcessValues<K, V, VR>(
  supplier: ProcessorSupplier<K, V, K, VR>,
): () => Processor<K, V, K, VR> {
  const factory = supplierToFactory(supplier);
  return () => {
    const inner = factory();
    let currentKey: K | undefined;
    let inRecord = false;
    return {
      init: (ctx) => {
        const guarded: ProcessorContext<K, VR> = Object.create(ctx);
        guarded.forward = (record: ForwardedRecord<K, VR>, child?: string) => {
          if (inRecord && record.key !== currentKey) {
            throw new ProcessingError(
              `processValues: a processor forwarded key ${String(record.key)} for input key ${String(currentKey)}; use process() to change keys.`,
            );
          }
          ctx.forward(record, child);
        };
        inner.init?.(guarded);
      },
      process: (record: StreamRecord<K, V>) => {
        currentKey = record.key;
        inRecord = true;
        try {
          inner.process(record);
        } finally {
          inRecord = false;
        }
      },
      close: () => inner.close?.(),
    };
  };
}
