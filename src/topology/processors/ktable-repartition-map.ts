import type { Processor, ProcessorContext, StreamRecord } from '../processor.js';
import type { Change } from '../change.js';

/**
 * Re-keys a table for `groupBy`. As in Kafka Streams (KIP-904): when the old and new rows select
 * the same group key, one record carries both, so the aggregate subtracts and adds in one step and
 * emits one update; otherwise the old row goes as a subtraction under its old key first, then the
 * new row as an addition under its new key. Pairs with a `null` key or value are skipped.
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
        const oldPair = oldValue === null ? undefined : usable(selector(record.key, oldValue));
        const newPair = newValue === null ? undefined : usable(selector(record.key, newValue));
        const { timestamp, headers } = record;
        if (oldPair !== undefined && newPair !== undefined && sameKey(oldPair[0], newPair[0])) {
          context.forward({
            key: newPair[0],
            value: { newValue: newPair[1], oldValue: oldPair[1] },
            timestamp,
            headers,
          });
          return;
        }
        if (oldPair !== undefined)
          context.forward({
            key: oldPair[0],
            value: { newValue: null, oldValue: oldPair[1] },
            timestamp,
            headers,
          });
        if (newPair !== undefined)
          context.forward({
            key: newPair[0],
            value: { newValue: newPair[1], oldValue: null },
            timestamp,
            headers,
          });
      },
    };
  };
}

function usable<KR, VR>(pair: readonly [KR, VR]): readonly [KR, VR] | undefined {
  const [key, value] = pair;
  return key === null || key === undefined || value === null || value === undefined ? undefined : pair;
}

/** Group keys are compared by value: primitives with `Object.is`, objects by their JSON form. */
function sameKey(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false;
  }
}
