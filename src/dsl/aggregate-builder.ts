import type { Serde } from '../serde/serde.js';
import type { Processor } from '../topology/processor.js';
import type { DslStoreType } from '../state/window/dsl-windowed-suppliers.js';
import type { StateStore, StoreBuilder } from '../state/store.js';
import type { InternalStreamsBuilder } from './internal-builder.js';
import type { KGroupedStreamImpl } from './kgrouped-stream-impl.js';
import { Options, type OptionSchema } from './option-keys.js';
import { registerWindowedNode, type WindowInfo } from './window-info.js';
import { addWindowedStoreNode } from './windowed-store-node.js';
import type { Materialized } from './options.js';
import type { WindowedMaterialized } from './time-windowed-kstream.js';

/** @internal What a stateful operator over one store is called and what it stores with. */
export interface StorePlan<M> {
  /** The processor node. */
  readonly name: string;
  readonly storeName: string;
  readonly keySerde: Serde<any> | undefined;
  readonly valueSerde: Serde<any> | undefined;
  readonly materialized: M | undefined;
}

/**
 * @internal Names a stateful DSL operator and its store, as every aggregation (and `toTable`) does
 * in Kafka Streams: the node is `options.name` or `prefix` plus the next position; the store is
 * the materialized store name, else `options.name`, else `<prefix>STATE-STORE-` plus the next
 * position; the serdes are the materialized ones, else the given defaults. Checks the options
 * against `schema` first.
 *
 * @example
 * ```ts
 * const plan = planStore(builder, 'aggregation', 'KSTREAM-AGGREGATE-', options, Options.aggregate, keySerde, longSerde);
 * ```
 */
export function planStore<M extends Materialized<any, any> | WindowedMaterialized<any, any>>(
  builder: InternalStreamsBuilder,
  operator: string,
  prefix: string,
  options: { readonly name?: string; readonly materialized?: M } | undefined,
  schema: OptionSchema,
  keySerde: Serde<any> | undefined,
  valueSerde: Serde<any> | undefined,
): StorePlan<M> {
  const name = builder.nameOr(options?.name, prefix);
  builder.checkOptions(operator, name, options, schema);
  const m = options?.materialized;
  return {
    name,
    storeName: m?.storeName ?? options?.name ?? builder.newName(`${prefix}STATE-STORE-`),
    keySerde: m?.key ?? keySerde,
    valueSerde: m?.value ?? valueSerde,
    materialized: m,
  };
}

/**
 * @internal Adds the key-value store of `plan` and, after `parent`, the processor that owns it:
 * the graph nodes of every key-value aggregation, `table()` and `toTable()`.
 *
 * @example
 * ```ts
 * addStoreProcessor(builder, plan, upstream.nodeName, kstreamAggregate(plan.storeName, init, fold));
 * ```
 */
export function addStoreProcessor(
  builder: InternalStreamsBuilder,
  plan: StorePlan<Materialized<any, any>>,
  parent: string,
  supplier: () => Processor<any, any, any, any>,
): void {
  builder.add({
    kind: 'store',
    name: plan.storeName,
    keySerde: plan.keySerde,
    valueSerde: plan.valueSerde,
    materialized: plan.materialized,
    builder: undefined,
  });
  addProcessorOver(builder, plan, parent, supplier);
}

/**
 * @internal Adds, after `parent`, the processor of `plan` over its (already added) store.
 *
 * @example
 * ```ts
 * addProcessorOver(builder, plan, upstream.nodeName, kstreamWindowAggregate(spec));
 * ```
 */
export function addProcessorOver(
  builder: InternalStreamsBuilder,
  plan: StorePlan<unknown>,
  parent: string,
  supplier: () => Processor<any, any, any, any>,
): void {
  builder.add({ kind: 'processor', name: plan.name, parents: [parent], supplier, stores: [plan.storeName] });
}

/**
 * @internal {@link planStore} for a windowed aggregation of `grouped`.
 *
 * @example
 * ```ts
 * const plan = planWindowedAggregate(this.grouped, 'KSTREAM-AGGREGATE-', options, longSerde);
 * ```
 */
export function planWindowedAggregate(
  grouped: KGroupedStreamImpl,
  prefix: string,
  options: { readonly name?: string; readonly materialized?: WindowedMaterialized<any, any> } | undefined,
  defaultValueSerde: Serde<any> | undefined,
): StorePlan<WindowedMaterialized<any, any>> {
  const builder = grouped.stream.builder;
  return planStore(
    builder,
    'windowed aggregation',
    prefix,
    options,
    Options.windowedAggregate,
    grouped.keySerde,
    defaultValueSerde,
  );
}

/**
 * @internal The graph nodes of a windowed aggregation of `grouped`: the repartition if the key
 * changed upstream, the windowed store (built by `storeBuilder` once the store type is known), the
 * processor over it, and the window facts the suppress operator and the planner read.
 *
 * @example
 * ```ts
 * addWindowedAggregate(this.grouped, plan, (type, key, value) => Stores.sessionStoreBuilder(supplier(type), key, value), supplier, { kind: 'session', graceMs, inactivityGapMs });
 * ```
 */
export function addWindowedAggregate(
  grouped: KGroupedStreamImpl,
  plan: StorePlan<WindowedMaterialized<any, any>>,
  storeBuilder: (storeType: DslStoreType, key: Serde<any>, value: Serde<any>) => StoreBuilder<StateStore>,
  supplier: () => Processor<any, any, any, any>,
  window: WindowInfo,
): void {
  const builder = grouped.stream.builder;
  const upstream = grouped.upstream(plan.storeName, plan.name);
  addWindowedStoreNode(
    builder,
    plan.storeName,
    { key: plan.keySerde, value: plan.valueSerde },
    plan.materialized,
    storeBuilder,
  );
  addProcessorOver(builder, plan, upstream.nodeName, supplier);
  registerWindowedNode(builder, plan.name, window);
}
