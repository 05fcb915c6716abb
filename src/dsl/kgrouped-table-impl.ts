import { longSerde } from '../serde/primitive-serdes.js';
import type { Serde } from '../serde/serde.js';
import type { Processor } from '../topology/processor.js';
import { ktableAggregate, ktableReduce } from '../topology/processors/ktable-aggregate.js';
import type { InternalStreamsBuilder } from './internal-builder.js';
import type { KGroupedTable } from './kgrouped-table.js';
import { KTableImpl } from './ktable-impl.js';
import type { KTable } from './ktable.js';
import type { AggregateOptions } from './options.js';
import { requireFunction } from './validate.js';
import { Options } from './option-keys.js';
import { addStoreProcessor, planStore } from './aggregate-builder.js';

/** @internal A re-grouped table: its `Change`s always go through a repartition topic. */
export class KGroupedTableImpl implements KGroupedTable<any, any> {
  constructor(
    private readonly builder: InternalStreamsBuilder,
    private readonly selectName: string,
    private readonly keySerde: Serde<any> | undefined,
    private readonly valueSerde: Serde<any> | undefined,
    private readonly groupedName: string | undefined,
  ) {}

  count(options?: AggregateOptions<any, number>): KTable<any, number> {
    return this.aggregateWith('KTABLE-AGGREGATE-', options, longSerde, (store) =>
      ktableAggregate(
        store,
        () => 0,
        (_k, _v, n: number) => n + 1,
        (_k, _v, n: number) => n - 1,
      ),
    );
  }

  reduce(
    adder: (aggregate: any, value: any, key: any) => any,
    subtractor: (aggregate: any, value: any, key: any) => any,
    options?: AggregateOptions<any, any>,
  ): KTable<any, any> {
    requireFunction(adder, 'reduce', 'adder');
    requireFunction(subtractor, 'reduce', 'subtractor');
    return this.aggregateWith('KTABLE-REDUCE-', options, this.valueSerde, (store) =>
      ktableReduce(store, adder, subtractor),
    );
  }

  aggregate(
    initializer: () => any,
    adder: (key: any, value: any, aggregate: any) => any,
    subtractor: (key: any, value: any, aggregate: any) => any,
    options?: AggregateOptions<any, any>,
  ): KTable<any, any> {
    requireFunction(initializer, 'aggregate', 'initializer');
    requireFunction(adder, 'aggregate', 'adder');
    requireFunction(subtractor, 'aggregate', 'subtractor');
    return this.aggregateWith('KTABLE-AGGREGATE-', options, undefined, (store) =>
      ktableAggregate(store, initializer, adder, subtractor),
    );
  }

  private aggregateWith(
    prefix: string,
    options: AggregateOptions<any, any> | undefined,
    defaultValueSerde: Serde<any> | undefined,
    processor: (storeName: string) => () => Processor<any, any, any, any>,
  ): KTable<any, any> {
    const plan = planStore(
      this.builder,
      'aggregation',
      prefix,
      options,
      Options.aggregate,
      this.keySerde,
      defaultValueSerde,
    );
    const base = this.groupedName ?? plan.storeName;
    const sourceName = `${base}-repartition-source`;
    this.builder.add({
      kind: 'repartition',
      baseName: base,
      parent: this.selectName,
      filterName: `${base}-repartition-filter`,
      sinkName: `${base}-repartition-sink`,
      sourceName,
      keySerde: this.keySerde,
      valueSerde: this.valueSerde,
      numberOfPartitions: undefined,
      partitioner: undefined,
      changeValues: true,
      requestedBy: plan.name,
    });
    addStoreProcessor(this.builder, plan, sourceName, processor(plan.storeName));
    return new KTableImpl(this.builder, plan.name, plan.storeName, plan.keySerde, plan.valueSerde);
  }
}
