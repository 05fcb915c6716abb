import type { ProcessorSupplier, TopicNameExtractor } from '../topology/processor.js';
import type { KGroupedStream } from './kgrouped-stream.js';
import type { KTable } from './ktable.js';
import type { Grouped, Named, ProcessOptions, Produced, Repartitioned, TableOptions } from './options.js';

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
   * Keeps records matching `predicate`.
   * @example `stream.filter((key, value) => value.total > 100)`
   */
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
  flatMap<KR, VR>(mapper: (key: K, value: V) => Iterable<readonly [KR, VR]>, options?: Named): KStream<KR, VR>;

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
   * @example `profiles.toTable({ materialized: { storeName: 'profiles' } })`
   */
  toTable(options?: TableOptions<K, V>): KTable<K, V>;

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
  process<KOut, VOut>(supplier: ProcessorSupplier<K, V, KOut, VOut>, options?: ProcessOptions): KStream<KOut, VOut>;

  /**
   * Runs a processor that may change values but not keys, so no repartition is needed.
   * @example `stream.processValues(() => new Enrich(), { stores: ['lookup'] })`
   */
  processValues<VOut>(supplier: ProcessorSupplier<K, V, K, VOut>, options?: ProcessOptions): KStream<K, VOut>;
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
