import type { KGroupedTable } from './kgrouped-table.js';
import type { KStream } from './kstream.js';
import type { Grouped, Named, TableOptions } from './options.js';

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
   * The table's updates as a stream; deletes appear as `null` values.
   * @example `counts.toStream().to('counts')`
   */
  toStream(options?: Named): KStream<K, V>;

  /**
   * Re-groups rows by a new key for aggregation. When a row changes, its old value is subtracted
   * from its old group and its new value added to its new group.
   * @example `users.groupBy((_, u) => [u.country, u], { key: Serdes.string(), value: Serdes.json() }).count()`
   */
  groupBy<KR, VR>(selector: (key: K, value: V) => readonly [KR, VR], options?: Grouped<KR, VR>): KGroupedTable<KR, VR>;
}
