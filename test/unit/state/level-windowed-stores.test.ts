import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Serdes, Stores } from '../../../src/index.js';
import type { SessionStore, WindowStore, Windowed } from '../../../src/index.js';
import { ConfigError, StateStoreError } from '../../../src/errors.js';
import { windowStoreKeyBytes } from '../../../src/state/window/window-key-schema.js';
import { FakeStoreContext } from './support/fake-store-context.js';

const DAY = 86_400_000;
const list = <K, V>(it: Iterable<{ key: K; value: V }>) => [...it];
const session = (key: string, start: number, end: number): Windowed<string> => ({
  key,
  window: { start, end },
});

/** Every key in the LevelDB database at `location` (the store must be closed). */
async function keysOnDisk(location: string): Promise<Buffer[]> {
  const db = new Level<Buffer, Buffer>(location, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  try {
    return await db.keys().all();
  } finally {
    await db.close();
  }
}

let taskDir: string;
const toClose: { close(): unknown }[] = [];

beforeEach(async () => {
  taskDir = await mkdtemp(join(tmpdir(), 'tributary-level-windowed-'));
});

afterEach(async () => {
  for (const store of toClose.splice(0)) await store.close();
  await rm(taskDir, { recursive: true, force: true });
});

describe('Stores.persistentWindowStore', () => {
  async function openWindowStore(
    retentionMs = DAY,
    duplicates = false,
  ): Promise<{ store: WindowStore<string, number>; context: FakeStoreContext }> {
    const store = Stores.windowStoreBuilder(
      Stores.persistentWindowStore('clicks', retentionMs, 1_000, duplicates),
      Serdes.string(),
      Serdes.long(),
    ).build();
    const context = new FakeStoreContext({ taskDir });
    await store.init(context, store);
    toClose.push(store);
    return { store, context };
  }

  it('is a level supplier that validates its arguments and name', () => {
    expect(Stores.persistentWindowStore('w', DAY, 1_000, false).kind).toBe('level');
    expect(Stores.persistentWindowStore('w', DAY, 1_000, false).get().persistent).toBe(true);
    expect(() => Stores.persistentWindowStore('a/b', DAY, 1_000, false)).toThrow(ConfigError);
    expect(() => Stores.persistentWindowStore('w', 10, 1_000, false)).toThrow(/at least windowSizeMs/);
  });

  it('needs a task directory', async () => {
    const store = Stores.persistentWindowStore('w', DAY, 1_000, false).get();
    await expect(store.init(new FakeStoreContext(), store)).rejects.toThrow(StateStoreError);
  });

  it('keeps flushed windows across close and reopen, and loses unflushed ones', async () => {
    const first = await openWindowStore();
    first.store.put('alice', 1, 0);
    first.store.put('alice', 2, 1_000);
    first.store.put('bob', 3, 1_000);
    await first.store.flush();
    first.store.put('carol', 4, 2_000); // never flushed
    await first.store.close();

    const { store } = await openWindowStore();
    expect(list(store.fetch('alice', 0, 5_000))).toEqual([
      { key: 0, value: 1 },
      { key: 1_000, value: 2 },
    ]);
    expect(list(store.fetchAll(0, 5_000)).map((e) => e.value)).toEqual([1, 2, 3]);
    expect(store.fetch('carol', 2_000)).toBeUndefined();
  });

  it('remembers stream time on reopen: windows past retention stay invisible and late puts are ignored', async () => {
    const first = await openWindowStore(10_000);
    first.store.put('a', 1, 5_000);
    first.store.put('a', 2, 12_000);
    await first.store.flush();
    await first.store.close();

    const { store } = await openWindowStore(10_000);
    store.put('a', 9, 1_000); // 1_000 <= 12_000 - 10_000: already expired
    expect(list(store.fetch('a', 0, 20_000))).toEqual([
      { key: 5_000, value: 1 },
      { key: 12_000, value: 2 },
    ]);
  });

  it('deletes windows past retention from disk with the next flush', async () => {
    const { store } = await openWindowStore(10_000);
    for (let start = 0; start < 5_000; start += 1_000) store.put('sensor', start, start);
    await store.flush();
    // Far beyond retention: every earlier window expires.
    store.put('sensor', 99, 1_000_000);
    await store.flush();
    await store.close();

    const keys = await keysOnDisk(join(taskDir, 'clicks'));
    expect(keys).toEqual([windowStoreKeyBytes(Buffer.from('sensor'), 1_000_000, 0)]);
  });

  it('continues sequence numbers after a reopen so duplicates are not overwritten', async () => {
    const first = await openWindowStore(DAY, true);
    first.store.put('k', 1, 0);
    first.store.put('k', 2, 0);
    await first.store.flush();
    await first.store.close();

    const { store } = await openWindowStore(DAY, true);
    store.put('k', 3, 0);
    expect(list(store.fetch('k', 0, 0)).map((e) => e.value)).toEqual([1, 2, 3]);
  });

  it('restores changelog records straight into the level store, which a flush persists', async () => {
    const source = await openWindowStore();
    source.store.put('a', 1, 0);
    source.store.put('a', 2, 1_000);
    source.store.put('a', null, 0);
    const changes = source.context.changes;
    await source.store.close();
    await rm(join(taskDir, 'clicks'), { recursive: true, force: true });

    const target = await openWindowStore();
    target.context.registrations[0]!.restore(
      changes.map((c, i) => ({ key: c.key, value: c.value, timestamp: 0, offset: String(i) })),
    );
    await target.store.flush();
    await target.store.close();
    const { store } = await openWindowStore();
    expect(list(store.fetch('a', 0, 5_000))).toEqual([{ key: 1_000, value: 2 }]);
  });
});

describe('Stores.persistentSessionStore', () => {
  async function openSessionStore(retentionMs = DAY): Promise<SessionStore<string, number>> {
    const store = Stores.sessionStoreBuilder(
      Stores.persistentSessionStore('sessions', retentionMs),
      Serdes.string(),
      Serdes.long(),
    ).build();
    await store.init(new FakeStoreContext({ taskDir }), store);
    toClose.push(store);
    return store;
  }

  it('is a level supplier that validates its name', () => {
    expect(Stores.persistentSessionStore('s', DAY).kind).toBe('level');
    expect(() => Stores.persistentSessionStore('..', DAY)).toThrow(ConfigError);
  });

  it('keeps flushed sessions across close and reopen', async () => {
    const first = await openSessionStore();
    first.put(session('alice', 0, 5_000), 3);
    first.put(session('bob', 1_000, 2_000), 1);
    first.remove(session('bob', 1_000, 2_000));
    await first.flush();
    await first.close();

    const store = await openSessionStore();
    expect(list(store.fetchRange(undefined, undefined))).toEqual([
      { key: session('alice', 0, 5_000), value: 3 },
    ]);
  });

  it('deletes sessions past retention from disk with the next flush', async () => {
    const store = await openSessionStore(10_000);
    store.put(session('a', 0, 1_000), 1);
    store.put(session('b', 2_000, 3_000), 2);
    await store.flush();
    store.put(session('c', 500_000, 500_000), 3);
    await store.flush();
    await store.close();

    const keys = await keysOnDisk(join(taskDir, 'sessions'));
    expect(keys).toEqual([Serdes.sessionWindowed(Serdes.string()).serialize(session('c', 500_000, 500_000))]);
  });
});
