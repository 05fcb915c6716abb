import type { Processor, ProcessorContext, StreamRecord } from '../processor.js';
import type { CombinedKey, SubscriptionResponse, SubscriptionWrapper } from './ktable-fk-join-wrappers.js';
import type { TimestampedStore } from './timestamped-store.js';
import { dropRecorder, type DropRecorder } from '../dropped-records.js';

/**
 * Right side of a foreign-key join, subscription topic: records (or forgets) the subscription of
 * a left row under `(foreignKey, primaryKey)` and answers it, following its instruction, with the
 * current right row for that foreign key, keyed by the left row's primary key. A left join's row
 * without a foreign key arrives with a `null` key: it is answered with `null` and not recorded.
 */
export function ktableFkJoinSubscriptionReceive<KO, K, VO>(
  subscriptionStoreName: string,
  foreignStoreName: string,
): () => Processor<KO | null, SubscriptionWrapper<K>, K, SubscriptionResponse<VO>> {
  return () => {
    let context: ProcessorContext<K, SubscriptionResponse<VO>>;
    let drop: DropRecorder;
    let subscriptions: TimestampedStore<CombinedKey<KO, K>, SubscriptionWrapper<K>>;
    let foreign: TimestampedStore<KO, VO>;
    const answer = (
      record: StreamRecord<KO | null, SubscriptionWrapper<K>>,
      foreignValue: VO | null,
      timestamp: number,
    ): void => {
      const subscription = record.value;
      const response: SubscriptionResponse<VO> = {
        hash: subscription.hash,
        foreignValue,
        primaryPartition: subscription.primaryPartition,
      };
      context.forward({ key: subscription.primaryKey, value: response, timestamp, headers: record.headers });
    };
    return {
      init: (ctx) => {
        context = ctx;
        drop = dropRecorder(ctx);
        subscriptions = ctx.getStateStore(subscriptionStoreName);
        foreign = ctx.getStateStore(foreignStoreName);
      },
      process: (record: StreamRecord<KO | null, SubscriptionWrapper<K>>) => {
        if (record.value === null) return;
        const subscription = record.value;
        if (record.key === null || record.key === undefined) {
          if (subscription.instruction !== 'propagate-null-if-absent') return drop('null-key');
          return answer(record, null, record.timestamp);
        }
        const combinedKey: CombinedKey<KO, K> = {
          foreignKey: record.key,
          primaryKey: subscription.primaryKey,
        };
        const deletes =
          subscription.instruction === 'delete-and-propagate' ||
          subscription.instruction === 'delete-no-propagate';
        subscriptions.put(combinedKey, deletes ? null : { value: subscription, timestamp: record.timestamp });

        if (subscription.instruction === 'delete-no-propagate') return;
        const row = foreign.get(record.key);
        if (row === undefined && subscription.instruction === 'propagate-only-if-present') return;
        const foreignValue =
          row === undefined || subscription.instruction === 'delete-and-propagate' ? null : row.value;
        answer(
          record,
          foreignValue,
          row === undefined ? record.timestamp : Math.max(record.timestamp, row.timestamp),
        );
      },
    };
  };
}
