import type { Serde } from '../serde/serde.js';
import { ktableFilter } from '../topology/processors/ktable-filter.js';
import { ktableMapValues } from '../topology/processors/ktable-map-values.js';
import { ktableRepartitionMap } from '../topology/processors/ktable-repartition-map.js';
import { ktableToStream } from '../topology/processors/ktable-to-stream.js';
import type { InternalStreamsBuilder } from './internal-builder.js';
import { joinTable } from './join-dispatch.js';
import { Options } from './option-keys.js';
import { KGroupedTableImpl } from './kgrouped-table-impl.js';
import type { KGroupedTable } from './kgrouped-table.js';
import { KStreamImpl } from './kstream-impl.js';
import type { KStream } from './kstream.js';
import type { KTable } from './ktable.js';
import type { Grouped, Named, TableOptions } from './options.js';
import { requireFunction } from './validate.js';
import { addSuppressNode } from './suppress-node.js';
import type { Suppressed } from '../windowing/suppressed.js';

/** @internal Type-erased implementation of `KTable`. Its node forwards `Change` values. */
export class KTableImpl implements KTable<any, any> {
  constructor(
    readonly builder: InternalStreamsBuilder,
    readonly nodeName: string,
    readonly queryableStoreName: string | undefined,
    readonly keySerde: Serde<any> | undefined,
    readonly valueSerde: Serde<any> | undefined,
    /** The table this one derives from, if any: asking for old values propagates to it. */
    readonly parent: KTableImpl | undefined = undefined,
    /** Read by this table's processor at run time; `groupBy` turns it on (Kafka's `enableSendingOldValues`). */
    readonly sendOldValues: { enabled: boolean } = { enabled: false },
    /**
     * Whether this table, having no parent, knows old values without being forced to: aggregations
     * and joins do; a source (`table()`, `toTable()`, a foreign-key join result) only when the user
     * named its store, as Kafka Streams decides it.
     */
    readonly knowsOldValues: boolean = true,
  ) {}

  /**
   * @internal A downstream operator asks for each update's old value. `force` (groupBy, joins)
   * always succeeds; without it (a filter asking, so it may drop tombstones that delete nothing)
   * it succeeds only where old values come for free, and returns whether they do.
   */
  enableSendingOldValues(force = true): boolean {
    if (this.sendOldValues.enabled) return true;
    if (this.parent !== undefined) {
      if (this.queryableStoreName === undefined && !this.parent.enableSendingOldValues(force)) return false;
    } else if (!force && !this.knowsOldValues) {
      return false;
    }
    this.sendOldValues.enabled = true;
    return true;
  }

  filter(predicate: (key: any, value: any) => boolean, options?: TableOptions<any, any>): KTable<any, any> {
    return this.filterWith(requireFunction(predicate, 'filter', 'predicate'), false, options);
  }

  filterNot(
    predicate: (key: any, value: any) => boolean,
    options?: TableOptions<any, any>,
  ): KTable<any, any> {
    return this.filterWith(requireFunction(predicate, 'filterNot', 'predicate'), true, options);
  }

  mapValues(mapper: (value: any, key: any) => any, options?: TableOptions<any, any>): KTable<any, any> {
    requireFunction(mapper, 'mapValues', 'mapper');
    const name = this.builder.nameOr(options?.name, 'KTABLE-MAPVALUES-');
    this.builder.checkOptions('mapValues()', name, options, Options.table);
    const storeName = this.materialize(options, 'KTABLE-MAPVALUES-STATE-STORE-', undefined);
    this.builder.add({
      kind: 'processor',
      name,
      parents: [this.nodeName],
      supplier: ktableMapValues(mapper, storeName),
      stores: storeName === undefined ? [] : [storeName],
    });
    return new KTableImpl(this.builder, name, storeName, this.keySerde, options?.materialized?.value, this);
  }

  toStream(options?: Named): KStream<any, any> {
    const name = this.builder.nameOr(options?.name, 'KTABLE-TOSTREAM-');
    this.builder.checkOptions('toStream()', name, options, Options.named);
    this.builder.add({
      kind: 'processor',
      name,
      parents: [this.nodeName],
      supplier: ktableToStream(),
      stores: [],
    });
    return new KStreamImpl(this.builder, name, this.keySerde, this.valueSerde, false);
  }

  suppress(suppressed: Suppressed): KTable<any, any> {
    // The buffer keeps each key's value from before the first buffered update: it needs old values.
    this.enableSendingOldValues(true);
    const name = addSuppressNode(this.builder, this.nodeName, this.keySerde, this.valueSerde, suppressed);
    return new KTableImpl(this.builder, name, undefined, this.keySerde, this.valueSerde, this);
  }

  groupBy(
    selector: (key: any, value: any) => readonly [any, any],
    options?: Grouped<any, any>,
  ): KGroupedTable<any, any> {
    requireFunction(selector, 'groupBy', 'selector');
    const name = this.builder.nameOr(options?.name, 'KTABLE-SELECT-');
    this.builder.checkOptions('groupBy()', name, options, Options.grouped);
    this.builder.add({
      kind: 'processor',
      name,
      parents: [this.nodeName],
      supplier: ktableRepartitionMap(selector),
      stores: [],
    });
    this.enableSendingOldValues(true);
    const valueSerde = options?.value;
    return new KGroupedTableImpl(this.builder, name, options?.key, valueSerde, options?.name);
  }

  join(other: any, a: any, b?: any, c?: any): KTable<any, any> {
    return joinTable(this, 'inner', other, a, b, c);
  }

  leftJoin(other: any, a: any, b?: any, c?: any): KTable<any, any> {
    return joinTable(this, 'left', other, a, b, c);
  }

  outerJoin(other: any, joiner: any, options?: any): KTable<any, any> {
    return joinTable(this, 'outer', other, joiner, options, undefined);
  }

  private filterWith(
    predicate: (key: any, value: any) => boolean,
    negate: boolean,
    options?: TableOptions<any, any>,
  ): KTable<any, any> {
    const name = this.builder.nameOr(options?.name, 'KTABLE-FILTER-');
    this.builder.checkOptions(negate ? 'filterNot()' : 'filter()', name, options, Options.table);
    const storeName = this.materialize(options, 'KTABLE-FILTER-STATE-STORE-', this.valueSerde);
    const sendOldValues = { enabled: this.enableSendingOldValues(false) };
    this.builder.add({
      kind: 'processor',
      name,
      parents: [this.nodeName],
      supplier: ktableFilter(predicate, negate, storeName, sendOldValues),
      stores: storeName === undefined ? [] : [storeName],
    });
    return new KTableImpl(this.builder, name, storeName, this.keySerde, this.valueSerde, this, sendOldValues);
  }

  /** Adds a store when the operator is asked to materialize its result; returns its name. */
  private materialize(
    options: TableOptions<any, any> | undefined,
    prefix: string,
    valueSerde: Serde<any> | undefined,
  ): string | undefined {
    if (options?.materialized === undefined) return undefined;
    const m = options.materialized;
    const storeName = m.storeName ?? this.builder.newName(prefix);
    this.builder.add({
      kind: 'store',
      name: storeName,
      keySerde: m.key ?? this.keySerde,
      valueSerde: m.value ?? valueSerde,
      materialized: m,
      builder: undefined,
    });
    return storeName;
  }
}
