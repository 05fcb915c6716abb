import { TopologyError } from '../errors.js';
import { kstreamGlobalKTableJoin } from '../topology/processors/kstream-global-ktable-join.js';
import { kstreamTableLookupJoin } from '../topology/processors/kstream-ktable-join.js';
import { tableView } from './join-materialize.js';
import type { Joined } from './join-options.js';
import { KStreamImpl } from './kstream-impl.js';
import type { KTableImpl } from './ktable-impl.js';
import type { Named } from './options.js';
import type { GlobalKTable } from './streams-builder.js';
import { requireFunction } from './validate.js';
import { Options } from './option-keys.js';

type Joiner = (value: any, otherValue: any, key: any) => any;

/**
 * @internal `stream.join(table)` / `leftJoin(table)`: the stream looks each record's key up in the
 * table's store. Stream and table must be co-partitioned, so a stream whose key changed upstream
 * is repartitioned first (topic `<name>-repartition`, `name` defaulting to the stream's node).
 */
export function streamTableJoin(
  stream: KStreamImpl,
  table: KTableImpl,
  joiner: Joiner,
  options: Joined<any, any> | undefined,
  leftJoin: boolean,
): KStreamImpl {
  const op = leftJoin ? 'leftJoin' : 'join';
  requireFunction(joiner, op, 'joiner');
  const { builder } = stream;
  if (table.builder !== builder)
    throw new TopologyError(`${op}() needs a KTable from the same StreamsBuilder.`);
  const name = builder.nameOr(options?.name, leftJoin ? 'KSTREAM-LEFTJOIN-' : 'KSTREAM-JOIN-');
  builder.checkOptions(`${op}()`, name, options, Options.joined);
  const upstream = stream.repartitionRequired
    ? stream.repartitionAs(options?.name ?? stream.nodeName, options?.key, options?.value, name)
    : stream;
  const { storeName } = tableView(table);
  builder.add({
    kind: 'processor',
    name,
    parents: [upstream.nodeName],
    supplier: kstreamTableLookupJoin(storeName, undefined, joiner, leftJoin),
    stores: [storeName],
  });
  return new KStreamImpl(builder, name, upstream.keySerde, undefined, false);
}

/**
 * @internal `stream.join(globalTable, keySelector, joiner)`: every instance holds the whole global
 * table, so the stream is joined where it is, without repartitioning.
 */
export function streamGlobalTableJoin(
  stream: KStreamImpl,
  globalTable: GlobalKTable<any, any>,
  keySelector: (key: any, value: any) => any,
  joiner: Joiner,
  options: Named | undefined,
  leftJoin: boolean,
): KStreamImpl {
  const op = leftJoin ? 'leftJoin' : 'join';
  requireFunction(keySelector, op, 'keySelector');
  requireFunction(joiner, op, 'joiner');
  const { builder } = stream;
  const storeName = globalTable.queryableStoreName;
  if (!builder.hasStore(storeName))
    throw new TopologyError(`${op}() needs a GlobalKTable from the same StreamsBuilder.`);
  const name = builder.nameOr(options?.name, leftJoin ? 'KSTREAM-LEFTJOIN-' : 'KSTREAM-JOIN-');
  builder.checkOptions(`${op}()`, name, options, Options.named);
  builder.add({
    kind: 'processor',
    name,
    parents: [stream.nodeName],
    supplier: kstreamGlobalKTableJoin(storeName, keySelector, joiner, leftJoin),
    stores: [],
  });
  return new KStreamImpl(builder, name, stream.keySerde, undefined, stream.repartitionRequired);
}
