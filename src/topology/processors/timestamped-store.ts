import type { KeyValueStore } from '../../state/store.js';

/** @internal The DSL's table and aggregation stores keep each value with its timestamp. */
export type TimestampedStore<K, V> = KeyValueStore<K, { value: V; timestamp: number }>;
