import { TopologyError } from '../errors.js';
import { jsonSerde } from '../serde/json-serde.js';
import type { Serde } from '../serde/serde.js';
import { kstreamPassThrough } from '../topology/processors/kstream-passthrough.js';
import { ktableFkJoinForeignTable } from '../topology/processors/ktable-fk-join-foreign-table.js';
import { ktableFkJoinResponse } from '../topology/processors/ktable-fk-join-response.js';
import { ktableFkJoinSubscriptionReceive } from '../topology/processors/ktable-fk-join-subscription-receive.js';
import { ktableFkJoinSubscriptionSend } from '../topology/processors/ktable-fk-join-subscription-send.js';
import {
  combinedKeySerde,
  foreignKeyPrefixSerde,
  subscriptionResponseSerde,
  subscriptionWrapperSerde,
  type SubscriptionResponse,
} from '../topology/processors/ktable-fk-join-wrappers.js';
import { ktableSource } from '../topology/processors/ktable-source.js';
import { tableView } from './join-materialize.js';
import { KTableImpl } from './ktable-impl.js';
import type { TableOptions } from './options.js';
import { requireFunction } from './validate.js';
import { Options } from './option-keys.js';

/**
 * @internal `table.join(other, foreignKeyExtractor, joiner)` / `leftJoin`: joins each left row with
 * the right row whose key `foreignKeyExtractor(leftValue)` names, with no co-partitioning:
 *
 * ```
 * left table ─▶ send ─▶ <name>-subscription-registration-topic (by foreign key) ─▶ receive ─┐
 *                                      right table ─▶ notify subscribers (prefix scan) ──────┤
 * result ◀─ output store ◀─ response join ◀─ <name>-subscription-response-topic (by primary key) ◀┘
 * ```
 *
 * The right side keeps a subscription store keyed by `(foreignKey, primaryKey)`, so a right row
 * change reaches exactly the left rows pointing at it. The result is always materialized (its
 * old values are needed downstream); the store is named by `materialized.storeName`.
 */
export function foreignKeyJoin(
  left: KTableImpl,
  right: KTableImpl,
  foreignKeyExtractor: (value: any, key: any) => any,
  joiner: (value: any, otherValue: any, key: any) => any,
  options: TableOptions<any, any> | undefined,
  leftJoin: boolean,
): KTableImpl {
  const op = leftJoin ? 'leftJoin' : 'join';
  requireFunction(foreignKeyExtractor, op, 'foreignKeyExtractor');
  requireFunction(joiner, op, 'joiner');
  const { builder } = left;
  if (!(right instanceof KTableImpl) || right.builder !== builder)
    throw new TopologyError(`${op}() needs a KTable from the same StreamsBuilder.`);
  builder.checkOptions(`${op}()`, options?.name, options, Options.table);
  const primaryKeySerde = requireSerde(left.keySerde, op, 'key serde of this table (the primary key)');
  const foreignKeySerde = requireSerde(right.keySerde, op, 'key serde of the other table (the foreign key)');
  const foreignValueSerde = requireSerde(right.valueSerde, op, 'value serde of the other table');
  // Only hashed, never sent: any deterministic serialization detects a changed left value.
  const leftValueSerde: Serde<any> = left.valueSerde ?? jsonSerde;

  const base = options?.name ?? builder.newName('KTABLE-FK-JOIN-');
  const names = {
    send: `${base}-subscription-registration-send`,
    registrationTopic: `${base}-subscription-registration-topic`,
    registrationFilter: `${base}-subscription-registration-filter`,
    registrationSink: `${base}-subscription-registration-sink`,
    registrationSource: `${base}-subscription-registration-source`,
    receive: `${base}-subscription-receive`,
    foreignTable: `${base}-subscription-join-foreign`,
    responses: `${base}-subscription-response-merge`,
    responseTopic: `${base}-subscription-response-topic`,
    responseFilter: `${base}-subscription-response-filter`,
    responseSink: `${base}-subscription-response-sink`,
    responseSource: `${base}-subscription-response-source`,
    responseJoin: `${base}-subscription-response-resolver`,
    output: options?.name === undefined ? builder.newName('KTABLE-FK-JOIN-OUTPUT-') : `${base}-result`,
    subscriptionStore: `${base}-subscription-store`,
    outputStore: options?.materialized?.storeName ?? `${base}-result-store`,
  };
  // Old values tell the send side which foreign key a row leaves, and spare the right side no-op scans.
  left.enableSendingOldValues();
  right.enableSendingOldValues();
  const l = tableView(left);
  const r = tableView(right);

  builder.add({
    kind: 'processor',
    name: names.send,
    parents: [l.nodeName],
    supplier: ktableFkJoinSubscriptionSend(foreignKeyExtractor, foreignKeySerde, leftValueSerde, leftJoin),
    stores: [],
  });
  builder.add({
    kind: 'repartition',
    baseName: base,
    topicName: names.registrationTopic,
    parent: names.send,
    filterName: names.registrationFilter,
    sinkName: names.registrationSink,
    sourceName: names.registrationSource,
    keySerde: foreignKeySerde,
    valueSerde: subscriptionWrapperSerde(primaryKeySerde),
    numberOfPartitions: undefined,
    partitioner: undefined,
    changeValues: false,
    // A left join's row without a foreign key still needs its (null) answer.
    keepNullKeys: true,
    requestedBy: names.output,
  });
  builder.add({
    kind: 'store',
    name: names.subscriptionStore,
    keySerde: combinedKeySerde(foreignKeySerde, primaryKeySerde),
    valueSerde: subscriptionWrapperSerde(primaryKeySerde),
    materialized: undefined,
    builder: undefined,
  });
  builder.add({
    kind: 'processor',
    name: names.receive,
    parents: [names.registrationSource],
    supplier: ktableFkJoinSubscriptionReceive(names.subscriptionStore, r.storeName),
    stores: [names.subscriptionStore, r.storeName],
  });
  builder.add({
    kind: 'processor',
    name: names.foreignTable,
    parents: [r.nodeName],
    supplier: ktableFkJoinForeignTable(names.subscriptionStore, foreignKeyPrefixSerde(foreignKeySerde)),
    stores: [names.subscriptionStore],
  });
  builder.add({
    kind: 'processor',
    name: names.responses,
    parents: [names.receive, names.foreignTable],
    supplier: kstreamPassThrough(),
    stores: [],
  });
  builder.add({
    kind: 'repartition',
    baseName: base,
    topicName: names.responseTopic,
    parent: names.responses,
    filterName: names.responseFilter,
    sinkName: names.responseSink,
    sourceName: names.responseSource,
    keySerde: primaryKeySerde,
    valueSerde: subscriptionResponseSerde(foreignValueSerde),
    numberOfPartitions: undefined,
    // Responses go back to the partition the left row lives in, whatever partitioner placed it there.
    partitioner: (_topic: string, _key: unknown, response: SubscriptionResponse<unknown>) =>
      response.primaryPartition,
    changeValues: false,
    requestedBy: names.output,
  });
  builder.add({
    kind: 'processor',
    name: names.responseJoin,
    parents: [names.responseSource],
    supplier: ktableFkJoinResponse(l.storeName, leftValueSerde, joiner, leftJoin),
    stores: [l.storeName],
  });
  const m = options?.materialized;
  builder.add({
    kind: 'store',
    name: names.outputStore,
    keySerde: m?.key ?? primaryKeySerde,
    valueSerde: m?.value,
    materialized: m,
    builder: undefined,
  });
  builder.add({
    kind: 'processor',
    name: names.output,
    parents: [names.responseJoin],
    supplier: ktableSource(names.outputStore),
    stores: [names.outputStore],
  });
  const named = m?.storeName !== undefined;
  return new KTableImpl(
    builder,
    names.output,
    names.outputStore,
    m?.key ?? primaryKeySerde,
    m?.value,
    undefined,
    undefined,
    named,
  );
}

function requireSerde<T>(serde: Serde<T> | undefined, op: string, what: string): Serde<T> {
  if (serde === undefined) {
    throw new TopologyError(
      `Foreign-key ${op}() sends keys and values through internal topics, but the ${what} is unknown: pass serdes to builder.table(…, { key, value }) or to the table operator's materialized.`,
    );
  }
  return serde;
}
