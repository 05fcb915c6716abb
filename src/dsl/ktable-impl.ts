import type { Serde } from '../serde/serde.js';
import { ktableFilter } from '../topology/processors/ktable-filter.js';
import { ktableMapValues } from '../topology/processors/ktable-map-values.js';
import { ktableRepartitionMap } from '../topology/processors/ktable-repartition-map.js';
import { ktableToStream } from '../topology/processors/ktable-to-stream.js';
import type { InternalStreamsBuilder } from './internal-builder.js';
import { KGroupedTableImpl } from './kgrouped-table-impl.js';
import type { KGroupedTable } from './kgrouped-table.js';
import { KStreamImpl } from './kstream-impl.js';
import type { KStream } from './kstream.js';
import type { KTable } from './ktable.js';
import type { Grouped, Named, TableOptions } from './options.js';
import { requireFunction } from './validate.js';

/** @internal Type-erased implementation of `KTable`. Its node forwards `Change` values. */
export class KTableImpl implements KTable<any, any> {
  constructor(
    readonly builder: InternalStreamsBuilder,
    readonly nodeName: string,
    readonly queryableStoreName: string | undefined,
    readonly keySerde: Serde<any> | undefined,
    readonly valueSerde: Serde<any> | undefined,
  ) {}

  filter(predicate: (key: any, value: any) => boolean, options?: TableOptions<any, any>): KTable<any, any> {
    return this.filterWith(requireFunction(predicate, 'filter', 'predicate'), false, options);
  }

  filterNot(predicate: (key: any, value: any) => boolean, options?: TableOptions<any, any>): KTable<any, any> {
    return this.filterWith(requireFunction(predicate, 'filterNot', 'predicate'), true, options);
  }

  mapValues(mapper: (value: any, key: any) => any, options?: TableOptions<any, any>): KTable<any, any> {
    requireFunction(mapper, 'mapValues', 'mapper');
    const name = this.builder.nameOr(options?.name, 'KTABLE-MAPVALUES-');
    const storeName = this.materialize(options, 'KTABLE-MAPVALUES-STATE-STORE-', undefined);
    this.builder.add({
      kind: 'processor',
      name,
      parents: [this.nodeName],
      supplier: ktableMapValues(mapper, storeName),
      stores: storeName === undefined ? [] : [storeName],
    });
    return new KTableImpl(this.builder, name, storeName, this.keySerde, options?.materialized?.value);
  }

  toStream(options?: Named): KStream<any, any> {
    const name = this.builder.nameOr(options?.name, 'KTABLE-TOSTREAM-');
    this.builder.add({ kind: 'processor', name, parents: [this.nodeName], supplier: ktableToStream(), stores: [] });
    return new KStreamImpl(this.builder, name, this.keySerde, this.valueSerde, false);
  }

  groupBy(selector: (key: any, value: any) => readonly [any, any], options?: Grouped<any, any>): KGroupedTable<any, any> {
    requireFunction(selector, 'groupBy', 'selector');
    const name = this.builder.nameOr(options?.name, 'KTABLE-SELECT-');
    this.builder.add({ kind: 'processor', name, parents: [this.nodeName], supplier: ktableRepartitionMap(selector), stores: [] });
    const valueSerde = options?.value;
    return new KGroupedTableImpl(this.builder, name, options?.key, valueSerde, options?.name);
  }

  private filterWith(predicate: (key: any, value: any) => boolean, negate: boolean, options?: TableOptions<any, any>): KTable<any, any> {
    const name = this.builder.nameOr(options?.name, 'KTABLE-FILTER-');
    const storeName = this.materialize(options, 'KTABLE-FILTER-STATE-STORE-', this.valueSerde);
    this.builder.add({
      kind: 'processor',
      name,
      parents: [this.nodeName],
      supplier: ktableFilter(predicate, negate, storeName),
      stores: storeName === undefined ? [] : [storeName],
    });
    return new KTableImpl(this.builder, name, storeName, this.keySerde, this.valueSerde);
  }

  /** Adds a store when the operator is asked to materialize its result; returns its name. */
  private materialize(options: TableOptions<any, any> | undefined, prefix: string, valueSerde: Serde<any> | undefined): string | undefined {
    if (options?.materialized === undefined) return undefined;
    const m = options.materialized;
    const storeName = m.storeName ?? this.builder.newName(prefix);
    this.builder.add({ kind: 'store', name: storeName, keySerde: m.key ?? this.keySerde, valueSerde: m.value ?? valueSerde, materialized: m, builder: undefined });
    return storeName;
  }
}

