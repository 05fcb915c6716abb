import type { Change } from '../change.js';
import type { Processor, ProcessorContext, StreamRecord } from '../processor.js';
import type { TimestampedStore } from './timestamped-store.js';

/**
 * Writes a table's updates into `storeName` and forwards them unchanged. Joins insert it after a
 * table that has no store of its own (an unmaterialized `filter` or `mapValues`), so that the
 * join can look rows up: the store is written before the update travels on, exactly as a
 * materialized table operator would.
 */
export function ktableMaterialize<K, V>(storeName: string): () => Processor<K, Change<V>, K, Change<V>> {
  return () => {
    let context: ProcessorContext<K, Change<V>>;
    let store: TimestampedStore<K, V>;
    return {
      init: (ctx) => {
        context = ctx;
        store = ctx.getStateStore<TimestampedStore<K, V>>(storeName);
      },
      process: (record: StreamRecord<K, Change<V>>) => {
        if (record.key === null || record.key === undefined) return;
        const newValue = record.value.newValue;
        store.put(record.key, newValue === null ? null : { value: newValue, timestamp: record.timestamp });
        context.forward(record);
      },
    };
  };
}
