import { TopologyError } from '../errors.js';
import {
  ktableKTableJoinMerger,
  ktableKTableJoinSide,
  type JoinSideRequirement,
} from '../topology/processors/ktable-ktable-join.js';
import { tableView } from './join-materialize.js';
import { KTableImpl } from './ktable-impl.js';
import type { TableOptions } from './options.js';
import { requireFunction } from './validate.js';
import { Options } from './option-keys.js';

/** @internal */
export type TableJoinMode = 'inner' | 'left' | 'outer';

const SIDES: Record<
  TableJoinMode,
  { this: JoinSideRequirement; other: JoinSideRequirement; prefix: string }
> = {
  inner: {
    this: { thisRequired: true, otherRequired: true },
    other: { thisRequired: true, otherRequired: true },
    prefix: 'KTABLE-JOIN',
  },
  left: {
    this: { thisRequired: true, otherRequired: false },
    other: { thisRequired: false, otherRequired: true },
    prefix: 'KTABLE-LEFTJOIN',
  },
  outer: {
    this: { thisRequired: false, otherRequired: false },
    other: { thisRequired: false, otherRequired: false },
    prefix: 'KTABLE-OUTERJOIN',
  },
};

/**
 * @internal `table.join(other)` / `leftJoin` / `outerJoin` on the primary key: one processor per
 * side joins that side's updates with the other side's store; a merge node combines them and, when
 * `materialized` is given, stores the result.
 */
export function tableTableJoin(
  left: KTableImpl,
  right: KTableImpl,
  joiner: (value: any, otherValue: any, key: any) => any,
  options: TableOptions<any, any> | undefined,
  mode: TableJoinMode,
): KTableImpl {
  const op = mode === 'inner' ? 'join' : `${mode}Join`;
  requireFunction(joiner, op, 'joiner');
  const { builder } = left;
  if (!(right instanceof KTableImpl) || right.builder !== builder)
    throw new TopologyError(`${op}() needs a KTable from the same StreamsBuilder.`);
  builder.checkOptions(`${op}()`, options?.name, options, Options.table);
  const { prefix, this: thisSide, other: otherSide } = SIDES[mode];
  const thisName =
    options?.name === undefined ? builder.newName(`${prefix}THIS-`) : `${options.name}-join-this`;
  const otherName =
    options?.name === undefined ? builder.newName(`${prefix}OTHER-`) : `${options.name}-join-other`;
  const mergeName = builder.nameOr(options?.name, 'KTABLE-MERGE-');
  // As in Kafka Streams: a side whose rows survive unmatched needs old values to retract results.
  if (mode !== 'inner') left.enableSendingOldValues();
  if (mode === 'outer') right.enableSendingOldValues();
  const l = tableView(left);
  const r = tableView(right);
  const m = options?.materialized;
  const storeName =
    m === undefined
      ? undefined
      : (m.storeName ?? options?.name ?? builder.newName('KTABLE-MERGE-STATE-STORE-'));
  builder.add({
    kind: 'processor',
    name: thisName,
    parents: [l.nodeName],
    supplier: ktableKTableJoinSide(r.storeName, joiner, thisSide),
    stores: [r.storeName],
  });
  builder.add({
    kind: 'processor',
    name: otherName,
    parents: [r.nodeName],
    supplier: ktableKTableJoinSide(
      l.storeName,
      (rightValue, leftValue, key) => joiner(leftValue, rightValue, key),
      otherSide,
    ),
    stores: [l.storeName],
  });
  if (storeName !== undefined) {
    builder.add({
      kind: 'store',
      name: storeName,
      keySerde: m?.key ?? left.keySerde,
      valueSerde: m?.value,
      materialized: m,
      builder: undefined,
    });
  }
  builder.add({
    kind: 'processor',
    name: mergeName,
    parents: [thisName, otherName],
    supplier: ktableKTableJoinMerger(storeName),
    stores: storeName === undefined ? [] : [storeName],
  });
  return new KTableImpl(builder, mergeName, storeName, m?.key ?? left.keySerde, m?.value);
}
