import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Serdes, Stores } from '../../../src/index.js';
import type { SessionStore, Windowed } from '../../../src/index.js';
import { FakeStoreContext } from '../state/support/fake-store-context.js';

const HOUR = 3_600_000;
const session = (key: string, start: number, end: number): Windowed<string> => ({
  key,
  window: { start, end },
});
const list = <K, V>(it: Iterable<{ key: K; value: V }>) => [...it];

/** Stores and temp dirs opened by the current test, closed and removed after it. */
const opened: { store: SessionStore<string, number>; dir: string | undefined }[] = [];

afterEach(async () => {
  for (const { store, dir } of opened.splice(0)) {
    await store.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  }
});

async function open(
  logging: boolean,
  retention = HOUR,
  persistent = false,
): Promise<{ store: SessionStore<string, number>; context: FakeStoreContext }> {
  const builder = Stores.sessionStoreBuilder(
    persistent ? Stores.persistentSessionStore('s', retention) : Stores.inMemorySessionStore('s', retention),
    Serdes.string(),
    Serdes.long(),
  );
  if (!logging) builder.withLoggingDisabled();
  const store = builder.build();
  const dir = persistent ? await mkdtemp(join(tmpdir(), 'tributary-session-')) : undefined;
  const context = new FakeStoreContext({ taskDir: dir });
  opened.push({ store, dir });
  await store.init(context, store);
  return { store, context };
}

for (const [inner, persistent, logging] of [
  ['in-memory', false, true],
  ['in-memory', false, false],
  ['level', true, true],
  ['level', true, false],
] as const) {
  describe(`session store contract: ${inner}, logging ${logging ? 'on' : 'off'}`, () => {
    it('puts, fetches a session by its bounds, and removes it', async () => {
      const { store } = await open(logging, HOUR, persistent);
      store.put(session('a', 0, 10), 2);
      expect(store.fetchSession('a', 0, 10)).toBe(2);
      expect(store.fetchSession('a', 0, 11)).toBeUndefined();
      store.remove(session('a', 0, 10));
      expect(store.fetchSession('a', 0, 10)).toBeUndefined();
      store.put(session('a', 0, 10), 1);
      store.put(session('a', 0, 10), null);
      expect(list(store.fetch('a'))).toEqual([]);
    });

    it('finds sessions with end >= earliestEnd and start <= latestStart, by end', async () => {
      const { store } = await open(logging, HOUR, persistent);
      store.put(session('a', 0, 5), 1);
      store.put(session('a', 10, 20), 2);
      store.put(session('a', 30, 30), 3);
      store.put(session('ab', 10, 20), 9);
      expect(list(store.findSessions('a', 6, 25)).map((e) => e.value)).toEqual([2]);
      expect(list(store.findSessions('a', 5, 30)).map((e) => e.value)).toEqual([1, 2, 3]);
      expect(list(store.findSessions('a', 21, 29))).toEqual([]);
      expect(list(store.backwardFindSessions('a', 0, 100)).map((e) => e.value)).toEqual([3, 2, 1]);
      expect(list(store.fetch('a')).map((e) => e.key)).toEqual([
        session('a', 0, 5),
        session('a', 10, 20),
        session('a', 30, 30),
      ]);
      expect(list(store.backwardFetch('ab')).map((e) => e.value)).toEqual([9]);
      expect(list(store.fetchRange('a', 'ab')).map((e) => e.value)).toEqual([1, 2, 3, 9]);
      expect(list(store.findSessionsInRange(undefined, undefined, 15, 15)).map((e) => e.value)).toEqual([
        2, 9,
      ]);
    });

    it('drops sessions ending at or before the largest end minus retention', async () => {
      const { store } = await open(logging, 100, persistent);
      store.put(session('a', 0, 50), 1);
      store.put(session('a', 60, 70), 2);
      store.put(session('b', 140, 150), 3);
      expect(list(store.findSessionsInRange(undefined, undefined, 0, 1000)).map((e) => e.value)).toEqual([
        2, 3,
      ]);
      store.put(session('c', 10, 20), 4); // already expired: ignored
      expect(store.fetchSession('c', 10, 20)).toBeUndefined();
    });
  });
}

describe('session store change-logging and restore', () => {
  it('logs Kafka session keys (key, end, start) and restores from them', async () => {
    const { store, context } = await open(true);
    store.put(session('k', 3, 9), 4);
    store.remove(session('k', 3, 9));
    store.put(session('k', 3, 12), 5);
    expect(context.changes[0]!.key).toEqual(
      Serdes.sessionWindowed(Serdes.string()).serialize(session('k', 3, 9)),
    );
    expect(context.changes[1]!.value).toBeNull();
    const restored = await open(false);
    restored.context.registrations[0]!.restore(
      context.changes.map((c, i) => ({ key: c.key, value: c.value, timestamp: 0, offset: String(i) })),
    );
    expect(list(restored.store.fetch('k'))).toEqual([{ key: session('k', 3, 12), value: 5 }]);
  });
});
