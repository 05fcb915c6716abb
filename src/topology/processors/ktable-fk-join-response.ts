import type { Serde } from '../../serde/serde.js';
import type { Processor, ProcessorContext, StreamRecord } from '../processor.js';
import { sameHash, valueHash, type SubscriptionResponse } from './ktable-fk-join-wrappers.js';
import type { TimestampedStore } from './timestamped-store.js';

/**
 * Left side of a foreign-key join, response topic: joins a right row sent back for a left row with
 * that row's current value. A response whose hash differs from the hash of the current left value
 * answers an outdated value (the row changed while the response was in flight) and is dropped.
 * Emits the joined value, or `null` (a delete of the result) when an inner join lost its right row
 * or the left row is gone.
 */
export function ktableFkJoinResponse<K, V, VO, VR>(
  leftStoreName: string,
  valueSerde: Serde<V>,
  joiner: (value: V, foreignValue: VO | null, key: K) => VR,
  leftJoin: boolean,
): () => Processor<K, SubscriptionResponse<VO>, K, VR | null> {
  return () => {
    let context: ProcessorContext<K, VR | null>;
    let left: TimestampedStore<K, V>;
    return {
      init: (ctx) => {
        context = ctx;
        left = ctx.getStateStore<TimestampedStore<K, V>>(leftStoreName);
      },
      process: (record: StreamRecord<K, SubscriptionResponse<VO>>) => {
        const current = left.get(record.key);
        const currentValue = current === undefined ? null : current.value;
        if (!sameHash(record.value.hash, valueHash(currentValue, valueSerde))) return;
        const { foreignValue } = record.value;
        const result =
          currentValue === null || (foreignValue === null && !leftJoin)
            ? null
            : joiner(currentValue, foreignValue, record.key);
        context.forward({
          key: record.key,
          value: result,
          timestamp: record.timestamp,
          headers: record.headers,
        });
      },
    };
  };
}
