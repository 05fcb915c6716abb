import type { Processor } from '../processor.js';
import { kstreamTableLookupJoin } from './kstream-ktable-join.js';

/**
 * Joins each stream record with the global table row `keySelector(key, value)` picks. The global
 * store holds every partition, so no co-partitioning is needed; global updates never produce output.
 */
export function kstreamGlobalKTableJoin<K, V, GK, GV, VR>(
  globalStoreName: string,
  keySelector: (key: K, value: V) => GK,
  joiner: (value: V, globalValue: GV | null, key: K) => VR,
  leftJoin: boolean,
): () => Processor<K, V, K, VR> {
  return kstreamTableLookupJoin(globalStoreName, keySelector, joiner, leftJoin);
}
