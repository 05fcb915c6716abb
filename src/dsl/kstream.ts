import type { ProcessorSupplier, TopicNameExtractor } from '../topology/processor.js';
import type { KGroupedStream } from './kgrouped-stream.js';
import type { KTable } from './ktable.js';
import type { Grouped, Named, ProcessOptions, Produced, Repartitioned, TableOptions } from './options.js';
import type { Joined, StreamJoined } from './join-options.js';
import type { GlobalKTable } from './streams-builder.js';
import type { JoinWindows } from '../windowing/join-windows.js';

/**
 * An unbounded stream of key-value records. Every operator returns a new stream (or table) and
 * only adds nodes to the topology; nothing runs until the topology is started or driven.
 * Keys and values may be `null` at run time: stateless operators pass them through, aggregations
 * skip them, as in Kafka Streams.
 *
 * @example
 * ```ts
 * const orders = builder.stream('orders', { key: Serdes.string(), value: Serdes.json<Order>() });
 * orders.filter((_, o) => o.total > 0).mapValues((o) => o.total).to('totals', { value: Serdes.float64() });
 * ```
 */
export interface KStream<K, V> {
  /**
   * Keeps records matching `predicate`. A type-guard predicate narrows the value type, so
   * `filter((_, v) => v !== null)` turns a table's update stream `KStream<K, V | null>` into
   * `KStream<K, V>`.
   * @example `stream.filter((key, value) => value.total > 100)`
   */
  filter<VS extends V>(predicate: (key: K, value: V) => value is VS, options?: Named): KStream<K, VS>;
  filter(predicate: (key: K, value: V) => boolean, options?: Named): KStream<K, V>;

  /**
   * Drops records matching `predicate`.
   * @example `stream.filterNot((key) => key === null)`
   */
  filterNot(predicate: (key: K, value: V) => boolean, options?: Named): KStream<K, V>;

  /**
   * Replaces key and value. Marks the stream for repartitioning before a grouping or join.
   * @example `stream.map((key, order) => [order.customerId, order.total])`
   */
  map<KR, VR>(mapper: (key: K, value: V) => readonly [KR, VR], options?: Named): KStream<KR, VR>;

  /**
   * Replaces the value; the key is untouched, so no repartition is needed.
   * @example `stream.mapValues((order) => order.total)`
   */
  mapValues<VR>(mapper: (value: V, key: K) => VR, options?: Named): KStream<K, VR>;

  /**
   * Replaces each record with zero or more `[key, value]` records.
   * @example `lines.flatMap((_, line) => line.split(' ').map((w) => [w, 1] as const))`
   */
  flatMap<KR, VR>(
    mapper: (key: K, value: V) => Iterable<readonly [KR, VR]>,
    options?: Named,
  ): KStream<KR, VR>;

  /**
   * Replaces each value with zero or more values, keeping the key.
   * @example `lines.flatMapValues((line) => line.toLowerCase().split(/\W+/))`
   */
  flatMapValues<VR>(mapper: (value: V, key: K) => Iterable<VR>, options?: Named): KStream<K, VR>;

  /**
   * Replaces the key. Marks the stream for repartitioning before a grouping or join.
   * @example `orders.selectKey((_, order) => order.customerId)`
   */
  selectKey<KR>(selector: (key: K, value: V) => KR, options?: Named): KStream<KR, V>;

  /**
   * Calls `action` for each record and passes the record on.
   * @example `stream.peek((key, value) => console.log(key, value))`
   */
  peek(action: (key: K, value: V) => void, options?: Named): KStream<K, V>;

  /**
   * Calls `action` for each record; a terminal operation.
   * @example `stream.foreach((key, value) => metrics.record(key, value))`
   */
  foreach(action: (key: K, value: V) => void, options?: Named): void;

  /**
   * Interleaves this stream with `other` in processing order.
   * @example `clicks.merge(views)`
   */
  merge(other: KStream<K, V>, options?: Named): KStream<K, V>;

  /**
   * Writes the stream to a topic, or to the topic `topic(key, value, ctx)` picks per record.
   * Serdes default to the stream's own (from the source) and then to the configured defaults.
   * @example `stream.to('output', { key: Serdes.string(), value: Serdes.json() })`
   */
  to(topic: string | TopicNameExtractor<K, V>, options?: Produced<K, V>): void;

  /**
   * Sends the stream through `<applicationId>-<name>-repartition`, partitioned by the current key.
   * @example `stream.selectKey((_, v) => v.userId).repartition({ name: 'by-user', numberOfPartitions: 8 })`
   */
  repartition(options?: Repartitioned<K, V>): KStream<K, V>;

  /**
   * Interprets the stream as upserts into a table (a `null` value deletes the key).
   * A `null` value never becomes a row, so the table's value type excludes `null`.
   * @example `profiles.toTable({ materialized: { storeName: 'profiles' } })`
   */
  toTable(options?: TableOptions<K, Exclude<V, null>>): KTable<K, Exclude<V, null>>;

  /**
   * Groups by the current key, for aggregation. Repartitions first if the key changed upstream.
   * @example `stream.groupByKey().count()`
   */
  groupByKey(options?: Grouped<K, V>): KGroupedStream<K, V>;

  /**
   * Groups by a new key, for aggregation; the stream is repartitioned by that key.
   * @example `orders.groupBy((_, o) => o.region, { key: Serdes.string() }).count()`
   */
  groupBy<KR>(selector: (key: K, value: V) => KR, options?: Grouped<KR, V>): KGroupedStream<KR, V>;

  /**
   * Splits the stream into branches; each record goes to the first branch whose predicate matches.
   * @example
   * ```ts
   * const branches = stream.split({ name: 'size-' })
   *   .branch((_, v) => v > 100, { name: 'large' })
   *   .defaultBranch({ name: 'small' });
   * branches['size-large'].to('large');
   * ```
   */
  split(options?: Named): BranchedKStream<K, V>;

  /**
   * Runs a Processor API processor; it may forward any keys and values (marks the stream for repartitioning).
   * @example `stream.process(() => new Deduplicate(), { stores: ['seen'] })`
   */
  process<KOut, VOut>(
    supplier: ProcessorSupplier<K, V, KOut, VOut>,
    options?: ProcessOptions,
  ): KStream<KOut, VOut>;

  /**
   * Runs a processor that may change values but not keys, so no repartition is needed.
   * @example `stream.processValues(() => new Enrich(), { stores: ['lookup'] })`
   */
  processValues<VOut>(supplier: ProcessorSupplier<K, V, K, VOut>, options?: ProcessOptions): KStream<K, VOut>;

  /**
   * Joins each record with the `globalTable` row whose key `keySelector(key, value)` returns; the
   * record is dropped when there is none. No co-partitioning is needed; global-table updates
   * produce no output.
   * @example `orders.join(products, (_, o) => o.productId, (order, product) => ({ ...order, price: product.price }))`
   */
  join<GK, GV, VR>(
    globalTable: GlobalKTable<GK, GV>,
    keySelector: (key: K, value: V) => GK,
    joiner: (value: V, globalValue: GV, key: K) => VR,
    options?: Named,
  ): KStream<K, VR>;
  /**
   * Joins each record with the `table` row of the same key, as the table is when the record
   * arrives; the record is dropped when there is none (or its key or value is `null`). Table
   * updates produce no output. A stream whose key changed upstream is repartitioned first.
   * @example `orders.join(customers, (order, customer) => ({ ...order, tier: customer.tier }))`
   */
  join<VT, VR>(
    table: KTable<K, VT>,
    joiner: (value: V, tableValue: VT, key: K) => VR,
    options?: Joined<K, V>,
  ): KStream<K, VR>;
  /**
   * Joins records of two streams with the same key whose timestamps are within `windows` of each
   * other (`other` at most `beforeMs` earlier and `afterMs` later). Each pair gives one result,
   * timestamped with the later of the two. Records with a `null` key or value never join.
   * @example `clicks.join(views, (click, view) => ({ click, view }), JoinWindows.ofTimeDifferenceWithNoGrace(60_000))`
   */
  join<VO, VR>(
    other: KStream<K, VO>,
    joiner: (value: V, otherValue: VO, key: K) => VR,
    windows: JoinWindows,
    options?: StreamJoined<K, V, VO>,
  ): KStream<K, VR>;

  /**
   * Like `join(globalTable, …)`, but a record with no matching row is joined with `null`.
   * @example `orders.leftJoin(products, (_, o) => o.productId, (order, product) => ({ ...order, name: product?.name ?? 'unknown' }))`
   */
  leftJoin<GK, GV, VR>(
    globalTable: GlobalKTable<GK, GV>,
    keySelector: (key: K, value: V) => GK,
    joiner: (value: V, globalValue: GV | null, key: K) => VR,
    options?: Named,
  ): KStream<K, VR>;
  /**
   * Like `join(table, …)`, but a record with no matching row is joined with `null` (a record with a
   * `null` key is kept and joined with `null` too; `null` values are still dropped).
   * @example `orders.leftJoin(customers, (order, customer) => ({ ...order, tier: customer?.tier ?? 'none' }))`
   */
  leftJoin<VT, VR>(
    table: KTable<K, VT>,
    joiner: (value: V, tableValue: VT | null, key: K) => VR,
    options?: Joined<K, V>,
  ): KStream<K, VR>;
  /**
   * Like `join(other, …, windows)`, but a record of this stream that finds no partner is emitted
   * joined with `null` once its window has closed (stream time passed its timestamp + `afterMs` +
   * `graceMs`), not eagerly, as in Kafka Streams.
   * @example `orders.leftJoin(payments, (o, p) => ({ o, paid: p !== null }), JoinWindows.ofTimeDifferenceAndGrace(600_000, 60_000))`
   */
  leftJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: (value: V, otherValue: VO | null, key: K) => VR,
    windows: JoinWindows,
    options?: StreamJoined<K, V, VO>,
  ): KStream<K, VR>;

  /**
   * Like `leftJoin(other, …, windows)` in both directions: unmatched records of either stream are
   * emitted joined with `null` once their window has closed.
   * @example `left.outerJoin(right, (l, r) => ({ l, r }), JoinWindows.ofTimeDifferenceWithNoGrace(5_000))`
   */
  outerJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: (value: V | null, otherValue: VO | null, key: K) => VR,
    windows: JoinWindows,
    options?: StreamJoined<K, V, VO>,
  ): KStream<K, VR>;
}

/** One branch of `split()`: a name and, optionally, a function applied to the branch stream. */
export interface Branched<K, V> {
  /** The branch's name; its key in the result is the split's name followed by this. Default: its position. */
  name?: string;
  /**
   * Applied to the branch; the stream it returns is what the result holds (return nothing to leave
   * the branch out of the result).
   */
  chain?: (branch: KStream<K, V>) => KStream<any, any> | void;
}

/**
 * The result of `split()`: add branches in order, then finish with `defaultBranch()` or
 * `noDefaultBranch()` to get the branch streams keyed by name.
 *
 * @example
 * ```ts
 * const { 'fraud-high': high, 'fraud-low': low } = payments.split({ name: 'fraud-' })
 *   .branch((_, p) => p.score > 0.9, { name: 'high' })
 *   .defaultBranch({ name: 'low' });
 * ```
 */
export interface BranchedKStream<K, V> {
  branch(predicate: (key: K, value: V) => boolean, options?: Branched<K, V>): BranchedKStream<K, V>;
  /** Records matching no branch go to this one. */
  defaultBranch(options?: Branched<K, V>): Record<string, KStream<K, V>>;
  /** Records matching no branch are dropped. */
  noDefaultBranch(): Record<string, KStream<K, V>>;
}
