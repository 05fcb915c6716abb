import type { Serde } from '../../serde/serde.js';
import type { Change } from '../change.js';
import type { Processor, ProcessorContext, StreamRecord } from '../processor.js';
import {
  valueHash,
  type SubscriptionInstruction,
  type SubscriptionWrapper,
} from './ktable-fk-join-wrappers.js';
import { dropRecorder, type DropRecorder } from '../dropped-records.js';

const NULL_FOREIGN_KEY = { foreignKey: null } as const;

/**
 * Left side of a foreign-key join: turns each left-row update into subscription instructions
 * keyed by foreign key, for the right side's partition. When the foreign key changes, the old
 * foreign key is told to forget the row and the new one to answer even without a right row (which
 * retracts the result joined with the old foreign key). Each instruction carries a hash of the new
 * left value so that answers to outdated values can be recognised and dropped.
 *
 * A left join always answers, so a row with a `null` foreign key (or a deleted row) still sends its
 * instruction, with a `null` key: the right side answers it with `null` without looking anything up.
 * An inner join skips rows without a foreign key.
 */
export function ktableFkJoinSubscriptionSend<K, V, KO>(
  foreignKeyExtractor: (value: V, key: K) => KO,
  foreignKeySerde: Serde<KO>,
  valueSerde: Serde<V>,
  leftJoin: boolean,
): () => Processor<K, Change<V>, KO | null, SubscriptionWrapper<K>> {
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
    let context: ProcessorContext<KO | null, SubscriptionWrapper<K>>;
    let drop: DropRecorder;
    let record: StreamRecord<K, Change<V>>;
    let hash: Buffer | null;
    const send = (foreignKey: KO | null, instruction: SubscriptionInstruction): void => {
      const wrapper: SubscriptionWrapper<K> = {
        hash,
        instruction,
        primaryKey: record.key,
        primaryPartition: context.partition,
      };
      context.forward({
        key: foreignKey,
        value: wrapper,
        timestamp: record.timestamp,
        headers: record.headers,
      });
    };
    const leftJoinInstructions = (): void => {
      const { newValue, oldValue } = record.value;
      if (oldValue !== null) {
        const oldForeignKey = extract(oldValue, record.key);
        const newForeignKey = extract(newValue, record.key);
        // The old key only forgets the row: the new key's answer (null when the row is gone or has
        // no foreign key) replaces the result, so a change emits one record, not two.
        if (oldForeignKey !== null && !sameForeignKey(oldForeignKey, newForeignKey)) {
          send(oldForeignKey, 'delete-no-propagate');
        }
        send(newForeignKey, 'propagate-null-if-absent');
      } else if (newValue !== null) {
        send(extract(newValue, record.key), 'propagate-null-if-absent');
      }
    };
    const innerJoinInstructions = (): void => {
      const { newValue, oldValue } = record.value;
      if (oldValue === null) {
        const newForeignKey = extract(newValue, record.key);
        if (newForeignKey === null) {
          if (newValue !== null) drop('null-key', NULL_FOREIGN_KEY);
          return;
        }
        send(newForeignKey, 'propagate-only-if-present');
        return;
      }
      const oldForeignKey = extract(oldValue, record.key);
      const newForeignKey = extract(newValue, record.key);
      if (oldForeignKey === null && newForeignKey === null) return drop('null-key', NULL_FOREIGN_KEY);
      // No earlier result can exist without an old foreign key, and an unchanged key's row is
      // already registered: both answer only when there is something to join.
      if (oldForeignKey === null) return send(newForeignKey, 'propagate-only-if-present');
      if (newForeignKey === null) return send(oldForeignKey, 'delete-and-propagate');
      if (sameForeignKey(oldForeignKey, newForeignKey))
        return send(newForeignKey, 'propagate-only-if-present');
      send(oldForeignKey, 'delete-no-propagate');
      send(newForeignKey, 'propagate-null-if-absent');
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
