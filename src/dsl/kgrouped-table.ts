import type { KTable } from './ktable.js';
import type { AggregateOptions } from './options.js';

/**
 * A re-grouped table, ready to aggregate with an adder and a subtractor, so that updates and
 * deletes of source rows keep the aggregates right.
 *
 * @example
 * ```ts
 * const perCountry = users.groupBy((_, u) => [u.country, u], { key: Serdes.string(), value: Serdes.json<User>() }).count();
 * ```
 */
export interface KGroupedTable<K, V> {
  /**
   * Counts rows per group.
   * @example `users.groupBy((_, u) => [u.country, u]).count()`
   */
  count(options?: AggregateOptions<K, number>): KTable<K, number>;

  /**
   * Combines rows per group: `adder` for new rows, `subtractor` for replaced or deleted ones.
   * @example `balances.groupBy((_, b) => [b.branch, b.amount]).reduce((a, v) => a + v, (a, v) => a - v)`
   */
  reduce(
    adder: (aggregate: V, value: V, key: K) => V,
    subtractor: (aggregate: V, value: V, key: K) => V,
    options?: AggregateOptions<K, V>,
  ): KTable<K, V>;

  /**
   * Folds rows per group into an aggregate of any type.
   * @example `items.groupBy((_, i) => [i.cart, i]).aggregate(() => 0, (_, i, t) => t + i.price, (_, i, t) => t - i.price)`
   */
  aggregate<A>(
    initializer: () => A,
    adder: (key: K, value: V, aggregate: A) => A,
    subtractor: (key: K, value: V, aggregate: A) => A,
    options?: AggregateOptions<K, A>,
  ): KTable<K, A>;
}
