import { ConfigError } from '../errors.js';
import { jsonSerde } from '../serde/json-serde.js';
import type { Serde } from '../serde/serde.js';
import type { DslStoreType } from '../state/window/dsl-windowed-suppliers.js';
import type { StateStore, StoreBuilder } from '../state/store.js';
import { ONE_DAY_MS } from '../windowing/durations.js';
import type { InternalStreamsBuilder } from './internal-builder.js';
import type { WindowedMaterialized } from './time-windowed-kstream.js';

/** @internal A windowed store's retention by the inner store it gets (decided when a task builds it). */
export type WindowedRetention = (storeType: 'in-memory' | 'persistent') => number;

/**
 * @internal The store retention: the user's (checked), or Kafka Streams' default, the open span
 * (`size + grace`, sliding `2 × d + grace`, session `gap + grace`). In memory that expires windows
 * exactly as Kafka Streams' in-memory stores do (the test driver's records match theirs). The
 * persistent store expires exactly too, where RocksDB drops whole segments (at least a minute
 * later), so it keeps at least a day: an emit-on-close aggregation's closed windows must still be
 * there when their final result is emitted.
 */
export function windowedRetention(
  storeName: string,
  m: WindowedMaterialized<any, any> | undefined,
  openSpanMs: number,
): WindowedRetention {
  if (m?.retentionMs === undefined)
    return (storeType) => (storeType === 'persistent' ? Math.max(openSpanMs, ONE_DAY_MS) : openSpanMs);
  if (!Number.isSafeInteger(m.retentionMs) || m.retentionMs < openSpanMs) {
    throw new ConfigError(
      `materialized.retentionMs of windowed store "${storeName}" must be an integer of at least ${openSpanMs} ms (how long a window accepts records: size + grace), got ${String(m.retentionMs)}.`,
      { node: storeName },
    );
  }
  const retentionMs = m.retentionMs;
  return () => retentionMs;
}

/** @internal */
export function applyWindowedMaterialized(
  builder: StoreBuilder<StateStore>,
  m: WindowedMaterialized<any, any> | undefined,
): void {
  if (m?.logging === false) builder.withLoggingDisabled();
  else if (typeof m?.logging === 'object') builder.withLoggingEnabled(m.logging);
  if (m?.caching === false) builder.withCachingDisabled();
}

/**
 * @internal Adds the store node of a windowed (time, sliding or session) aggregation: its store is
 * built when the topology is compiled, in memory or persistent as `materialized.storeType` or the
 * runner's default says, with the materialized logging and caching options applied.
 */
export function addWindowedStoreNode(
  builder: InternalStreamsBuilder,
  storeName: string,
  serdes: { key: Serde<any> | undefined; value: Serde<any> | undefined },
  m: WindowedMaterialized<any, any> | undefined,
  storeBuilder: (storeType: DslStoreType, key: Serde<any>, value: Serde<any>) => StoreBuilder<StateStore>,
): void {
  builder.add({
    kind: 'store',
    name: storeName,
    keySerde: serdes.key,
    valueSerde: serdes.value,
    materialized: undefined,
    builder: undefined,
    builderFor: (defaultDslStore) => {
      const built = storeBuilder(
        () => m?.storeType ?? defaultDslStore(),
        serdes.key ?? (jsonSerde as Serde<any>),
        serdes.value ?? (jsonSerde as Serde<any>),
      );
      applyWindowedMaterialized(built, m);
      return built;
    },
  });
}
