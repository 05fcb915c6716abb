import { TopologyError } from '../errors.js';
import type { Serde } from '../serde/serde.js';
import type { ProcessorSupplier, TopicNameExtractor } from '../topology/processor.js';
import { supplierToFactory } from '../topology/processor.js';
import { kstreamBranch, type BranchSpec } from '../topology/processors/kstream-branch.js';
import { kstreamFilter } from '../topology/processors/kstream-filter.js';
import { kstreamFlatMapValues } from '../topology/processors/kstream-flat-map-values.js';
import { kstreamFlatMap } from '../topology/processors/kstream-flat-map.js';
import { kstreamMapValues } from '../topology/processors/kstream-map-values.js';
import { kstreamMap } from '../topology/processors/kstream-map.js';
import { kstreamPassThrough } from '../topology/processors/kstream-passthrough.js';
import { kstreamPeek } from '../topology/processors/kstream-peek.js';
import { kstreamProcessValues } from '../topology/processors/kstream-process-values.js';
import { kstreamSelectKey } from '../topology/processors/kstream-select-key.js';
import { ktableSource } from '../topology/processors/ktable-source.js';
import type { InternalStreamsBuilder } from './internal-builder.js';
import { joinStream } from './join-dispatch.js';
import { KGroupedStreamImpl } from './kgrouped-stream-impl.js';
import type { KGroupedStream } from './kgrouped-stream.js';
import type { Branched, BranchedKStream, KStream } from './kstream.js';
import { KTableImpl } from './ktable-impl.js';
import type { KTable } from './ktable.js';
import type { Grouped, Named, ProcessOptions, Produced, Repartitioned, TableOptions } from './options.js';
import { Options } from './option-keys.js';
import { addStoreProcessor, planStore } from './aggregate-builder.js';
import { requireFunction } from './validate.js';

/** @internal Type-erased implementation of `KStream`; generics live on the interface only. */
export class KStreamImpl implements KStream<any, any> {
  constructor(
    readonly builder: InternalStreamsBuilder,
    /** The node new operators attach to. */
    readonly nodeName: string,
    readonly keySerde: Serde<any> | undefined,
    readonly valueSerde: Serde<any> | undefined,
    /** True after a key-changing operator: groupings and joins repartition first. */
    readonly repartitionRequired: boolean,
  ) {}

  filter(predicate: (key: any, value: any) => boolean, options?: Named): KStream<any, any> {
    return this.stateless(
      'KSTREAM-FILTER-',
      options,
      kstreamFilter(requireFunction(predicate, 'filter', 'predicate'), false),
      false,
    );
  }

  filterNot(predicate: (key: any, value: any) => boolean, options?: Named): KStream<any, any> {
    return this.stateless(
      'KSTREAM-FILTER-',
      options,
      kstreamFilter(requireFunction(predicate, 'filterNot', 'predicate'), true),
      false,
    );
  }

  map(mapper: (key: any, value: any) => readonly [any, any], options?: Named): KStream<any, any> {
    return this.stateless(
      'KSTREAM-MAP-',
      options,
      kstreamMap(requireFunction(mapper, 'map', 'mapper')),
      true,
      true,
      true,
    );
  }

  mapValues(mapper: (value: any, key: any) => any, options?: Named): KStream<any, any> {
    return this.stateless(
      'KSTREAM-MAPVALUES-',
      options,
      kstreamMapValues(requireFunction(mapper, 'mapValues', 'mapper')),
      false,
      false,
      true,
    );
  }

  flatMap(
    mapper: (key: any, value: any) => Iterable<readonly [any, any]>,
    options?: Named,
  ): KStream<any, any> {
    return this.stateless(
      'KSTREAM-FLATMAP-',
      options,
      kstreamFlatMap(requireFunction(mapper, 'flatMap', 'mapper')),
      true,
      true,
      true,
    );
  }

  flatMapValues(mapper: (value: any, key: any) => Iterable<any>, options?: Named): KStream<any, any> {
    return this.stateless(
      'KSTREAM-FLATMAPVALUES-',
      options,
      kstreamFlatMapValues(requireFunction(mapper, 'flatMapValues', 'mapper')),
      false,
      false,
      true,
    );
  }

  selectKey(selector: (key: any, value: any) => any, options?: Named): KStream<any, any> {
    return this.stateless(
      'KSTREAM-KEY-SELECT-',
      options,
      kstreamSelectKey(requireFunction(selector, 'selectKey', 'selector')),
      true,
      true,
      false,
    );
  }

  peek(action: (key: any, value: any) => void, options?: Named): KStream<any, any> {
    return this.stateless(
      'KSTREAM-PEEK-',
      options,
      kstreamPeek(requireFunction(action, 'peek', 'action'), true),
      false,
    );
  }

  foreach(action: (key: any, value: any) => void, options?: Named): void {
    this.stateless(
      'KSTREAM-FOREACH-',
      options,
      kstreamPeek(requireFunction(action, 'foreach', 'action'), false),
      false,
    );
  }

  merge(other: KStream<any, any>, options?: Named): KStream<any, any> {
    if (!(other instanceof KStreamImpl) || other.builder !== this.builder) {
      throw new TopologyError('merge() needs a KStream from the same StreamsBuilder.');
    }
    const name = this.builder.nameOr(options?.name, 'KSTREAM-MERGE-');
    this.builder.checkOptions('merge()', name, options, Options.named);
    this.builder.add({
      kind: 'processor',
      name,
      parents: [this.nodeName, other.nodeName],
      supplier: kstreamPassThrough(),
      stores: [],
    });
    const sameKeySerde = this.keySerde === other.keySerde ? this.keySerde : undefined;
    const sameValueSerde = this.valueSerde === other.valueSerde ? this.valueSerde : undefined;
    return new KStreamImpl(
      this.builder,
      name,
      sameKeySerde,
      sameValueSerde,
      this.repartitionRequired || other.repartitionRequired,
    );
  }

  to(topic: string | TopicNameExtractor<any, any>, options?: Produced<any, any>): void {
    if (typeof topic !== 'string' && typeof topic !== 'function') {
      throw new TopologyError('to() needs a topic name or a function (key, value, ctx) => topic.');
    }
    const name = this.builder.nameOr(options?.name, 'KSTREAM-SINK-');
    this.builder.checkOptions('to()', name, options, Options.produced);
    this.builder.add({
      kind: 'sink',
      name,
      parent: this.nodeName,
      topic,
      keySerde: options?.key ?? this.keySerde,
      valueSerde: options?.value ?? this.valueSerde,
      partitioner: options?.partitioner,
    });
  }

  repartition(options?: Repartitioned<any, any>): KStream<any, any> {
    if (
      options?.numberOfPartitions !== undefined &&
      !(Number.isInteger(options.numberOfPartitions) && options.numberOfPartitions > 0)
    ) {
      throw new TopologyError(
        `repartition(): numberOfPartitions must be a positive integer, got ${options.numberOfPartitions}.`,
      );
    }
    const base = this.builder.nameOr(options?.name, 'KSTREAM-REPARTITION-');
    this.builder.checkOptions('repartition()', base, options, Options.repartitioned);
    return this.repartitionAs(
      base,
      options?.key,
      options?.value,
      'repartition',
      options?.numberOfPartitions,
      options?.partitioner,
    );
  }

  /** @internal Inserts null-key filter → sink → `<base>-repartition` → source; returns the stream read back. */
  repartitionAs(
    base: string,
    key: Serde<any> | undefined,
    value: Serde<any> | undefined,
    requestedBy: string,
    numberOfPartitions?: number,
    partitioner?: Repartitioned<any, any>['partitioner'],
  ): KStreamImpl {
    const keySerde = key ?? this.keySerde;
    const valueSerde = value ?? this.valueSerde;
    const sourceName = `${base}-repartition-source`;
    this.builder.add({
      kind: 'repartition',
      baseName: base,
      parent: this.nodeName,
      filterName: `${base}-repartition-filter`,
      sinkName: `${base}-repartition-sink`,
      sourceName,
      keySerde,
      valueSerde,
      numberOfPartitions,
      partitioner,
      changeValues: false,
      requestedBy,
    });
    return new KStreamImpl(this.builder, sourceName, keySerde, valueSerde, false);
  }

  toTable(options?: TableOptions<any, any>): KTable<any, any> {
    const plan = planStore(
      this.builder,
      'toTable()',
      'KSTREAM-TOTABLE-',
      options,
      Options.table,
      this.keySerde,
      this.valueSerde,
    );
    const { name, storeName, keySerde, valueSerde } = plan;
    const upstream = this.repartitionRequired
      ? this.repartitionAs(`${name}`, keySerde, valueSerde, name)
      : this;
    addStoreProcessor(this.builder, plan, upstream.nodeName, ktableSource(storeName));
    const named = options?.materialized?.storeName !== undefined;
    return new KTableImpl(this.builder, name, storeName, keySerde, valueSerde, undefined, undefined, named);
  }

  groupByKey(options?: Grouped<any, any>): KGroupedStream<any, any> {
    this.builder.checkOptions('groupByKey()', this.nodeName, options, Options.grouped);
    return new KGroupedStreamImpl(
      this,
      options?.key ?? this.keySerde,
      options?.value ?? this.valueSerde,
      options?.name,
      this.repartitionRequired,
    );
  }

  groupBy(selector: (key: any, value: any) => any, options?: Grouped<any, any>): KGroupedStream<any, any> {
    this.builder.checkOptions('groupBy()', this.nodeName, options, Options.grouped);
    const selected = this.selectKey(requireFunction(selector, 'groupBy', 'selector')) as KStreamImpl;
    return new KGroupedStreamImpl(
      selected,
      options?.key,
      options?.value ?? this.valueSerde,
      options?.name,
      true,
    );
  }

  split(options?: Named): BranchedKStream<any, any> {
    const splitName = this.builder.nameOr(options?.name, 'KSTREAM-BRANCH-');
    this.builder.checkOptions('split()', splitName, options, Options.named);
    return new BranchedKStreamImpl(this, splitName);
  }

  process(supplier: ProcessorSupplier<any, any, any, any>, options?: ProcessOptions): KStream<any, any> {
    const name = this.builder.nameOr(options?.name, 'KSTREAM-PROCESSOR-');
    this.builder.checkOptions('process()', name, options, Options.process);
    const factory = supplierToFactory(requireSupplier(supplier, 'process'));
    this.builder.add({
      kind: 'processor',
      name,
      parents: [this.nodeName],
      supplier: factory,
      stores: [...(options?.stores ?? [])],
    });
    return new KStreamImpl(this.builder, name, undefined, undefined, true);
  }

  processValues(
    supplier: ProcessorSupplier<any, any, any, any>,
    options?: ProcessOptions,
  ): KStream<any, any> {
    const name = this.builder.nameOr(options?.name, 'KSTREAM-PROCESSVALUES-');
    this.builder.checkOptions('processValues()', name, options, Options.process);
    const processor = kstreamProcessValues(requireSupplier(supplier, 'processValues'));
    this.builder.add({
      kind: 'processor',
      name,
      parents: [this.nodeName],
      supplier: processor,
      stores: [...(options?.stores ?? [])],
    });
    return new KStreamImpl(this.builder, name, this.keySerde, undefined, this.repartitionRequired);
  }

  join(other: any, a: any, b?: any, c?: any): KStream<any, any> {
    return joinStream(this, 'inner', other, a, b, c);
  }

  leftJoin(other: any, a: any, b?: any, c?: any): KStream<any, any> {
    return joinStream(this, 'left', other, a, b, c);
  }

  outerJoin(other: any, joiner: any, windows: any, options?: any): KStream<any, any> {
    return joinStream(this, 'outer', other, joiner, windows, options);
  }

  /** @internal Adds a one-parent stateless processor and returns the stream after it. */
  stateless(
    prefix: string,
    options: Named | undefined,
    supplier: () => any,
    keyChanges: boolean,
    dropKeySerde = false,
    dropValueSerde = false,
  ): KStreamImpl {
    const name = this.builder.nameOr(options?.name, prefix);
    this.builder.checkOptions('operator', name, options, Options.named);
    this.builder.add({ kind: 'processor', name, parents: [this.nodeName], supplier, stores: [] });
    return new KStreamImpl(
      this.builder,
      name,
      dropKeySerde ? undefined : this.keySerde,
      dropValueSerde ? undefined : this.valueSerde,
      this.repartitionRequired || keyChanges,
    );
  }
}

/**
 * As Kafka Streams' `BranchedKStreamImpl`: the splitter node is added by `split()`, each branch's
 * pass-through child (named split name + branch name, or + its position, 0 for the default) as the
 * branch is declared, and `chain` runs right away, so generated names follow declaration order.
 */
class BranchedKStreamImpl implements BranchedKStream<any, any> {
  private readonly spec: BranchSpec = { branches: [], defaultChild: undefined };
  private readonly result: Record<string, KStream<any, any>> = {};
  private finished = false;

  constructor(
    private readonly stream: KStreamImpl,
    private readonly splitName: string,
  ) {
    stream.builder.add({
      kind: 'processor',
      name: splitName,
      parents: [stream.nodeName],
      supplier: kstreamBranch(this.spec),
      stores: [],
    });
  }

  branch(
    predicate: (key: any, value: any) => boolean,
    options?: Branched<any, any>,
  ): BranchedKStream<any, any> {
    this.requireOpen();
    requireFunction(predicate, 'branch', 'predicate');
    const child = this.addBranch(options, this.spec.branches.length + 1);
    this.spec.branches.push({ predicate, child });
    return this;
  }

  defaultBranch(options?: Branched<any, any>): Record<string, KStream<any, any>> {
    this.requireOpen();
    this.spec.defaultChild = this.addBranch(options, 0);
    return this.finish();
  }

  noDefaultBranch(): Record<string, KStream<any, any>> {
    this.requireOpen();
    return this.finish();
  }

  private addBranch(options: Branched<any, any> | undefined, index: number): string {
    const { builder } = this.stream;
    builder.checkOptions('branch()', this.splitName, options, Options.branched);
    const child = this.splitName + (options?.name ?? String(index));
    if (options?.name !== undefined && (typeof options.name !== 'string' || options.name.length === 0)) {
      throw new TopologyError(`split() "${this.splitName}": branch names must be non-empty strings.`, {
        node: this.splitName,
      });
    }
    if (child in this.result || this.spec.branches.some((b) => b.child === child)) {
      throw new TopologyError(
        `split() "${this.splitName}": two branches are named "${child}"; branch names must be unique.`,
        {
          node: this.splitName,
        },
      );
    }
    // Kafka Streams burns one position per branch; keep generated names downstream identical.
    builder.newName('');
    builder.add({
      kind: 'processor',
      name: child,
      parents: [this.splitName],
      supplier: kstreamPassThrough(),
      stores: [],
    });
    const branchStream = new KStreamImpl(
      builder,
      child,
      this.stream.keySerde,
      this.stream.valueSerde,
      this.stream.repartitionRequired,
    );
    const chained = options?.chain === undefined ? branchStream : options.chain(branchStream);
    if (chained !== undefined) this.result[child] = chained;
    return child;
  }

  private finish(): Record<string, KStream<any, any>> {
    this.finished = true;
    return this.result;
  }

  private requireOpen(): void {
    if (this.finished)
      throw new TopologyError(
        `split() "${this.splitName}" is already finished with defaultBranch()/noDefaultBranch().`,
      );
  }
}

function requireSupplier(
  supplier: ProcessorSupplier<any, any, any, any>,
  op: string,
): ProcessorSupplier<any, any, any, any> {
  if (
    typeof supplier !== 'function' &&
    (typeof supplier !== 'object' || supplier === null || typeof supplier.get !== 'function')
  ) {
    throw new TopologyError(
      `${op}() needs a processor supplier: a function returning a Processor, or an object with get().`,
    );
  }
  return supplier;
}
