import type { Processor, StreamRecord } from '../processor.js';
import type { Change } from '../change.js';
import { tableForwarder, type TableForwarder, type TimestampedStore } from './timestamped-store.js';
import { definedResult } from './defined-result.js';

/** Maps a table's values; deletes stay deletes. Optionally materialized into `storeName`. */
export function ktableMapValues<K, V, VR>(
  mapper: (value: V, key: K) => VR,
  storeName: string | undefined,
): () => Processor<K, Change<V>, K, Change<VR>> {
  return () => {
    let forward: TableForwarder<K, any>;
    let store: TimestampedStore<K, VR> | undefined;
    return {
      init: (ctx) => {
        if (storeName !== undefined) store = ctx.getStateStore<TimestampedStore<K, VR>>(storeName);
        forward = tableForwarder(ctx, store);
      },
      process: (record: StreamRecord<K, Change<V>>) => {
        const { newValue: n, oldValue: o } = record.value;
        const newValue = n === null ? null : definedResult(mapper(n, record.key), 'The mapper');
        const oldValue = o === null ? null : definedResult(mapper(o, record.key), 'The mapper');
        if (store !== undefined) {
          store.put(record.key, newValue === null ? null : { value: newValue, timestamp: record.timestamp });
        }
        forward(record.key, newValue, oldValue, record.timestamp, record.headers);
      },
    };
  };
}
