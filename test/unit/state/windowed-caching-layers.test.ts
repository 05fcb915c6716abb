import { describe, expect, it } from 'vitest';
import {
  JoinWindows,
  Serdes,
  SessionWindows,
  SlidingWindows,
  Stores,
  StreamsBuilder,
  TimeWindows,
} from '../../../src/index.js';
import type { StateStore, Windowed } from '../../../src/index.js';
import type { CachingSessionStore } from '../../../src/state/session/caching-session-store.js';
import type { ChangeLoggingSessionStore } from '../../../src/state/session/change-logging-session-store.js';
import type { InMemorySessionStore } from '../../../src/state/session/in-memory-session-store.js';
import { MeteredSessionStore } from '../../../src/state/session/metered-session-store.js';
import type { CacheBudget } from '../../../src/state/store.js';
import type { CachingWindowStore } from '../../../src/state/window/caching-window-store.js';
import type { ChangeLoggingWindowStore } from '../../../src/state/window/change-logging-window-store.js';
import type { InMemoryWindowStore } from '../../../src/state/window/in-memory-window-store.js';
import { MeteredWindowStore } from '../../../src/state/window/metered-window-store.js';
import { WrappedStateStore } from '../../../src/state/internal/wrapped-state-store.js';
import { FakeStoreContext } from './support/fake-store-context.js';

const DAY = 86_400_000;
const SIZE = 60_000;

/** The layer classes of a built window or session store, from the outside in. */
function layers(store: StateStore): string[] {
  const names: string[] = [];
  let layer: unknown = store;
  while (typeof layer === 'object' && layer !== null) {
    names.push(layer.constructor.name);
    const wraps =
      layer instanceof MeteredWindowStore ||
      layer instanceof MeteredSessionStore ||
      layer instanceof WrappedStateStore;
    layer = wraps ? (layer as { wrapped: unknown }).wrapped : undefined;
  }
  return names;
}

function openWindows(options: { cacheMaxBytes?: number; cacheBudget?: CacheBudget } = {}) {
  const store = Stores.windowStoreBuilder(
    Stores.inMemoryWindowStore('w', DAY, SIZE, false),
    Serdes.string(),
    Serdes.string(),
  )
    .withCachingEnabled()
    .build() as MeteredWindowStore<string, string>;
  const context = new FakeStoreContext(options);
  store.init(context, store);
  const cache = store.wrapped as CachingWindowStore;
  const inner = (cache.wrapped as ChangeLoggingWindowStore).wrapped as InMemoryWindowStore;
  return { store, context, cache, inner };
}

function openSessions(options: { cacheMaxBytes?: number; cacheBudget?: CacheBudget } = {}) {
  const store = Stores.sessionStoreBuilder(
    Stores.inMemorySessionStore('s', DAY),
    Serdes.string(),
    Serdes.string(),
  )
    .withCachingEnabled()
    .build() as MeteredSessionStore<string, string>;
  const context = new FakeStoreContext(options);
  store.init(context, store);
  const cache = store.wrapped as CachingSessionStore;
  const inner = (cache.wrapped as ChangeLoggingSessionStore).wrapped as InMemorySessionStore;
  return { store, context, cache, inner };
}

const text = (bytes: Buffer | null) => (bytes === null ? null : bytes.toString());
const b = (s: string) => Buffer.from(s);
const session = (key: string, start: number, end: number): Windowed<string> => ({
  key,
  window: { start, end },
});

describe('CachingWindowStore', () => {
  it('writes a window put many times down once per flush, with its last value', () => {
    const { store, context, cache, inner } = openWindows();
    const reported: string[] = [];
    cache.setFlushListener(
      ({ key, windowStart }, newValue, oldValue, timestamp) =>
        reported.push(`${key}@${windowStart}: ${text(oldValue)} -> ${text(newValue)} at ${timestamp}`),
      true,
    );
    for (let i = 1; i <= 1000; i++) {
      context.timestamp = i;
      store.put('alice', `count ${i}`, 0);
    }
    store.put('bob', 'count 1', 60_000);
    expect(inner.fetch(b('alice'), 0)).toBeUndefined();
    expect(context.changes).toHaveLength(0);
    expect(store.fetch('alice', 0)).toBe('count 1000');

    store.flush();
    expect(reported).toEqual(['alice@0: null -> count 1000 at 1000', 'bob@60000: null -> count 1 at 1000']);
    expect(context.changes.map((c) => text(c.value))).toEqual(['count 1000', 'count 1']);
    expect(text(inner.fetch(b('alice'), 0) ?? null)).toBe('count 1000');
    store.flush();
    expect(reported).toHaveLength(2); // nothing dirty is left
    expect(store.metrics().puts).toBe(1001); // the metered layer counts every put
  });

  it('tells the listener the old value below; a delete of a window never written down is dropped', () => {
    const { store, context, cache, inner } = openWindows();
    const reported: string[] = [];
    cache.setFlushListener(
      ({ key, windowStart }, newValue, oldValue) =>
        reported.push(`${key}@${windowStart}: ${text(oldValue)} -> ${text(newValue)}`),
      true,
    );
    store.put('a', 'v1', 0);
    store.flush();
    store.put('a', 'v2', 0);
    store.put('a', null, 0); // deletes a window that is below
    store.put('gone', 'never flushed', 0);
    store.put('gone', null, 0); // deletes a window that never went down
    store.flush();
    expect(reported).toEqual(['a@0: null -> v1', 'a@0: v1 -> null']);
    expect(context.changes.map((c) => [c.key.subarray(0, -12).toString(), text(c.value)])).toEqual([
      ['a', 'v1'],
      ['a', null],
    ]);
    expect(inner.fetch(b('a'), 0)).toBeUndefined();
  });

  it('reports no old values without sendOldValues', () => {
    const { store, cache } = openWindows();
    const old: (Buffer | null)[] = [];
    cache.setFlushListener((_key, _newValue, oldValue) => old.push(oldValue), false);
    store.put('a', 'v1', 0);
    store.flush();
    store.put('a', 'v2', 0);
    store.flush();
    expect(old).toEqual([null, null]);
  });

  it('loses nothing when a tiny cache evicts dirty windows: they are written down and reported', () => {
    const { store, context, cache, inner } = openWindows({ cacheMaxBytes: 400 });
    const reported = new Map<string, string | null>();
    cache.setFlushListener(({ key, windowStart }, newValue) => {
      reported.set(`${key}@${windowStart}`, text(newValue));
    }, false);
    const keys = Array.from({ length: 30 }, (_, i) => `k${String(i).padStart(2, '0')}`);
    for (let round = 0; round < 3; round++) for (const key of keys) store.put(key, `r${round}`, 0);
    // Evictions already wrote windows down and reported them, before any flush.
    expect(reported.size).toBeGreaterThan(0);
    expect(context.changes.length).toBeGreaterThan(0);
    expect(inner.fetchRange(undefined, undefined, 0, 0, false).peekNextKey()).toBeDefined();
    for (const key of keys) expect(store.fetch(key, 0)).toBe('r2');

    store.flush();
    expect([...reported.keys()].sort()).toEqual(keys.map((k) => `${k}@0`));
    expect([...reported.values()].every((v) => v === 'r2')).toBe(true);
    for (const key of keys) expect(text(inner.fetch(b(key), 0) ?? null)).toBe('r2');
    const lastLogged = new Map(
      context.changes.map((c) => [c.key.subarray(0, -12).toString(), text(c.value)]),
    );
    expect([...lastLogged.values()].every((v) => v === 'r2')).toBe(true);
    expect(lastLogged.size).toBe(keys.length);
  });

  it('writes through and reports every write when cacheMaxBytes is 0', () => {
    const { store, context, cache, inner } = openWindows({ cacheMaxBytes: 0 });
    const reported: string[] = [];
    cache.setFlushListener(({ key }, newValue) => reported.push(`${key}=${text(newValue)}`), false);
    store.put('k', '1', 0);
    store.put('k', '2', 0);
    expect(reported).toEqual(['k=1', 'k=2']);
    expect(context.changes).toHaveLength(2);
    expect(text(inner.fetch(b('k'), 0) ?? null)).toBe('2');
    expect(cache.holdsWrites).toBe(false);
  });

  it('shares the instance budget with other caches and gives its bytes back on close', () => {
    const budget: CacheBudget = { maxBytes: 2_000, usedBytes: 0 };
    const first = openWindows({ cacheMaxBytes: budget.maxBytes, cacheBudget: budget });
    const second = openSessions({ cacheMaxBytes: budget.maxBytes, cacheBudget: budget });
    for (let i = 0; i < 100; i++) {
      first.store.put(`key-${i}`, 'value', 0);
      second.store.put(session(`key-${i}`, 0, 1), 'value');
      expect(budget.usedBytes).toBeGreaterThan(0);
      expect(budget.usedBytes).toBeLessThanOrEqual(budget.maxBytes);
    }
    // Both evicted (wrote down) to stay within the one budget.
    expect(first.context.changes.length).toBeGreaterThan(0);
    expect(second.context.changes.length).toBeGreaterThan(0);
    first.store.close();
    second.store.close();
    expect(budget.usedBytes).toBe(0);
  });

  it('hands the typed flush listener windowed keys (end = start + size) and values', () => {
    const { store, context } = openWindows();
    const forwarded: unknown[] = [];
    const cached = store.setFlushListener(
      (key, newValue, oldValue, timestamp) => forwarded.push({ key, newValue, oldValue, timestamp }),
      true,
    );
    expect(cached).toBe(true);
    context.timestamp = 42;
    store.put('alice', 'x', 120_000);
    store.flush();
    expect(forwarded).toEqual([
      {
        key: { key: 'alice', window: { start: 120_000, end: 180_000 } },
        newValue: 'x',
        oldValue: null,
        timestamp: 42,
      },
    ]);
  });

  it('the typed layer declines a flush listener without a cache that holds writes', () => {
    expect(openWindows({ cacheMaxBytes: 0 }).store.setFlushListener(() => {}, true)).toBe(false);
    const uncached = Stores.windowStoreBuilder(
      Stores.inMemoryWindowStore('w', DAY, SIZE, false),
      Serdes.string(),
      Serdes.string(),
    ).build() as MeteredWindowStore<string, string>;
    uncached.init(new FakeStoreContext(), uncached);
    expect(uncached.setFlushListener(() => {}, true)).toBe(false);
  });

  it('leaves the dropped-records metric of the typed layer as it was', () => {
    const { store } = openWindows();
    store.recordDroppedRecord();
    store.recordDroppedRecord();
    store.put('a', 'x', 0);
    store.fetch('a', 0);
    expect(store.metrics()).toEqual({ puts: 1, fetches: 1, droppedRecords: 2 });
  });
});

describe('CachingSessionStore', () => {
  it('writes a session put many times down once per flush, with its last value', () => {
    const { store, context, cache, inner } = openSessions();
    const reported: string[] = [];
    cache.setFlushListener(
      ({ key, start, end }, newValue, oldValue) =>
        reported.push(`${key}[${start},${end}]: ${text(oldValue)} -> ${text(newValue)}`),
      true,
    );
    for (let i = 1; i <= 500; i++) store.put(session('alice', 0, 10), `count ${i}`);
    expect(inner.fetchSession(b('alice'), 0, 10)).toBeUndefined();
    expect(context.changes).toHaveLength(0);
    store.flush();
    expect(reported).toEqual(['alice[0,10]: null -> count 500']);
    expect(context.changes.map((c) => text(c.value))).toEqual(['count 500']);
  });

  it('reports the sessions that exist at the flush, and tombstones only for merged-away sessions that were below', () => {
    const { store, context, cache } = openSessions();
    const reported: string[] = [];
    cache.setFlushListener(
      ({ key, start, end }, newValue, oldValue) =>
        reported.push(`${key}[${start},${end}]: ${text(oldValue)} -> ${text(newValue)}`),
      true,
    );
    // Between two flushes a session grows by merges, as the session aggregation does it.
    store.put(session('a', 0, 0), '1');
    store.remove(session('a', 0, 0));
    store.put(session('a', 0, 5), '2');
    store.remove(session('a', 0, 5));
    store.put(session('a', 0, 9), '3');
    store.flush();
    expect(reported).toEqual(['a[0,9]: null -> 3']);
    expect(context.changes.map((c) => text(c.value))).toEqual(['3']);

    // The flushed session merges into a later one: its removal is reported with its old value.
    store.remove(session('a', 0, 9));
    store.put(session('a', 0, 15), '4');
    store.flush();
    expect(reported.slice(1)).toEqual(['a[0,9]: 3 -> null', 'a[0,15]: null -> 4']);
    expect(context.changes.slice(1).map((c) => text(c.value))).toEqual([null, '4']);
    expect(store.fetchSession('a', 0, 9)).toBeUndefined();
    expect([...store.fetch('a')]).toEqual([{ key: session('a', 0, 15), value: '4' }]);
  });

  it('loses nothing when a tiny cache evicts dirty sessions', () => {
    const { store, cache, inner } = openSessions({ cacheMaxBytes: 400 });
    const reported = new Map<string, string | null>();
    cache.setFlushListener(({ key, start, end }, newValue) => {
      reported.set(`${key}[${start},${end}]`, text(newValue));
    }, false);
    const keys = Array.from({ length: 30 }, (_, i) => `k${String(i).padStart(2, '0')}`);
    for (let round = 0; round < 3; round++)
      for (const key of keys) store.put(session(key, 5, 7), `r${round}`);
    expect(reported.size).toBeGreaterThan(0);
    store.flush();
    expect(reported.size).toBe(keys.length);
    expect([...reported.values()].every((v) => v === 'r2')).toBe(true);
    for (const key of keys) expect(text(inner.fetchSession(b(key), 5, 7) ?? null)).toBe('r2');
  });

  it('writes through and reports every write when cacheMaxBytes is 0', () => {
    const { store, context, cache } = openSessions({ cacheMaxBytes: 0 });
    const reported: string[] = [];
    cache.setFlushListener(({ key }, newValue) => reported.push(`${key}=${text(newValue)}`), false);
    store.put(session('k', 0, 1), '1');
    store.put(session('k', 0, 1), '2');
    expect(reported).toEqual(['k=1', 'k=2']);
    expect(context.changes).toHaveLength(2);
    expect(store.setFlushListener(() => {}, true)).toBe(false);
  });

  it('hands the typed flush listener session keys and values', () => {
    const { store } = openSessions();
    const forwarded: unknown[] = [];
    expect(store.setFlushListener((key, newValue) => forwarded.push({ key, newValue }), false)).toBe(true);
    store.put(session('alice', 3, 8), 'x');
    store.flush();
    expect(forwarded).toEqual([{ key: session('alice', 3, 8), newValue: 'x' }]);
  });
});

describe('window and session store builders', () => {
  it('do not cache by default; withCachingEnabled puts the cache between metered and change-logging', () => {
    const windows = Stores.windowStoreBuilder(
      Stores.inMemoryWindowStore('w', DAY, SIZE, false),
      Serdes.string(),
      Serdes.long(),
    );
    const sessions = Stores.sessionStoreBuilder(
      Stores.inMemorySessionStore('s', DAY),
      Serdes.string(),
      Serdes.long(),
    );
    expect([windows.cachingEnabled, sessions.cachingEnabled]).toEqual([false, false]);
    expect(layers(windows.build())).toEqual([
      'MeteredWindowStore',
      'ChangeLoggingWindowStore',
      'InMemoryWindowStore',
    ]);
    expect(layers(windows.withCachingEnabled().build())).toEqual([
      'MeteredWindowStore',
      'CachingWindowStore',
      'ChangeLoggingWindowStore',
      'InMemoryWindowStore',
    ]);
    expect(layers(sessions.withCachingEnabled().withLoggingDisabled().build())).toEqual([
      'MeteredSessionStore',
      'CachingSessionStore',
      'InMemorySessionStore',
    ]);
  });

  it('cache DSL windowed aggregations by default, never stream–stream join stores, and withCachingDisabled turns it off', () => {
    const builder = new StreamsBuilder();
    const clicks = builder.stream('clicks', { key: Serdes.string(), value: Serdes.string() });
    const grouped = clicks.groupByKey();
    grouped.windowedBy(TimeWindows.ofSizeWithNoGrace(SIZE)).count({ name: 'tumbling' });
    grouped.windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(SIZE)).count({ name: 'sliding' });
    grouped.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(SIZE)).count({ name: 'sessions' });
    clicks
      .join(
        builder.stream('views', { key: Serdes.string(), value: Serdes.string() }),
        (click, view) => `${click}/${view}`,
        JoinWindows.ofTimeDifferenceWithNoGrace(SIZE),
      )
      .to('joined');
    const topology = builder.build();
    const builtLayers = (name: string) => layers(topology.stores.get(name)!.builder.build());

    expect(builtLayers('tumbling')).toEqual([
      'MeteredWindowStore',
      'CachingWindowStore',
      'ChangeLoggingWindowStore',
      'InMemoryWindowStore',
    ]);
    expect(builtLayers('sliding')[1]).toBe('CachingWindowStore');
    expect(builtLayers('sessions')).toEqual([
      'MeteredSessionStore',
      'CachingSessionStore',
      'ChangeLoggingSessionStore',
      'InMemorySessionStore',
    ]);
    const joinStores = [...topology.stores.keys()].filter(
      (name) => !['tumbling', 'sliding', 'sessions'].includes(name),
    );
    expect(joinStores.length).toBeGreaterThan(0);
    for (const name of joinStores) expect(builtLayers(name)).not.toContain('CachingWindowStore');

    const tumbling = topology.stores.get('tumbling')!.builder;
    expect(tumbling.cachingEnabled).toBe(true);
    expect(layers(tumbling.withCachingDisabled().build())).not.toContain('CachingWindowStore');
  });
});
