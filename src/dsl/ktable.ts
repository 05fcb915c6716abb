import type { KGroupedTable } from './kgrouped-table.js';
import type { KStream } from './kstream.js';
import type { Grouped, Named, TableOptions } from './options.js';
import type { Suppressed } from '../windowing/suppressed.js';

/**
 * A changelog stream seen as a table: the latest value per key. Updates flow downstream as they
 * happen; a `null` value (tombstone) deletes the key.
 *
 * @example
 * ```ts
 * const users = builder.table('users', { key: Serdes.string(), value: Serdes.json<User>() });
 * users.filter((_, u) => u.active).toStream().to('active-users');
 * ```
 */
export interface KTable<K, V> {
  /** The store that holds this table's rows, when it is materialized. */
  readonly queryableStoreName: string | undefined;

  /**
   * Keeps rows matching `predicate`; a row that stops matching is deleted downstream.
   * @example `users.filter((_, u) => u.active)`
   */
  filter(predicate: (key: K, value: V) => boolean, options?: TableOptions<K, V>): KTable<K, V>;

  /**
   * Drops rows matching `predicate`.
   * @example `users.filterNot((_, u) => u.banned)`
   */
  filterNot(predicate: (key: K, value: V) => boolean, options?: TableOptions<K, V>): KTable<K, V>;

  /**
   * Maps each row's value.
   * @example `users.mapValues((u) => u.email)`
   */
  mapValues<VR>(mapper: (value: V, key: K) => VR, options?: TableOptions<K, VR>): KTable<K, VR>;

  /**
   * The table's updates as a stream; deletes appear as `null` values (tombstones), so the stream's
   * value type is `V | null` and a mapper must handle a deleted row before dereferencing it.
   * @example `users.toStream().mapValues((u) => u?.email ?? null).to('emails')`
   */
  toStream(options?: Named): KStream<K, V | null>;

  /**
   * Holds back updates: until each window closes (`Suppressed.untilWindowCloses`, windowed tables
   * only: one final result per window), or for a time after a key's first update
   * (`Suppressed.untilTimeLimit`). Only the latest value per key is kept.
   * @example `counts.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded())).toStream()`
   */
  suppress(suppressed: Suppressed): KTable<K, V>;

  /**
   * Re-groups rows by a new key for aggregation. When a row changes, its old value is subtracted
   * from its old group and its new value added to its new group.
   * @example `users.groupBy((_, u) => [u.country, u], { key: Serdes.string(), value: Serdes.json() }).count()`
   */
  groupBy<KR, VR>(
    selector: (key: K, value: V) => readonly [KR, VR],
    options?: Grouped<KR, VR>,
  ): KGroupedTable<KR, VR>;

  /**
   * Foreign-key join: joins each row with the `other` row whose key `foreignKeyExtractor(value)`
   * returns (rows without one are absent from the result). Works across partitions through two
   * internal topics (`<name>-subscription-registration-topic`, `<name>-subscription-response-topic`);
   * a change on either side, a changed foreign key or a delete updates exactly the affected rows.
   * @example `orders.join(customers, (order) => order.customerId, (order, customer) => ({ ...order, customer }))`
   */
  join<KO, VO, VR>(
    other: KTable<KO, VO>,
    foreignKeyExtractor: (value: V, key: K) => KO,
    joiner: (value: V, otherValue: VO, key: K) => VR,
    options?: TableOptions<K, VR>,
  ): KTable<K, VR>;
  /**
   * Joins rows with the same key: the result has a row for each key both tables have; an update
   * on either side updates it, and a delete on either side deletes it.
   * @example `users.join(settings, (user, s) => ({ ...user, theme: s.theme }), { materialized: { storeName: 'user-settings' } })`
   */
  join<VO, VR>(
    other: KTable<K, VO>,
    joiner: (value: V, otherValue: VO, key: K) => VR,
    options?: TableOptions<K, VR>,
  ): KTable<K, VR>;

  /**
   * Foreign-key left join: like the foreign-key `join`, but a row whose foreign key is `null` or
   * names no `other` row is joined with `null`.
   * @example `orders.leftJoin(customers, (order) => order.customerId, (order, customer) => ({ ...order, name: customer?.name }))`
   */
  leftJoin<KO, VO, VR>(
    other: KTable<KO, VO>,
    foreignKeyExtractor: (value: V, key: K) => KO,
    joiner: (value: V, otherValue: VO | null, key: K) => VR,
    options?: TableOptions<K, VR>,
  ): KTable<K, VR>;
  /**
   * Like `join`, but every row of this table is in the result, joined with `null` when `other`
   * has no row for its key.
   * @example `users.leftJoin(settings, (user, s) => ({ ...user, theme: s?.theme ?? 'light' }))`
   */
  leftJoin<VO, VR>(
    other: KTable<K, VO>,
    joiner: (value: V, otherValue: VO | null, key: K) => VR,
    options?: TableOptions<K, VR>,
  ): KTable<K, VR>;

  /**
   * Like `join`, but every key of either table is in the result, joined with `null` on the side
   * that lacks it; the row is deleted when both sides have deleted it.
   * @example `stock.outerJoin(prices, (qty, price) => ({ qty: qty ?? 0, price }))`
   */
  outerJoin<VO, VR>(
    other: KTable<K, VO>,
    joiner: (value: V | null, otherValue: VO | null, key: K) => VR,
    options?: TableOptions<K, VR>,
  ): KTable<K, VR>;
}
