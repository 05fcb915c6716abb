import { ktableMaterialize } from '../topology/processors/ktable-materialize.js';
import type { KTableImpl } from './ktable-impl.js';

/** A table as a join reads it: the node its updates come from and the store holding its rows. */
export interface TableView {
  readonly nodeName: string;
  readonly storeName: string;
}

const materializedViews = new WeakMap<KTableImpl, TableView>();

/**
 * @internal The store a join looks the table's rows up in. A table without a store of its own (an
 * unmaterialized `filter` or `mapValues`) is materialized once, by a node after it that writes
 * each update into a new store before passing it on; joins then hang off that node. This stands
 * in for Kafka Streams' value getters, which recompute such rows from the parent's store.
 */
export function tableView(table: KTableImpl): TableView {
  if (table.queryableStoreName !== undefined)
    return { nodeName: table.nodeName, storeName: table.queryableStoreName };
  const known = materializedViews.get(table);
  if (known !== undefined) return known;
  const { builder } = table;
  const nodeName = builder.newName('KTABLE-MATERIALIZE-');
  const storeName = `${nodeName}-store`;
  builder.add({
    kind: 'store',
    name: storeName,
    keySerde: table.keySerde,
    valueSerde: table.valueSerde,
    materialized: undefined,
    builder: undefined,
  });
  builder.add({
    kind: 'processor',
    name: nodeName,
    parents: [table.nodeName],
    supplier: ktableMaterialize(storeName),
    stores: [storeName],
  });
  const view = { nodeName, storeName };
  materializedViews.set(table, view);
  return view;
}
