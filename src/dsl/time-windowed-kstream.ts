import type { Serde } from '../serde/serde.js';
import type { EmitStrategy } from '../windowing/emit-strategy.js';
import type { Windowed } from '../windowing/windowed.js';
import type { KTable } from './ktable.js';
import type { Named } from './options.js';

/**
 * How a windowed aggregation stores its windows (an in-memory window or session store, always).
 *
 * @example
 * ```ts
 * .count({ materialized: { storeName: 'clicks-per-minute', retentionMs: 2 * 86_400_000, logging: false } })
 * ```
 */
export interface WindowedMaterialized<K, V> {
  storeName?: string;
  /**
   * The inner store. Default: the `defaultDslStore` config (persistent in a running app, in-memory
   * in the TopologyTestDriver).
   */
  storeType?: 'in-memory' | 'persistent';
  key?: Serde<K>;
  value?: Serde<V>;
  /**
   * How long windows are kept after they start. Default: the span a window stays open (size +
   * grace; sliding: 2 × time difference + grace; sessions: gap + grace), as in Kafka Streams; a
   * persistent store keeps at least a day (docs/windowing.md, "Retention"). Must be at least that span.
   */
  retentionMs?: number;
  /**
   * `false` turns the store's cache off: every update of a window is forwarded (and logged) at
   * once instead of its latest value per commit. Default on in a running app.
   */
  caching?: boolean;
  /** `false` disables the changelog; an object enables it with these topic configs. */
  logging?: boolean | Record<string, string>;
}

/** Options of windowed `count`, `reduce` and `aggregate`: `name` names the processor and store. */
export interface WindowedAggregateOptions<K, V> extends Named {
  materialized?: WindowedMaterialized<K, V>;
}

/**
 * A grouped stream cut into time windows (tumbling, hopping or sliding), ready to aggregate per
 * key and window. The result is a table keyed by `Windowed<K>`, updated as records arrive (or
 * once per window with `emitStrategy(EmitStrategy.onWindowClose())`).
 *
 * @example
 * ```ts
 * const perMinute = clicks.groupByKey()
 *   .windowedBy(TimeWindows.ofSizeAndGrace(60_000, 5_000))
 *   .count({ name: 'clicks-per-minute' }); // KTable<Windowed<string>, number>
 * ```
 */
export interface TimeWindowedKStream<K, V> {
  /**
   * Counts records per key and window.
   * @example `stream.groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(60_000)).count()`
   */
  count(options?: WindowedAggregateOptions<K, number>): KTable<Windowed<K>, number>;

  /**
   * Combines values per key and window; a window's first value is its starting aggregate.
   * @example `amounts.groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(60_000)).reduce((a, b) => a + b)`
   */
  reduce(
    reducer: (aggregate: V, value: V, key: K) => V,
    options?: WindowedAggregateOptions<K, V>,
  ): KTable<Windowed<K>, V>;

  /**
   * Folds values per key and window into an aggregate of any type.
   * @example `orders.groupByKey().windowedBy(w).aggregate(() => 0, (_, o, sum) => sum + o.total, { materialized: { value: Serdes.float64() } })`
   */
  aggregate<A>(
    initializer: () => A,
    aggregator: (key: K, value: V, aggregate: A) => A,
    options?: WindowedAggregateOptions<K, A>,
  ): KTable<Windowed<K>, A>;

  /**
   * Chooses when results are emitted: on every update (default) or once per window when it closes.
   * @example `.windowedBy(w).emitStrategy(EmitStrategy.onWindowClose()).count()`
   */
  emitStrategy(strategy: EmitStrategy): TimeWindowedKStream<K, V>;
}
