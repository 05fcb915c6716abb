import type { Serde } from '../../serde/serde.js';
import type { Change } from '../change.js';
import type { Processor, ProcessorContext, StreamRecord } from '../processor.js';
import {
  valueHash,
  type SubscriptionInstruction,
  type SubscriptionResponse,
  type SubscriptionWrapper,
} from './ktable-fk-join-wrappers.js';
import { dropRecorder, type DropRecorder } from '../dropped-records.js';

/** Where the send processor forwards: the subscription topic, and (left join, null foreign key) the response join. */
export interface SubscriptionSendTargets {
  readonly subscriptionChild: string;
  readonly responseChild: string;
}

/**
 * Left side of a foreign-key join: turns each left-row update into subscription instructions
 * keyed by foreign key, for the right side's partition. When the foreign key changes, the old
 * foreign key is told to forget the row (a left join: and to answer null) and the new one to
 * answer even without a right row (which retracts the result joined with the old foreign key).
 * Each instruction carries a hash of the new left value so that answers to outdated values can be
 * recognised and dropped.
 *
 * A left join whose row has a `null` foreign key cannot be routed by key; its `null` answer is
 * handed to the response join directly (through the topic, Kafka Streams answers it the same way).
 */
export function ktableFkJoinSubscriptionSend<K, V, KO>(
  foreignKeyExtractor: (value: V, key: K) => KO,
  foreignKeySerde: Serde<KO>,
  valueSerde: Serde<V>,
  leftJoin: boolean,
  targets: SubscriptionSendTargets,
): () => Processor<K, Change<V>, unknown, unknown> {
  const sameForeignKey = (a: KO | null, b: KO | null): boolean => {
    if (a === null || b === null) return a === b;
    const x = foreignKeySerde.serialize(a);
    const y = foreignKeySerde.serialize(b);
    return x === null || y === null ? x === y : x.equals(y);
  };
  const extract = (value: V | null, key: K): KO | null => {
    if (value === null) return null;
    const foreignKey = foreignKeyExtractor(value, key);
    return foreignKey === undefined ? null : foreignKey;
  };
  return () => {
    let context: ProcessorContext<unknown, unknown>;
    let drop: DropRecorder;
    let record: StreamRecord<K, Change<V>>;
    let hash: Buffer | null;
    const send = (foreignKey: KO | null, instruction: SubscriptionInstruction): void => {
      if (foreignKey === null) {
        if (instruction !== 'propagate-null-if-absent') return;
        const response: SubscriptionResponse<never> = {
          hash,
          foreignValue: null,
          primaryPartition: context.partition,
        };
        context.forward(
          { key: record.key, value: response, timestamp: record.timestamp, headers: record.headers },
          targets.responseChild,
        );
        return;
      }
      const wrapper: SubscriptionWrapper<K> = {
        hash,
        instruction,
        primaryKey: record.key,
        primaryPartition: context.partition,
      };
      context.forward(
        { key: foreignKey, value: wrapper, timestamp: record.timestamp, headers: record.headers },
        targets.subscriptionChild,
      );
    };
    const leftJoinInstructions = (): void => {
      const { newValue, oldValue } = record.value;
      const oldForeignKey = extract(oldValue, record.key);
      const newForeignKey = extract(newValue, record.key);
      // As Kafka Streams' `SubscriptionSendProcessorSupplier.leftJoinInstructions`: a changed (or
      // deleted) row's old key also answers (with null, hashed with the new value), so a key
      // change emits the row joined with null before the new key's answer; a delete emits two
      // tombstones (the second through the null foreign key).
      if (oldValue !== null) {
        if (oldForeignKey !== null && !sameForeignKey(oldForeignKey, newForeignKey)) {
          send(oldForeignKey, 'delete-and-propagate');
        }
        send(newForeignKey, 'propagate-null-if-absent');
      } else if (newValue !== null) {
        send(newForeignKey, 'propagate-null-if-absent');
      }
    };
    const innerJoinInstructions = (): void => {
      const { newValue, oldValue } = record.value;
      if (oldValue !== null) {
        const oldForeignKey = extract(oldValue, record.key);
        if (oldForeignKey === null) return;
        if (newValue === null) {
          send(oldForeignKey, 'delete-and-propagate');
          return;
        }
        const newForeignKey = extract(newValue, record.key);
        if (newForeignKey === null) return;
        if (!sameForeignKey(oldForeignKey, newForeignKey)) send(oldForeignKey, 'delete-no-propagate');
        send(newForeignKey, 'propagate-null-if-absent');
      } else if (newValue !== null) {
        const newForeignKey = extract(newValue, record.key);
        if (newForeignKey !== null) send(newForeignKey, 'propagate-only-if-present');
      }
    };
    return {
      init: (ctx) => {
        context = ctx;
        drop = dropRecorder(ctx);
      },
      process: (update: StreamRecord<K, Change<V>>) => {
        if (update.key === null || update.key === undefined) return drop('null-key');
        record = update;
        hash = valueHash(update.value.newValue, valueSerde);
        if (leftJoin) leftJoinInstructions();
        else innerJoinInstructions();
      },
    };
  };
}
