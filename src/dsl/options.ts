import type { Serde } from '../serde/serde.js';
import type { KeyValueBytesStoreSupplier } from '../state/store.js';
import type { StreamPartitioner, TimestampExtractor } from '../topology/processor.js';

/** Pins the name of an operator's processor. */
export interface Named {
  /** The processor name (and, where the operator has one, its store and internal topic name). */
  name?: string;
}

/** How a topic is read: serdes, event time. */
export interface Consumed<K, V> extends Named {
  key?: Serde<K>;
  value?: Serde<V>;
  timestampExtractor?: TimestampExtractor;
  /** Where to start without a committed offset. Default `'earliest'`. */
  offsetReset?: 'earliest' | 'latest';
}

/** How a stream is written to a topic. Serdes default to the stream's own, then to the config. */
export interface Produced<K, V> extends Named {
  key?: Serde<K>;
  value?: Serde<V>;
  partitioner?: StreamPartitioner<K, V>;
}

/** Serdes and name for a grouping; `name` names the repartition topic if one is needed. */
export interface Grouped<K, V> extends Named {
  key?: Serde<K>;
  value?: Serde<V>;
}

/** An explicit repartition through `<applicationId>-<name>-repartition`. */
export interface Repartitioned<K, V> extends Named {
  key?: Serde<K>;
  value?: Serde<V>;
  numberOfPartitions?: number;
  partitioner?: StreamPartitioner<K, V>;
}

/**
 * How a table or aggregation result is stored. Everything is optional: by default the store is
 * named after the operation, its type follows the `defaultDslStore` config (persistent in a running
 * app, in-memory in the test driver), and it is cached and change-logged.
 *
 * @example
 * ```ts
 * .count({ materialized: { storeName: 'counts', storeType: 'in-memory', logging: false } })
 * ```
 */
export interface Materialized<K, V> {
  storeName?: string;
  storeType?: 'in-memory' | 'persistent';
  /** A custom inner store; overrides `storeType`. */
  storeSupplier?: KeyValueBytesStoreSupplier;
  key?: Serde<K>;
  value?: Serde<V>;
  caching?: boolean;
  /** `false` disables the changelog; an object enables it with these topic configs. */
  logging?: boolean | Record<string, string>;
}

/** Options of `count`, `reduce` and `aggregate`. `name` names the processor and the store. */
export interface AggregateOptions<K, V> extends Named {
  materialized?: Materialized<K, V>;
}

/** Options of table operators that may materialize their result. */
export interface TableOptions<K, V> extends Named {
  materialized?: Materialized<K, V>;
}

/** Options of `process` / `processValues`. */
export interface ProcessOptions extends Named {
  /** Names of stores (added with `builder.addStateStore`) the processor may use. */
  stores?: readonly string[];
}
