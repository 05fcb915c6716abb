import type { SessionWindows } from '../windowing/session-windows.js';
import type { SlidingWindows } from '../windowing/sliding-windows.js';
import type { TimeWindows } from '../windowing/time-windows.js';
import type { KTable } from './ktable.js';
import type { AggregateOptions } from './options.js';
import type { SessionWindowedKStream } from './session-windowed-kstream.js';
import type { TimeWindowedKStream } from './time-windowed-kstream.js';

/**
 * A stream grouped by key, ready to aggregate. Records with a `null` key are skipped, and so are
 * `null` values in `reduce` and `aggregate` (their callbacks see `Exclude<V, null>`); time and
 * session windows aggregate `null` values, as in Kafka Streams, so their callbacks see `V`.
 *
 * @example
 * ```ts
 * const counts = words.groupBy((_, w) => w, { key: Serdes.string() }).count({ name: 'word-counts' });
 * ```
 */
export interface KGroupedStream<K, V> {
  /**
   * Counts records per key.
   * @example `clicks.groupByKey().count({ name: 'clicks-per-user' })`
   */
  count(options?: AggregateOptions<K, number>): KTable<K, number>;

  /**
   * Combines values per key; the first value is the starting aggregate.
   * @example `amounts.groupByKey().reduce((sum, amount) => sum + amount)`
   */
  reduce(
    reducer: (aggregate: Exclude<V, null>, value: Exclude<V, null>, key: K) => Exclude<V, null>,
    options?: AggregateOptions<K, Exclude<V, null>>,
  ): KTable<K, Exclude<V, null>>;

  /**
   * Folds values per key into an aggregate of any type.
   * @example `orders.groupByKey().aggregate(() => ({ n: 0, sum: 0 }), (_, o, a) => ({ n: a.n + 1, sum: a.sum + o.total }))`
   */
  aggregate<A>(
    initializer: () => A,
    aggregator: (key: K, value: Exclude<V, null>, aggregate: A) => A,
    options?: AggregateOptions<K, A>,
  ): KTable<K, A>;

  /**
   * Cuts the grouped stream into time windows (tumbling, hopping) or sliding windows, to
   * aggregate per key and window.
   * @example `clicks.groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(60_000)).count()`
   */
  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedKStream<K, V>;

  /**
   * Cuts the grouped stream into per-key sessions of activity.
   * @example `clicks.groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(30 * 60_000)).count()`
   */
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>;
}
