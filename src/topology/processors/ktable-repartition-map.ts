import type { Processor, ProcessorContext, StreamRecord } from '../processor.js';
import type { Change } from '../change.js';

/**
 * Re-keys a table for `groupBy`: the old row is sent as a subtraction under its old group key
 * and the new row as an addition under its new group key, subtraction first, as Kafka Streams does.
 */
export function ktableRepartitionMap<K, V, KR, VR>(
  selector: (key: K, value: V) => readonly [KR, VR],
): () => Processor<K, Change<V>, KR, Change<VR>> {
  return () => {
    let context: ProcessorContext<KR, Change<VR>>;
    return {
      init: (ctx) => void (context = ctx),
      process: (record: StreamRecord<K, Change<V>>) => {
        const { newValue, oldValue } = record.value;
        if (oldValue !== null) {
          const [key, value] = selector(record.key, oldValue);
          if (key !== null && key !== undefined) {
            context.forward({ key, value: { newValue: null, oldValue: value }, timestamp: record.timestamp, headers: record.headers });
          }
        }
        if (newValue !== null) {
          const [key, value] = selector(record.key, newValue);
          if (key !== null && key !== undefined) {
            context.forward({ key, value: { newValue: value, oldValue: null }, timestamp: record.timestamp, headers: record.headers });
          }
        }
      },
    };
  };
}
