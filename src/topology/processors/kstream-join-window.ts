import type { WindowStore } from '../../state/window/window-store.js';
import type { Processor, ProcessorContext, StreamRecord } from '../processor.js';

/**
 * One input of a stream–stream join: passes each record on to its join processor, then keeps it
 * in this side's window store (every record starts its own window; the store exists for its
 * retention), where the other side's join processor finds it. `null`-key records never join and
 * are not kept.
 */
export function kstreamJoinWindow<K, V>(storeName: string): () => Processor<K, V, K, V> {
  return () => {
    let context: ProcessorContext<K, V>;
    let window: WindowStore<K, V>;
    return {
      init: (ctx) => {
        context = ctx;
        window = ctx.getStateStore<WindowStore<K, V>>(storeName);
      },
      process: (record: StreamRecord<K, V>) => {
        context.forward(record);
        if (record.key !== null && record.key !== undefined)
          window.put(record.key, record.value, record.timestamp);
      },
    };
  };
}
