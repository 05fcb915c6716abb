import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Serdes, Stores } from '../../../src/index.js';
import type {
  KeyValueIterator,
  SessionStore,
  StateStore,
  Windowed,
  WindowStore,
} from '../../../src/index.js';
import { CachingSessionStore } from '../../../src/state/session/caching-session-store.js';
import { CachingWindowStore } from '../../../src/state/window/caching-window-store.js';
import { FakeStoreContext } from './support/fake-store-context.js';

/**
 * The window and session store contracts against every caching stack (caching over the
 * in-memory and level stores, with and without change-logging, with a roomy and a tiny cache):
 * each read API must return exactly what the same store without a cache returns, whatever mix of
 * dirty, evicted and flushed entries the cache holds.
 */

interface CachingStack {
  name: string;
  persistent: boolean;
  logging: boolean;
  /** The cache budget; a tiny one evicts (writes down) all the time. */
  cacheMaxBytes: number;
}

const stacks: CachingStack[] = [];
for (const persistent of [false, true]) {
  for (const logging of [true, false]) {
    for (const cacheMaxBytes of [10 * 1024 * 1024, 400]) {
      const layers = `metered → caching${logging ? ' → logging' : ''} → ${persistent ? 'level' : 'in-memory'}`;
      stacks.push({
        name: `${layers}, ${cacheMaxBytes > 1000 ? 'roomy' : 'tiny'} cache`,
        persistent,
        logging,
        cacheMaxBytes,
      });
    }
  }
}

const RETENTION = 200;
const SIZE = 10;
const MAX = Number.MAX_SAFE_INTEGER;
/** Keys whose bytes are prefixes of each other, so store-key order differs from key order. */
const KEYS = ['', 'a', 'a\u0000', 'ab', 'b', '\u00ff'];

const opened: { store: StateStore; dir: string | undefined }[] = [];

afterEach(async () => {
  for (const { store, dir } of opened.splice(0)) {
    if (store.isOpen()) await store.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  }
});

async function openStore<S extends StateStore>(
  store: S,
  options: { persistent: boolean; cacheMaxBytes: number },
): Promise<{ store: S; context: FakeStoreContext }> {
  const dir = options.persistent ? await mkdtemp(join(tmpdir(), 'tributary-wcache-')) : undefined;
  const context = new FakeStoreContext({ taskDir: dir, cacheMaxBytes: options.cacheMaxBytes });
  opened.push({ store, dir });
  await store.init(context, store);
  return { store, context };
}

function openWindowStack(stack: CachingStack) {
  const supplier = stack.persistent
    ? Stores.persistentWindowStore('w', RETENTION, SIZE, false)
    : Stores.inMemoryWindowStore('w', RETENTION, SIZE, false);
  const builder = Stores.windowStoreBuilder(supplier, Serdes.string(), Serdes.string()).withCachingEnabled();
  if (!stack.logging) builder.withLoggingDisabled();
  return openStore(builder.build(), stack);
}

function openSessionStack(stack: CachingStack) {
  const supplier = stack.persistent
    ? Stores.persistentSessionStore('s', RETENTION)
    : Stores.inMemorySessionStore('s', RETENTION);
  const builder = Stores.sessionStoreBuilder(supplier, Serdes.string(), Serdes.string()).withCachingEnabled();
  if (!stack.logging) builder.withLoggingDisabled();
  return openStore(builder.build(), stack);
}

/** The same store without a cache: what every caching stack must answer. */
function openWindowReference() {
  const builder = Stores.windowStoreBuilder(
    Stores.inMemoryWindowStore('w', RETENTION, SIZE, false),
    Serdes.string(),
    Serdes.string(),
  ).withLoggingDisabled();
  return openStore(builder.build(), { persistent: false, cacheMaxBytes: 0 });
}

function openSessionReference() {
  const builder = Stores.sessionStoreBuilder(
    Stores.inMemorySessionStore('s', RETENTION),
    Serdes.string(),
    Serdes.string(),
  ).withLoggingDisabled();
  return openStore(builder.build(), { persistent: false, cacheMaxBytes: 0 });
}

const list = <K, V>(iterator: KeyValueIterator<K, V>) => [...iterator];

/** A small deterministic PRNG (mulberry32), so a failing sequence can be replayed. */
function random(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/** Every window read API, with a spread of bounds. */
function windowReads(store: WindowStore<string, string>, starts: readonly number[]): unknown[] {
  const out: unknown[] = [];
  const spans: [number, number][] = [
    [0, MAX],
    [40, 120],
    [100, 100],
    [130, 60],
  ];
  for (const key of KEYS) {
    for (const start of starts) out.push(['fetch', key, start, store.fetch(key, start)]);
    for (const [from, to] of spans) {
      out.push(['fetch range', key, from, to, list(store.fetch(key, from, to))]);
      out.push(['backwardFetch', key, from, to, list(store.backwardFetch(key, from, to))]);
    }
  }
  const bounds: [string | undefined, string | undefined][] = [
    [undefined, undefined],
    ['a', 'ab'],
    ['a\u0000', undefined],
    [undefined, 'a'],
    ['b', 'a'],
  ];
  for (const [from, to] of bounds) {
    for (const [timeFrom, timeTo] of spans) {
      out.push([
        'fetchRange',
        from,
        to,
        timeFrom,
        timeTo,
        list(store.fetchRange(from, to, timeFrom, timeTo)),
      ]);
      out.push([
        'backwardFetchRange',
        from,
        to,
        timeFrom,
        timeTo,
        list(store.backwardFetchRange(from, to, timeFrom, timeTo)),
      ]);
    }
  }
  for (const [from, to] of spans) {
    out.push(['fetchAll', from, to, list(store.fetchAll(from, to))]);
    out.push(['backwardFetchAll', from, to, list(store.backwardFetchAll(from, to))]);
  }
  out.push(['all', list(store.all())], ['backwardAll', list(store.backwardAll())]);
  return out;
}

/** Every session read API, with a spread of bounds. */
function sessionReads(store: SessionStore<string, string>, sessions: readonly Windowed<string>[]): unknown[] {
  const out: unknown[] = [];
  for (const { key, window } of sessions) {
    out.push(['fetchSession', key, window, store.fetchSession(key, window.start, window.end)]);
  }
  const spans: [number, number][] = [
    [0, MAX],
    [60, 90],
    [100, 100],
  ];
  for (const key of KEYS) {
    out.push(['fetch', key, list(store.fetch(key))], ['backwardFetch', key, list(store.backwardFetch(key))]);
    for (const [earliestEnd, latestStart] of spans) {
      out.push([
        'findSessions',
        key,
        earliestEnd,
        latestStart,
        list(store.findSessions(key, earliestEnd, latestStart)),
      ]);
      out.push([
        'backwardFindSessions',
        key,
        earliestEnd,
        latestStart,
        list(store.backwardFindSessions(key, earliestEnd, latestStart)),
      ]);
    }
  }
  const bounds: [string | undefined, string | undefined][] = [
    [undefined, undefined],
    ['a', 'ab'],
    ['a\u0000', undefined],
    ['b', 'a'],
  ];
  for (const [from, to] of bounds) {
    out.push(['fetchRange', from, to, list(store.fetchRange(from, to))]);
    for (const [earliestEnd, latestStart] of spans) {
      out.push([
        'findSessionsInRange',
        from,
        to,
        earliestEnd,
        latestStart,
        list(store.findSessionsInRange(from, to, earliestEnd, latestStart)),
      ]);
    }
  }
  return out;
}

for (const stack of stacks) {
  describe(`window store contract: ${stack.name}`, () => {
    it('has a caching layer', async () => {
      const { store } = await openWindowStack(stack);
      let layer: unknown = store;
      const layers: string[] = [];
      while (layer !== undefined && layer !== null) {
        layers.push((layer as object).constructor.name);
        layer = (layer as { wrapped?: unknown }).wrapped;
      }
      expect(layers.slice(0, 2)).toEqual(['MeteredWindowStore', CachingWindowStore.name]);
    });

    it('answers every read like a store without a cache, through puts, deletes, expiry, evictions and flushes', async () => {
      const { store, context } = await openWindowStack(stack);
      const { store: reference } = await openWindowReference();
      const next = random(7);
      const starts = new Set<number>();
      let base = 0;
      for (let step = 0; step < 240; step++) {
        const op = next(10);
        const key = KEYS[next(KEYS.length)]!;
        // Time mostly moves forward, so windows expire (retention 200) while others are still dirty.
        if (next(4) === 0) base += next(25);
        const start = Math.max(0, base - 40 + next(60));
        starts.add(start);
        // Iterators opened before a write see neither it nor an eviction it causes.
        const openBefore = next(8) === 0 && op < 9;
        const before = openBefore ? [store.fetchAll(0, MAX), reference.fetchAll(0, MAX)] : undefined;
        context.timestamp = step;
        if (op < 7) {
          store.put(key, `${key}@${start}#${step}`, start);
          reference.put(key, `${key}@${start}#${step}`, start);
        } else if (op < 9) {
          store.put(key, null, start);
          reference.put(key, null, start);
        } else {
          await store.flush();
        }
        if (before !== undefined) expect(list(before[0]!)).toEqual(list(before[1]!));
        expect(windowReads(store, [...starts])).toEqual(windowReads(reference, [...starts]));
      }
      await store.flush();
      expect(windowReads(store, [...starts])).toEqual(windowReads(reference, [...starts]));

      if (stack.logging) {
        // The changelog restores the same windows.
        const { store: restored, context: restoredContext } = await openWindowReference();
        restoredContext.registrations[0]!.restore(
          context.changes.map((c, i) => ({ key: c.key, value: c.value, timestamp: 0, offset: String(i) })),
        );
        expect(list(restored.all())).toEqual(list(reference.all()));
      }
    });

    it('merges dirty windows with flushed ones in every read, the cache winning', async () => {
      const { store } = await openWindowStack({ ...stack, cacheMaxBytes: 10 * 1024 * 1024 });
      store.put('a', 'a0 flushed', 0);
      store.put('a', 'a10 flushed', 10);
      store.put('ab', 'ab10 flushed', 10);
      store.put('b', 'b20 flushed', 20);
      await store.flush();
      store.put('a', 'a10 dirty', 10); // shadows the flushed value
      store.put('b', null, 20); // hides the flushed window
      store.put('a', 'a20 dirty', 20); // new
      store.put('a\u0000', 'a-nul0 dirty', 0); // new, a longer key with a shared prefix

      expect(store.fetch('a', 10)).toBe('a10 dirty');
      expect(store.fetch('b', 20)).toBeUndefined();
      expect(list(store.fetch('a', 0, 100))).toEqual([
        { key: 0, value: 'a0 flushed' },
        { key: 10, value: 'a10 dirty' },
        { key: 20, value: 'a20 dirty' },
      ]);
      expect(list(store.backwardFetch('a', 5, 100)).map((e) => e.value)).toEqual(['a20 dirty', 'a10 dirty']);
      const windowed = (key: string, start: number) => ({ key, window: { start, end: start + SIZE } });
      // Store-key order (key bytes, then start): 'a' + start 0 < 'a\0' + start 0 < 'a' + start 10.
      expect(list(store.fetchRange('a', 'ab', 0, 100))).toEqual([
        { key: windowed('a', 0), value: 'a0 flushed' },
        { key: windowed('a\u0000', 0), value: 'a-nul0 dirty' },
        { key: windowed('a', 10), value: 'a10 dirty' },
        { key: windowed('a', 20), value: 'a20 dirty' },
        { key: windowed('ab', 10), value: 'ab10 flushed' },
      ]);
      expect(list(store.backwardFetchRange('a\u0000', undefined, 0, 100)).map((e) => e.value)).toEqual([
        'ab10 flushed',
        'a-nul0 dirty',
      ]);
      expect(list(store.fetchAll(0, 20)).map((e) => e.value)).toEqual([
        'a0 flushed',
        'a-nul0 dirty',
        'a10 dirty',
        'ab10 flushed',
        'a20 dirty',
      ]);
      expect(list(store.backwardFetchAll(10, 20)).map((e) => e.value)).toEqual([
        'a20 dirty',
        'ab10 flushed',
        'a10 dirty',
      ]);
      expect(list(store.all()).map((e) => e.value)).toEqual([
        'a0 flushed',
        'a-nul0 dirty',
        'a10 dirty',
        'a20 dirty',
        'ab10 flushed',
      ]);
      expect(list(store.backwardAll()).map((e) => e.value)).toEqual([
        'ab10 flushed',
        'a20 dirty',
        'a10 dirty',
        'a-nul0 dirty',
        'a0 flushed',
      ]);
    });

    it('neither returns nor writes down windows past retention', async () => {
      const { store, context } = await openWindowStack({ ...stack, cacheMaxBytes: 10 * 1024 * 1024 });
      store.put('a', 'flushed, then expired', 40);
      await store.flush();
      const logged = context.changes.length;
      store.put('a', 'dirty, then expired', 50);
      store.put('b', 'kept', 51);
      store.put('c', 'moves stream time', 250); // retention 200: windows starting at or before 50 go
      expect(store.fetch('a', 40)).toBeUndefined();
      expect(store.fetch('a', 50)).toBeUndefined();
      expect(list(store.all()).map((e) => e.value)).toEqual(['kept', 'moves stream time']);
      expect(list(store.fetchAll(0, MAX)).map((e) => e.value)).toEqual(['kept', 'moves stream time']);
      store.put('a', 'too late', 45); // refused, as the inner stores refuse it
      expect(list(store.fetch('a', 0, MAX))).toEqual([]);
      await store.flush();
      if (stack.logging) {
        expect(context.changes.slice(logged).map((c) => c.value?.toString())).toEqual([
          'kept',
          'moves stream time',
        ]);
      }
      expect(list(store.all()).map((e) => e.value)).toEqual(['kept', 'moves stream time']);
    });
  });

  describe(`session store contract: ${stack.name}`, () => {
    it('has a caching layer', async () => {
      const { store } = await openSessionStack(stack);
      expect((store as unknown as { wrapped: unknown }).wrapped).toBeInstanceOf(CachingSessionStore);
    });

    it('answers every read like a store without a cache, through puts, removals, merges, expiry and flushes', async () => {
      const { store, context } = await openSessionStack(stack);
      const { store: reference } = await openSessionReference();
      const next = random(11);
      const sessions: Windowed<string>[] = [];
      let base = 0;
      for (let step = 0; step < 240; step++) {
        const op = next(10);
        if (next(4) === 0) base += next(25);
        context.timestamp = step;
        if (op < 6 || sessions.length === 0) {
          const start = Math.max(0, base - 40 + next(60));
          const session = { key: KEYS[next(KEYS.length)]!, window: { start, end: start + next(30) } };
          sessions.push(session);
          store.put(session, `#${step}`);
          reference.put(session, `#${step}`);
        } else if (op < 9) {
          // A removal of a known session, as a merge does (or of one already gone).
          const session = sessions[next(sessions.length)]!;
          store.remove(session);
          reference.remove(session);
        } else {
          await store.flush();
        }
        expect(sessionReads(store, sessions)).toEqual(sessionReads(reference, sessions));
      }
      await store.flush();
      expect(sessionReads(store, sessions)).toEqual(sessionReads(reference, sessions));

      if (stack.logging) {
        const { store: restored, context: restoredContext } = await openSessionReference();
        restoredContext.registrations[0]!.restore(
          context.changes.map((c, i) => ({ key: c.key, value: c.value, timestamp: 0, offset: String(i) })),
        );
        expect(list(restored.fetchRange(undefined, undefined))).toEqual(
          list(reference.fetchRange(undefined, undefined)),
        );
      }
    });

    it('merges dirty sessions with flushed ones, a cached removal hiding the flushed session', async () => {
      const { store } = await openSessionStack({ ...stack, cacheMaxBytes: 10 * 1024 * 1024 });
      const session = (key: string, start: number, end: number) => ({ key, window: { start, end } });
      store.put(session('a', 0, 5), 'a[0,5] flushed');
      store.put(session('a', 10, 20), 'a[10,20] flushed');
      store.put(session('ab', 10, 20), 'ab flushed');
      await store.flush();
      store.remove(session('a', 0, 5)); // merged away…
      store.put(session('a', 0, 20), 'a[0,20] dirty'); // …into this one
      store.put(session('a', 10, 20), 'a[10,20] dirty');
      store.put(session('a\u0000', 3, 4), 'a-nul dirty');

      expect(store.fetchSession('a', 0, 5)).toBeUndefined();
      expect(store.fetchSession('a', 10, 20)).toBe('a[10,20] dirty');
      expect(list(store.fetch('a')).map((e) => e.value)).toEqual(['a[0,20] dirty', 'a[10,20] dirty']);
      expect(list(store.backwardFetch('a')).map((e) => e.key)).toEqual([
        session('a', 10, 20),
        session('a', 0, 20),
      ]);
      expect(list(store.findSessions('a', 0, 5)).map((e) => e.value)).toEqual(['a[0,20] dirty']);
      expect(list(store.backwardFindSessions('a', 15, 15)).map((e) => e.value)).toEqual([
        'a[10,20] dirty',
        'a[0,20] dirty',
      ]);
      // Store-key order (key bytes, end, start): 'a\0' + end 4 < 'a' + end 20.
      expect(list(store.fetchRange('a', 'ab')).map((e) => e.value)).toEqual([
        'a-nul dirty',
        'a[0,20] dirty',
        'a[10,20] dirty',
        'ab flushed',
      ]);
      expect(list(store.findSessionsInRange(undefined, undefined, 4, 4)).map((e) => e.value)).toEqual([
        'a-nul dirty',
        'a[0,20] dirty',
      ]);
    });
  });
}

describe('caching window stores and duplicates', () => {
  it('a store that retains duplicates is never cached', async () => {
    const builder = Stores.windowStoreBuilder(
      Stores.inMemoryWindowStore('joins', RETENTION, SIZE, true),
      Serdes.string(),
      Serdes.string(),
    ).withCachingEnabled();
    const { store } = await openStore(builder.build(), { persistent: false, cacheMaxBytes: 1024 });
    expect((store as unknown as { wrapped: unknown }).wrapped).not.toBeInstanceOf(CachingWindowStore);
    store.put('k', 'x', 5);
    store.put('k', 'y', 5);
    expect(list(store.fetch('k', 0, 10)).map((e) => e.value)).toEqual(['x', 'y']);
    expect(
      () => new CachingWindowStore(Stores.inMemoryWindowStore('joins', RETENTION, SIZE, true).get()),
    ).toThrow(/retains duplicates/);
  });
});
