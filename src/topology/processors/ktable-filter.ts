import type { Processor, StreamRecord } from '../processor.js';
import type { Change } from '../change.js';
import { tableForwarder, type TableForwarder, type TimestampedStore } from './timestamped-store.js';

/**
 * Filters a table: a row that does not match becomes a delete downstream. As in Kafka Streams, an
 * update where neither the old nor the new value matches is still forwarded as a tombstone, unless
 * a downstream operator asked for old values (`sendOldValues.enabled`, set by `groupBy`), which
 * makes such tombstones provably unnecessary. Optionally materialized into `storeName`.
 */
export function ktableFilter<K, V>(
  predicate: (key: K, value: V) => boolean,
  negate: boolean,
  storeName: string | undefined,
  sendOldValues: { readonly enabled: boolean } = { enabled: true },
): () => Processor<K, Change<V>, K, Change<V>> {
  const keep = (key: K, value: V | null): V | null =>
    value !== null && predicate(key, value) !== negate ? value : null;
  return () => {
    let forward: TableForwarder<K, any>;
    let store: TimestampedStore<K, V> | undefined;
    return {
      init: (ctx) => {
        if (storeName !== undefined) store = ctx.getStateStore<TimestampedStore<K, V>>(storeName);
        forward = tableForwarder(ctx, store);
      },
      process: (record: StreamRecord<K, Change<V>>) => {
        const newValue = keep(record.key, record.value.newValue);
        const oldValue = keep(record.key, record.value.oldValue);
        if (newValue === null && oldValue === null && sendOldValues.enabled) return;
        if (store !== undefined) {
          store.put(record.key, newValue === null ? null : { value: newValue, timestamp: record.timestamp });
        }
        forward(record.key, newValue, oldValue, record.timestamp, record.headers);
      },
    };
  };
}
