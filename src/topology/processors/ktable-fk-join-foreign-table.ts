import type { Serde } from '../../serde/serde.js';
import type { Change } from '../change.js';
import type { Processor, ProcessorContext, StreamRecord } from '../processor.js';
import type { CombinedKey, SubscriptionResponse, SubscriptionWrapper } from './ktable-fk-join-wrappers.js';
import type { TimestampedStore } from './timestamped-store.js';
import { dropRecorder, type DropRecorder } from '../dropped-records.js';

/**
 * Right side of a foreign-key join, right-table updates: sends the new right row (or `null` for a
 * delete) to every left row subscribed to its key, found by a prefix scan of the subscription store.
 */
export function ktableFkJoinForeignTable<KO, K, VO>(
  subscriptionStoreName: string,
  foreignKeyPrefixSerde: Serde<KO>,
): () => Processor<KO, Change<VO>, K, SubscriptionResponse<VO>> {
  return () => {
    let context: ProcessorContext<K, SubscriptionResponse<VO>>;
    let subscriptions: TimestampedStore<CombinedKey<KO, K>, SubscriptionWrapper<K>>;
    let drop: DropRecorder;
    return {
      init: (ctx) => {
        context = ctx;
        drop = dropRecorder(ctx);
        subscriptions = ctx.getStateStore(subscriptionStoreName);
      },
      process: (record: StreamRecord<KO, Change<VO>>) => {
        if (record.key === null || record.key === undefined) return drop('null-key');
        const subscribers = subscriptions.prefixScan(record.key, foreignKeyPrefixSerde);
        try {
          for (const { value: entry } of subscribers) {
            const subscription = entry.value;
            const response: SubscriptionResponse<VO> = {
              hash: subscription.hash,
              foreignValue: record.value.newValue,
              primaryPartition: subscription.primaryPartition,
            };
            context.forward({
              key: subscription.primaryKey,
              value: response,
              timestamp: record.timestamp,
              headers: record.headers,
            });
          }
        } finally {
          subscribers.close();
        }
      },
    };
  };
}
