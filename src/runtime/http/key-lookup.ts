import { InvalidStateStoreError } from '../../errors.js';
import type { Serde } from '../../serde/serde.js';
import type { Topology } from '../../topology/topology.js';
import type { StoreAccessor } from '../queryable-stores.js';
import { parseHostInfo, type KeyQueryMetadata } from '../streams-metadata.js';
import type { KeyLookup } from './server.js';

/** @internal What `GET /api/stores/:store/:key` reads from the app. */
export interface KeyLookupApp {
  readonly topology: Topology;
  readonly defaultKeySerde: Serde<unknown> | undefined;
  readonly applicationServer: string | undefined;
  readonly store: StoreAccessor;
  queryMetadataForKey(store: string, key: unknown): KeyQueryMetadata;
}

/** Key serdes whose keys can be written in a URL, by serde name. */
const URL_KEYS: Record<string, (raw: string) => unknown> = {
  String: (raw) => raw,
  Int32: (raw) => toNumber(raw, true),
  Long: (raw) => toNumber(raw, true),
  Float64: (raw) => toNumber(raw, false),
  Int64: (raw) => {
    if (!/^-?\d+$/.test(raw)) throw new TypeError(`"${raw}" is not an integer`);
    return BigInt(raw);
  },
  JSON: (raw) => JSON.parse(raw) as unknown,
};

function toNumber(raw: string, integer: boolean): number {
  const n = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)))
    throw new TypeError(`"${raw}" is not ${integer ? 'an integer' : 'a number'}`);
  return n;
}

/**
 * @internal `GET /api/stores/:store/:key` of a key-value store: 200 with the value when this
 * instance owns the key, 421 (Misdirected Request) with the owner's `activeHost` when another
 * instance does, 404 for an unknown store or a key without value, 400 for a key the store's key
 * serde cannot take from a URL, 503 (retriable) while the store cannot be read.
 */
export function lookupKey(app: KeyLookupApp, store: string, rawKey: string): KeyLookup {
  const entry = app.topology.stores.get(store);
  if (entry === undefined) {
    const known = [...app.topology.stores.keys()].sort();
    return { status: 404, body: { error: `No state store named "${store}".`, knownStores: known } };
  }
  const serde = (entry.builder as { keySerde?: Serde<unknown> }).keySerde ?? app.defaultKeySerde;
  const parse = serde === undefined ? undefined : URL_KEYS[serde.name];
  if (parse === undefined)
    return {
      status: 400,
      body: {
        error: `Keys of state store "${store}" use the ${serde?.name ?? 'unknown'} serde; URLs can carry keys of the ${Object.keys(URL_KEYS).join(', ')} serdes. Query it with app.store() instead.`,
      },
    };
  let key: unknown;
  try {
    key = parse(rawKey);
  } catch (error) {
    return {
      status: 400,
      body: {
        error: `Key ${JSON.stringify(rawKey)} of state store "${store}" (${serde!.name} serde): ${(error as Error).message}.`,
      },
    };
  }
  try {
    if (app.applicationServer !== undefined) {
      const meta = app.queryMetadataForKey(store, key);
      const self = parseHostInfo(app.applicationServer);
      if (!entry.global && (meta.activeHost.host !== self.host || meta.activeHost.port !== self.port))
        return {
          status: 421,
          body: {
            error: `Key ${JSON.stringify(rawKey)} of state store "${store}" lives on another instance.`,
            activeHost: meta.activeHost,
            standbyHosts: meta.standbyHosts,
            partition: meta.partition,
          },
        };
    }
    const view = app.store(store);
    if (view.kind !== 'keyValue')
      return {
        status: 400,
        body: {
          error: `State store "${store}" is a ${view.kind} store; this endpoint reads key-value stores.`,
        },
      };
    const value = view.get(key);
    if (value === undefined)
      return {
        status: 404,
        body: { error: `No value for key ${JSON.stringify(rawKey)} in state store "${store}".` },
      };
    return { status: 200, body: { store, key: rawKey, value: jsonSafe(value) } };
  } catch (error) {
    if (error instanceof InvalidStateStoreError)
      return { status: 503, body: { error: error.message, retriable: true } };
    throw error;
  }
}

/** JSON cannot hold a bigint: it becomes its decimal string. */
function jsonSafe(value: unknown): unknown {
  return typeof value === 'bigint'
    ? value.toString()
    : JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
}
