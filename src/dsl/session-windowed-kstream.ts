import type { EmitStrategy } from '../windowing/emit-strategy.js';
import type { Windowed } from '../windowing/windowed.js';
import type { KTable } from './ktable.js';
import type { WindowedAggregateOptions } from './time-windowed-kstream.js';

/**
 * A grouped stream cut into per-key sessions of activity, ready to aggregate. When a record
 * merges sessions, the replaced sessions are deleted downstream (`null` values) before the merged
 * session is emitted.
 *
 * @example
 * ```ts
 * const visits = clicks.groupByKey()
 *   .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(30 * 60_000))
 *   .count(); // KTable<Windowed<string>, number>
 * ```
 */
export interface SessionWindowedKStream<K, V> {
  /**
   * Counts records per session.
   * @example `clicks.groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(60_000)).count()`
   */
  count(options?: WindowedAggregateOptions<K, number>): KTable<Windowed<K>, number>;

  /**
   * Combines values per session; merging sessions combines their aggregates with `reducer` too.
   * @example `amounts.groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(60_000)).reduce((a, b) => a + b)`
   */
  reduce(
    reducer: (aggregate: V, value: V, key: K) => V,
    options?: WindowedAggregateOptions<K, V>,
  ): KTable<Windowed<K>, V>;

  /**
   * Folds values per session; `merger` combines two sessions' aggregates when a record bridges them.
   * @example `.aggregate(() => 0, (_, v, sum) => sum + v, (_, a, b) => a + b)`
   */
  aggregate<A>(
    initializer: () => A,
    aggregator: (key: K, value: V, aggregate: A) => A,
    merger: (key: K, aggregate1: A, aggregate2: A) => A,
    options?: WindowedAggregateOptions<K, A>,
  ): KTable<Windowed<K>, A>;

  /**
   * Chooses when results are emitted: on every update (default) or once per session when it closes.
   * @example `.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(60_000)).emitStrategy(EmitStrategy.onWindowClose()).count()`
   */
  emitStrategy(strategy: EmitStrategy): SessionWindowedKStream<K, V>;
}
