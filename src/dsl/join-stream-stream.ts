import { TopologyError } from '../errors.js';
import { jsonSerde } from '../serde/json-serde.js';
import type { Serde } from '../serde/serde.js';
import { deferredWindowStoreSupplier } from '../state/window/dsl-windowed-suppliers.js';
import { Stores } from '../state/stores.js';
import type { StateStore, StoreBuilder } from '../state/store.js';
import { kstreamJoinWindow } from '../topology/processors/kstream-join-window.js';
import { JoinTimeTrackers, kstreamKStreamJoin } from '../topology/processors/kstream-kstream-join.js';
import {
  outerJoinKeySerde,
  outerJoinValuesSerde,
} from '../topology/processors/kstream-kstream-outer-store.js';
import { kstreamPassThrough } from '../topology/processors/kstream-passthrough.js';
import { JoinWindows } from '../windowing/join-windows.js';
import type { StreamJoined } from './join-options.js';
import { KStreamImpl } from './kstream-impl.js';
import { requireFunction } from './validate.js';
import { Options } from './option-keys.js';

/** @internal */
export type StreamJoinMode = 'inner' | 'left' | 'outer';

/**
 * @internal `stream.join(other, joiner, windows)` / `leftJoin` / `outerJoin`:
 *
 * ```
 * this  ─▶ this-windowed  (put into this store)  ─▶ this-join  (fetch other store) ─┐
 * other ─▶ other-windowed (put into other store) ─▶ other-join (fetch this store)  ─┴▶ merge
 * ```
 *
 * Both stores are window stores retaining duplicates, sized `before + after` and kept for
 * `before + after + grace`. Left and outer joins add a shared store of unmatched records, emitted
 * with `null` once their window closes. A side whose key changed upstream is repartitioned first.
 */
export function streamStreamJoin(
  left: KStreamImpl,
  right: KStreamImpl,
  joiner: (value: any, otherValue: any, key: any) => any,
  windows: JoinWindows,
  options: StreamJoined<any, any, any> | undefined,
  mode: StreamJoinMode,
): KStreamImpl {
  const op = mode === 'inner' ? 'join' : `${mode}Join`;
  requireFunction(joiner, op, 'joiner');
  if (!(windows instanceof JoinWindows)) {
    throw new TopologyError(
      `${op}() of two streams needs JoinWindows, e.g. JoinWindows.ofTimeDifferenceWithNoGrace(60_000).`,
    );
  }
  const { builder } = left;
  if (!(right instanceof KStreamImpl) || right.builder !== builder)
    throw new TopologyError(`${op}() needs a KStream from the same StreamsBuilder.`);
  builder.checkOptions(`${op}()`, options?.name, options, Options.streamJoined);
  const leftOuter = mode !== 'inner';
  const rightOuter = mode === 'outer';
  const name = options?.name;
  const names = {
    thisWindowed: name === undefined ? builder.newName('KSTREAM-WINDOWED-') : `${name}-this-windowed`,
    otherWindowed: name === undefined ? builder.newName('KSTREAM-WINDOWED-') : `${name}-other-windowed`,
    thisJoin:
      name === undefined
        ? builder.newName(rightOuter ? 'KSTREAM-OUTERTHIS-' : 'KSTREAM-JOINTHIS-')
        : `${name}-${rightOuter ? 'outer-' : ''}this-join`,
    otherJoin:
      name === undefined
        ? builder.newName(leftOuter ? 'KSTREAM-OUTEROTHER-' : 'KSTREAM-JOINOTHER-')
        : `${name}-${leftOuter ? 'outer-' : ''}other-join`,
    merge: name === undefined ? builder.newName('KSTREAM-MERGE-') : `${name}-merge`,
  };
  const storeBase = options?.stores?.name ?? name;
  const stores = {
    this: storeBase === undefined ? `${names.thisJoin}-store` : `${storeBase}-this-join-store`,
    other: storeBase === undefined ? `${names.otherJoin}-store` : `${storeBase}-other-join-store`,
    outer:
      storeBase === undefined
        ? `${names.thisJoin}-outer-shared-join-store`
        : `${storeBase}-outer-shared-join-store`,
  };

  const leftUp = left.repartitionRequired
    ? left.repartitionAs(
        name === undefined ? left.nodeName : `${name}-left`,
        options?.key,
        options?.value,
        op,
      )
    : left;
  const rightUp = right.repartitionRequired
    ? right.repartitionAs(
        name === undefined ? right.nodeName : `${name}-right`,
        options?.key,
        options?.otherValue,
        op,
      )
    : right;
  const keySerde: Serde<any> = options?.key ?? leftUp.keySerde ?? rightUp.keySerde ?? jsonSerde;
  const leftSerde: Serde<any> = options?.value ?? leftUp.valueSerde ?? jsonSerde;
  const rightSerde: Serde<any> = options?.otherValue ?? rightUp.valueSerde ?? jsonSerde;
  const logging = options?.stores?.logging;

  addWindowStore(left, stores.this, windows, keySerde, leftSerde, logging);
  addWindowStore(left, stores.other, windows, keySerde, rightSerde, logging);
  builder.add({
    kind: 'processor',
    name: names.thisWindowed,
    parents: [leftUp.nodeName],
    supplier: kstreamJoinWindow(stores.this),
    stores: [stores.this],
  });
  builder.add({
    kind: 'processor',
    name: names.otherWindowed,
    parents: [rightUp.nodeName],
    supplier: kstreamJoinWindow(stores.other),
    stores: [stores.other],
  });
  const outerStoreName = leftOuter ? stores.outer : undefined;
  if (outerStoreName !== undefined) {
    builder.add({
      kind: 'store',
      name: outerStoreName,
      keySerde: outerJoinKeySerde(keySerde),
      valueSerde: outerJoinValuesSerde(leftSerde, rightSerde),
      materialized: logging === undefined ? { caching: false } : { caching: false, logging },
      builder: undefined,
    });
  }
  const trackers = new JoinTimeTrackers();
  const common = {
    outerStoreName,
    beforeMs: windows.beforeMs,
    afterMs: windows.afterMs,
    graceMs: windows.graceMs,
    joiner,
    trackers,
  };
  const sharedStores = outerStoreName === undefined ? [] : [outerStoreName];
  builder.add({
    kind: 'processor',
    name: names.thisJoin,
    parents: [names.thisWindowed],
    supplier: kstreamKStreamJoin({
      ...common,
      leftSide: true,
      otherStoreName: stores.other,
      outer: leftOuter,
    }),
    stores: [stores.other, ...sharedStores],
  });
  builder.add({
    kind: 'processor',
    name: names.otherJoin,
    parents: [names.otherWindowed],
    supplier: kstreamKStreamJoin({
      ...common,
      leftSide: false,
      otherStoreName: stores.this,
      outer: rightOuter,
    }),
    stores: [stores.this, ...sharedStores],
  });
  builder.add({
    kind: 'processor',
    name: names.merge,
    parents: [names.thisJoin, names.otherJoin],
    supplier: kstreamPassThrough(),
    stores: [],
  });
  return new KStreamImpl(builder, names.merge, options?.key ?? leftUp.keySerde, undefined, false);
}

function addWindowStore(
  stream: KStreamImpl,
  name: string,
  windows: JoinWindows,
  keySerde: Serde<any>,
  valueSerde: Serde<any>,
  logging: boolean | Record<string, string> | undefined,
): void {
  const sizeMs = windows.beforeMs + windows.afterMs;
  // Like every DSL store, persistent in a running app and in-memory in the test driver.
  const builderFor = (defaultDslStore: () => 'in-memory' | 'persistent'): StoreBuilder<StateStore> => {
    const supplier = deferredWindowStoreSupplier(
      name,
      sizeMs + windows.graceMs,
      sizeMs,
      true,
      defaultDslStore,
    );
    const builder = Stores.windowStoreBuilder(
      supplier,
      keySerde,
      valueSerde,
    ) as unknown as StoreBuilder<StateStore>;
    if (logging === false) builder.withLoggingDisabled();
    else if (typeof logging === 'object') builder.withLoggingEnabled(logging);
    return builder;
  };
  stream.builder.add({
    kind: 'store',
    name,
    keySerde,
    valueSerde,
    materialized: undefined,
    builder: undefined,
    builderFor,
  });
}
