import { StateStoreError } from '../errors.js';
import type { Serde } from '../serde/serde.js';
import { LookaheadIterator } from '../state/internal/key-value-iterators.js';
import { KeyValueStoreBuilder } from '../state/key-value-store-builder.js';
import { MeteredKeyValueStore } from '../state/metered-key-value-store.js';
import { SessionStoreBuilder } from '../state/session/session-store-builder.js';
import { MeteredSessionStore } from '../state/session/metered-session-store.js';
import type { KeyValue, KeyValueIterator, KeyValueStore, StateStore } from '../state/store.js';
import type { SessionStore } from '../state/session/session-store.js';
import { MeteredWindowStore } from '../state/window/metered-window-store.js';
import { plainWindowStoreView } from '../state/window/plain-window-store-view.js';
import { WindowStoreBuilder } from '../state/window/window-store-builder.js';
import type { Topology } from '../topology/topology.js';
import type { WindowStore } from '../state/window/window-store.js';
import type { Windowed } from '../windowing/windowed.js';

/**
 * A key-value store as an interactive query reads it: across every task of this instance that
 * holds it. Timestamped (DSL) stores show their plain values. Ranges are inclusive and ordered by
 * key bytes within each task's store; the stores of several tasks follow one another.
 *
 * @example
 * ```ts
 * const counts = app.store<string, number>('counts', { type: 'keyValue' });
 * counts.get('hello');
 * for (const { key, value } of counts.range('a', 'm')) console.log(key, value);
 * ```
 */
export type ReadOnlyKeyValueStore<K, V> = Pick<
  KeyValueStore<K, V>,
  'name' | 'get' | 'range' | 'reverseRange' | 'all' | 'reverseAll' | 'prefixScan' | 'approximateNumEntries'
>;

/**
 * A window store as an interactive query reads it, across this instance's tasks.
 *
 * @example
 * ```ts
 * const perMinute = app.store<string, number>('clicks-per-minute', { type: 'window' });
 * for (const { key: windowStart, value } of perMinute.fetch('alice', 0, Date.now())) console.log(windowStart, value);
 * ```
 */
export type ReadOnlyWindowStore<K, V> = Pick<
  WindowStore<K, V>,
  'name' | 'fetch' | 'backwardFetch' | 'fetchRange' | 'fetchAll' | 'all'
>;

/**
 * A session store as an interactive query reads it, across this instance's tasks.
 *
 * @example
 * ```ts
 * const sessions = app.store<string, number>('clicks-per-session', { type: 'session' });
 * for (const { key, value } of sessions.fetch('alice')) console.log(key.window, value);
 * ```
 */
export type ReadOnlySessionStore<K, V> = Pick<
  SessionStore<K, V>,
  'name' | 'fetch' | 'fetchRange' | 'fetchSession'
>;

/** What kind of store a name refers to. */
export type QueryableStoreType = 'keyValue' | 'window' | 'session';

/**
 * What `app.store(name)` returns without a `type`: the union of the three read-only views, with
 * `kind` saying which one applies. A method of another kind throws naming the store's kind.
 *
 * @example
 * ```ts
 * const store = app.store<string, number>('counts');
 * if (store.kind === 'keyValue') store.get('hello');
 * ```
 */
export interface QueryableStore<K, V>
  extends
    Omit<ReadOnlyKeyValueStore<K, V>, 'name'>,
    Omit<ReadOnlyWindowStore<K, V>, 'name' | 'fetch' | 'all' | 'fetchRange'>,
    Omit<ReadOnlySessionStore<K, V>, 'name' | 'fetch' | 'fetchRange'> {
  readonly name: string;
  readonly kind: QueryableStoreType;
  /** Session stores: every session of `key`. */
  fetch(key: K): KeyValueIterator<Windowed<K>, V>;
  /** Window stores: one window's value. */
  fetch(key: K, windowStart: number): V | undefined;
  /** Window stores: `key`'s windows starting in the time range. */
  fetch(key: K, timeFrom: number, timeTo: number): KeyValueIterator<number, V>;
}

/**
 * Options of `app.store(name, options)`.
 *
 * @example
 * ```ts
 * app.store('counts', { includeStandbys: true, type: 'keyValue' });
 * ```
 */
export interface StoreQueryOptions {
  /** Also read standby replicas (possibly stale) and active tasks still restoring. Default false. */
  includeStandbys?: boolean;
  /** Checks the store's kind and narrows the returned view's type. */
  type?: QueryableStoreType;
}

/**
 * `app.store(name, options?)`: a read-only view of a state store across this instance's tasks
 * (interactive queries). Values are deserialized with the store's serdes; DSL stores show plain
 * values. Each call on the view reads the tasks this instance has at that moment, so a view
 * outlives rebalances; while the store is restoring or migrating (or the instance is not running)
 * calls throw `InvalidStateStoreError` (`retriable: true`). An unknown name throws at once, naming
 * the known stores. Keys held by other instances are found with `app.queryMetadataForKey`.
 *
 * @example
 * ```ts
 * const counts = app.store<string, number>('counts', { type: 'keyValue' });
 * counts.get('hello'); // 3
 * for (const { key, value } of counts.all()) console.log(key, value);
 * app.store<string, number>('counts', { includeStandbys: true }).get('hello'); // may be stale
 * ```
 */
export interface StoreAccessor {
  <K = unknown, V = unknown>(
    name: string,
    options: StoreQueryOptions & { type: 'keyValue' },
  ): ReadOnlyKeyValueStore<K, V>;
  <K = unknown, V = unknown>(
    name: string,
    options: StoreQueryOptions & { type: 'window' },
  ): ReadOnlyWindowStore<K, V>;
  <K = unknown, V = unknown>(
    name: string,
    options: StoreQueryOptions & { type: 'session' },
  ): ReadOnlySessionStore<K, V>;
  <K = unknown, V = unknown>(name: string, options?: StoreQueryOptions): QueryableStore<K, V>;
}

/** @internal Finds the local stores of a name; throws `InvalidStateStoreError` when they cannot be read now. */
export type LocalStoreProvider = (name: string, includeStandbys: boolean) => StateStore[];

/** @internal The kind of a built store. */
export function storeKind(store: StateStore): QueryableStoreType | undefined {
  if (store instanceof MeteredKeyValueStore) return 'keyValue';
  if (store instanceof MeteredWindowStore) return 'window';
  if (store instanceof MeteredSessionStore) return 'session';
  return undefined;
}

/** @internal The kind of the stores a builder makes, when its class tells. */
function builderKind(builder: unknown): QueryableStoreType | undefined {
  if (builder instanceof KeyValueStoreBuilder) return 'keyValue';
  if (builder instanceof WindowStoreBuilder) return 'window';
  if (builder instanceof SessionStoreBuilder) return 'session';
  return undefined;
}

/**
 * @internal `app.store(name, options)`: an unknown name fails at once naming the known stores,
 * a `type` that does not match the store's kind fails naming both.
 */
export function queryableStore<K, V>(
  topology: Topology,
  name: string,
  options: StoreQueryOptions,
  provider: LocalStoreProvider,
): CompositeStoreView<K, V> {
  const entry = topology.stores.get(name);
  if (entry === undefined) {
    const known = [...topology.stores.keys()].sort();
    throw new StateStoreError(
      `No state store named "${name}" in this topology. Known stores: ${known.length > 0 ? known.join(', ') : '(none)'}.`,
      { node: name },
    );
  }
  const kind = builderKind(entry.builder);
  if (options.type !== undefined && kind !== undefined && options.type !== kind)
    throw new StateStoreError(`State store "${name}" is a ${kind} store, not a ${options.type} store.`, {
      node: name,
    });
  return new CompositeStoreView<K, V>({
    name,
    kind: kind ?? options.type,
    timestampedKeyValues: topology.timestampedStores.has(name) && kind !== 'window',
    includeStandbys: options.includeStandbys === true,
    provider,
  });
}

/** @internal */
export interface QueryTarget {
  readonly name: string;
  /** The kind from the topology, when it can be told before any store exists. */
  readonly kind: QueryableStoreType | undefined;
  readonly timestampedKeyValues: boolean;
  readonly includeStandbys: boolean;
  readonly provider: LocalStoreProvider;
}

/**
 * @internal The view behind `app.store(name)`: every call asks the provider for the current local
 * stores, so a view stays usable across rebalances (and throws while the store cannot be read).
 */
export class CompositeStoreView<K, V> implements QueryableStore<K, V> {
  constructor(private readonly target: QueryTarget) {}

  get name(): string {
    return this.target.name;
  }

  get kind(): QueryableStoreType {
    if (this.target.kind !== undefined) return this.target.kind;
    const [first] = this.target.provider(this.target.name, this.target.includeStandbys);
    return (first === undefined ? undefined : storeKind(first)) ?? 'keyValue';
  }

  // ─── key-value ────────────────────────────────────────────────────────────────────

  get(key: K): V | undefined {
    for (const { store } of this.stores('keyValue')) {
      const value = (store as MeteredKeyValueStore<K, unknown>).get(key);
      if (value !== undefined) return this.plain(value);
    }
    return undefined;
  }

  range(from?: K, to?: K): KeyValueIterator<K, V> {
    return this.keyValues((s) => s.range(from, to));
  }

  reverseRange(from?: K, to?: K): KeyValueIterator<K, V> {
    return this.keyValues((s) => s.reverseRange(from, to));
  }

  all(): KeyValueIterator<K, V>;
  all(): KeyValueIterator<K, V> | KeyValueIterator<Windowed<K>, V> {
    if (this.kind === 'window') return this.windows((s) => s.all());
    return this.keyValues((s) => s.all());
  }

  reverseAll(): KeyValueIterator<K, V> {
    return this.keyValues((s) => s.reverseAll());
  }

  prefixScan<P>(prefix: P, prefixSerde: Serde<P>): KeyValueIterator<K, V> {
    return this.keyValues((s) => s.prefixScan(prefix, prefixSerde));
  }

  approximateNumEntries(): number {
    let total = 0;
    for (const { store } of this.stores('keyValue'))
      total += (store as MeteredKeyValueStore<K, V>).approximateNumEntries();
    return Math.min(total, Number.MAX_SAFE_INTEGER);
  }

  // ─── window and session ───────────────────────────────────────────────────────────

  fetch(key: K): KeyValueIterator<Windowed<K>, V>;
  fetch(key: K, windowStart: number): V | undefined;
  fetch(key: K, timeFrom: number, timeTo: number): KeyValueIterator<number, V>;
  fetch(
    key: K,
    timeFrom?: number,
    timeTo?: number,
  ): KeyValueIterator<Windowed<K>, V> | KeyValueIterator<number, V> | V | undefined {
    if (timeFrom === undefined) return this.sessions((s) => s.fetch(key));
    if (timeTo === undefined) {
      for (const store of this.windowStores()) {
        const value = store.fetch(key, timeFrom);
        if (value !== undefined) return value;
      }
      return undefined;
    }
    return this.chain(this.windowStores().map((s) => s.fetch(key, timeFrom, timeTo)));
  }

  backwardFetch(key: K, timeFrom: number, timeTo: number): KeyValueIterator<number, V> {
    return this.chain(this.windowStores().map((s) => s.backwardFetch(key, timeFrom, timeTo)));
  }

  fetchAll(timeFrom: number, timeTo: number): KeyValueIterator<Windowed<K>, V> {
    return this.windows((s) => s.fetchAll(timeFrom, timeTo));
  }

  fetchRange(keyFrom: K | undefined, keyTo: K | undefined): KeyValueIterator<Windowed<K>, V>;
  fetchRange(
    keyFrom: K | undefined,
    keyTo: K | undefined,
    timeFrom: number,
    timeTo: number,
  ): KeyValueIterator<Windowed<K>, V>;
  fetchRange(
    keyFrom: K | undefined,
    keyTo: K | undefined,
    timeFrom?: number,
    timeTo?: number,
  ): KeyValueIterator<Windowed<K>, V> {
    if (timeFrom === undefined || timeTo === undefined)
      return this.sessions((s) => s.fetchRange(keyFrom, keyTo));
    return this.windows((s) => s.fetchRange(keyFrom, keyTo, timeFrom, timeTo));
  }

  fetchSession(key: K, sessionStart: number, sessionEnd: number): V | undefined {
    for (const { store } of this.stores('session')) {
      const value = (store as MeteredSessionStore<K, V>).fetchSession(key, sessionStart, sessionEnd);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  // ─── plumbing ─────────────────────────────────────────────────────────────────────

  /** The current local stores, checked to be of the kind the called method needs. */
  private stores(wanted: QueryableStoreType): { store: StateStore; kind: QueryableStoreType }[] {
    const found = this.target.provider(this.target.name, this.target.includeStandbys).map((store) => ({
      store,
      kind: storeKind(store) ?? 'keyValue',
    }));
    const kind = this.target.kind ?? found[0]?.kind;
    if (kind !== undefined && kind !== wanted) {
      throw new StateStoreError(
        `State store "${this.target.name}" is a ${kind} store; this method reads ${wanted} stores.`,
        { node: this.target.name },
      );
    }
    return found;
  }

  private plain(value: unknown): V {
    return (this.target.timestampedKeyValues ? (value as { value: V }).value : value) as V;
  }

  private keyValues(
    open: (store: MeteredKeyValueStore<K, unknown>) => KeyValueIterator<K, unknown>,
  ): KeyValueIterator<K, V> {
    const iterators = this.stores('keyValue').map(({ store }) =>
      open(store as MeteredKeyValueStore<K, unknown>),
    );
    return new ChainedIterator(iterators, (entry) => ({ key: entry.key, value: this.plain(entry.value) }));
  }

  private windowStores(): WindowStore<K, V>[] {
    return this.stores('window').map(({ store }) => {
      const metered = store as MeteredWindowStore<K, V>;
      return metered.timestampedValues
        ? plainWindowStoreView(metered as unknown as MeteredWindowStore<K, { value: V; timestamp: number }>)
        : metered;
    });
  }

  private windows(
    open: (store: WindowStore<K, V>) => KeyValueIterator<Windowed<K>, V>,
  ): KeyValueIterator<Windowed<K>, V> {
    return this.chain(this.windowStores().map(open));
  }

  private sessions(
    open: (store: MeteredSessionStore<K, V>) => KeyValueIterator<Windowed<K>, V>,
  ): KeyValueIterator<Windowed<K>, V> {
    return this.chain(this.stores('session').map(({ store }) => open(store as MeteredSessionStore<K, V>)));
  }

  private chain<KK>(iterators: KeyValueIterator<KK, V>[]): KeyValueIterator<KK, V> {
    return new ChainedIterator(iterators, (entry) => entry);
  }
}

/** Iterates several store iterators one after the other, mapping each entry. */
class ChainedIterator<K, VIn, V> extends LookaheadIterator<K, V> {
  #index = 0;

  constructor(
    private readonly iterators: readonly KeyValueIterator<K, VIn>[],
    private readonly map: (entry: KeyValue<K, VIn>) => KeyValue<K, V>,
  ) {
    super();
  }

  protected fetch(): KeyValue<K, V> | undefined {
    while (this.#index < this.iterators.length) {
      const next = this.iterators[this.#index]!.next();
      if (next.done !== true) return this.map(next.value);
      this.iterators[this.#index]!.close();
      this.#index++;
    }
    return undefined;
  }

  protected override onClose(): void {
    for (let i = this.#index; i < this.iterators.length; i++) this.iterators[i]!.close();
  }
}
