import { TopologyError } from '../errors.js';
import type { StateStore, StoreBuilder } from '../state/store.js';
import { ktableSource } from '../topology/processors/ktable-source.js';
import type { Topology } from '../topology/topology.js';
import { compileGraph, type TopologyConfig } from './compile.js';
import { InternalStreamsBuilder } from './internal-builder.js';
import { KStreamImpl } from './kstream-impl.js';
import type { KStream } from './kstream.js';
import { KTableImpl } from './ktable-impl.js';
import type { KTable } from './ktable.js';
import type { Consumed, Materialized } from './options.js';
import { Options } from './option-keys.js';
import { addStoreProcessor } from './aggregate-builder.js';

/** Options of `builder.table()` and `builder.globalTable()`. */
export interface TableConsumed<K, V> extends Consumed<K, V> {
  materialized?: Materialized<K, V>;
}

/**
 * A table every instance holds in full (all partitions), for lookups by any key without
 * co-partitioning. Join streams against it with a key selector.
 *
 * @example
 * ```ts
 * const products = builder.globalTable('products', { key: Serdes.string(), value: Serdes.json<Product>() });
 * ```
 */
export interface GlobalKTable<K, V> {
  readonly queryableStoreName: string;
  /** @internal Phantom fields so the type parameters are kept. */
  readonly __types?: [K, V];
}

/**
 * The entry point of the DSL: declare input streams and tables, chain operators, then `build()`
 * the topology.
 *
 * @example
 * ```ts
 * const builder = new StreamsBuilder();
 * builder.stream('words', { key: Serdes.string(), value: Serdes.string() })
 *   .groupBy((_, word) => word, { key: Serdes.string() })
 *   .count({ name: 'word-counts' })
 *   .toStream()
 *   .to('counts', { value: Serdes.long() });
 * const topology = builder.build();
 * ```
 */
export class StreamsBuilder {
  /** @internal */
  readonly internal = new InternalStreamsBuilder();

  /**
   * A stream of the records of `topics`. Serdes type the stream: `KStream<string, Order>` below.
   * @example `builder.stream('orders', { key: Serdes.string(), value: Serdes.json<Order>() })`
   */
  stream<K = unknown, V = unknown>(
    topics: string | readonly string[],
    options?: Consumed<K, V>,
  ): KStream<K, V> {
    const name = this.internal.nameOr(options?.name, 'KSTREAM-SOURCE-');
    this.internal.checkOptions(`stream(${JSON.stringify(topics)})`, name, options, Options.consumed);
    this.internal.add({
      kind: 'source',
      name,
      topics: typeof topics === 'string' ? [topics] : [...topics],
      keySerde: options?.key,
      valueSerde: options?.value,
      timestampExtractor: options?.timestampExtractor,
      offsetReset: options?.offsetReset,
    });
    return new KStreamImpl(this.internal, name, options?.key, options?.value, false) as KStream<K, V>;
  }

  /**
   * A table of the latest value per key of `topic`; `null` values delete. Materialized in a store
   * named `materialized.storeName` (or a generated name).
   * @example `builder.table('users', { key: Serdes.string(), value: Serdes.json<User>(), materialized: { storeName: 'users' } })`
   */
  table<K = unknown, V = unknown>(topic: string, options?: TableConsumed<K, V>): KTable<K, V> {
    const sourceName = this.internal.newName('KSTREAM-SOURCE-');
    const name = this.internal.nameOr(options?.name, 'KTABLE-SOURCE-');
    this.internal.checkOptions(`table(${JSON.stringify(topic)})`, name, options, Options.tableConsumed);
    const storeName = options?.materialized?.storeName ?? `${topic}-STATE-STORE-${sourceName.slice(-10)}`;
    const keySerde = options?.materialized?.key ?? options?.key;
    const valueSerde = options?.materialized?.value ?? options?.value;
    this.internal.add({
      kind: 'source',
      name: sourceName,
      topics: [topic],
      keySerde: options?.key,
      valueSerde: options?.value,
      timestampExtractor: options?.timestampExtractor,
      offsetReset: options?.offsetReset,
    });
    const plan = { name, storeName, keySerde, valueSerde, materialized: options?.materialized };
    addStoreProcessor(this.internal, plan, sourceName, ktableSource(storeName));
    const named = options?.materialized?.storeName !== undefined;
    return new KTableImpl(
      this.internal,
      name,
      storeName,
      keySerde,
      valueSerde,
      undefined,
      undefined,
      named,
    ) as KTable<K, V>;
  }

  /**
   * A table of all partitions of `topic` on every instance, for joins by any key.
   * @example `builder.globalTable('products', { key: Serdes.string(), value: Serdes.json<Product>() })`
   */
  globalTable<K = unknown, V = unknown>(topic: string, options?: TableConsumed<K, V>): GlobalKTable<K, V> {
    const sourceName = this.internal.newName('KSTREAM-SOURCE-');
    const processorName = this.internal.nameOr(options?.name, 'KTABLE-SOURCE-');
    this.internal.checkOptions(
      `globalTable(${JSON.stringify(topic)})`,
      processorName,
      options,
      Options.tableConsumed,
    );
    const storeName = options?.materialized?.storeName ?? `${topic}-STATE-STORE-${sourceName.slice(-10)}`;
    this.internal.add({
      kind: 'global-store',
      storeName,
      sourceName,
      processorName,
      topic,
      keySerde: options?.key,
      valueSerde: options?.value,
      timestampExtractor: options?.timestampExtractor,
      materialized: options?.materialized,
      builder: undefined,
      supplier: ktableSource(storeName) as any,
    });
    return { queryableStoreName: storeName };
  }

  /**
   * Adds a store for processors added with `process(supplier, { stores: [name] })`.
   * @example `builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('seen'), Serdes.string(), Serdes.long()))`
   */
  addStateStore(builder: StoreBuilder<StateStore>): this {
    if (builder === null || typeof builder !== 'object' || typeof builder.build !== 'function') {
      throw new TopologyError('addStateStore() needs a StoreBuilder, e.g. Stores.keyValueStoreBuilder(...).');
    }
    this.internal.add({
      kind: 'store',
      name: builder.name,
      keySerde: undefined,
      valueSerde: undefined,
      materialized: undefined,
      builder,
    });
    return this;
  }

  /**
   * Compiles everything declared so far into a `Topology`. Throws a `TopologyError` naming the
   * node and the fix when the topology is invalid.
   * @example `const topology = builder.build({ defaultKeySerde: Serdes.string() })`
   */
  build(config: TopologyConfig = {}): Topology {
    this.internal.throwOptionErrors();
    return compileGraph(this.internal.nodes, config);
  }
}

export type { TopologyConfig };
