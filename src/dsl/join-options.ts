import type { Serde } from '../serde/serde.js';
import type { Named } from './options.js';

/**
 * Options of stream–table joins. The serdes are used only when the stream must be repartitioned
 * first (its key changed upstream); they default to the stream's own.
 *
 * @example
 * ```ts
 * orders.selectKey((_, o) => o.customerId).join(customers, joiner, { name: 'enrich', key: Serdes.string(), value: Serdes.json<Order>() })
 * ```
 */
export interface Joined<K, V> extends Named {
  key?: Serde<K>;
  value?: Serde<V>;
}

/**
 * Options of stream–stream joins. `key`, `value` and `otherValue` serialize the join's window
 * stores and, when a side's key changed upstream, its repartition topic (`<name>-left-repartition`,
 * `<name>-right-repartition`); they default to each stream's own serdes.
 *
 * @example
 * ```ts
 * clicks.join(views, (c, v) => ({ c, v }), JoinWindows.ofTimeDifferenceWithNoGrace(60_000), {
 *   name: 'click-view', key: Serdes.string(), value: Serdes.json<Click>(), otherValue: Serdes.json<View>(),
 *   stores: { name: 'click-view-store', logging: false },
 * })
 * ```
 */
export interface StreamJoined<K, V, VO> extends Named {
  key?: Serde<K>;
  value?: Serde<V>;
  otherValue?: Serde<VO>;
  /** The window stores: `name` is the base of their names (`<name>-this-join-store`, …); `logging` as in `Materialized`. */
  stores?: { name?: string; logging?: boolean | Record<string, string> };
}
