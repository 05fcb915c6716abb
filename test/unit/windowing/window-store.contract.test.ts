import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Serdes, Stores } from '../../../src/index.js';
import type { WindowStore } from '../../../src/index.js';
import { MeteredWindowStore } from '../../../src/state/window/metered-window-store.js';
import { windowStoreKeyBytes } from '../../../src/state/window/window-key-schema.js';
import { FakeStoreContext } from '../state/support/fake-store-context.js';

const HOUR = 3_600_000;

interface Stack {
  name: string;
  logging: boolean;
  persistent: boolean;
}

const stacks: Stack[] = [
  { name: 'in-memory, change-logging', logging: true, persistent: false },
  { name: 'in-memory, no logging', logging: false, persistent: false },
  { name: 'level, change-logging', logging: true, persistent: true },
  { name: 'level, no logging', logging: false, persistent: true },
];

/** Stores and temp dirs opened by the current test, closed and removed after it. */
const opened: { store: WindowStore<string, string>; dir: string | undefined }[] = [];

afterEach(async () => {
  for (const { store, dir } of opened.splice(0)) {
    await store.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  }
});

function supplierFor(stack: Stack, retention: number, size: number, duplicates: boolean) {
  return stack.persistent
    ? Stores.persistentWindowStore('w', retention, size, duplicates)
    : Stores.inMemoryWindowStore('w', retention, size, duplicates);
}

async function open(
  stack: Stack,
  options: { retention?: number; size?: number; duplicates?: boolean } = {},
): Promise<{ store: WindowStore<string, string>; context: FakeStoreContext }> {
  const supplier = supplierFor(
    stack,
    options.retention ?? HOUR,
    options.size ?? 10,
    options.duplicates ?? false,
  );
  const builder = Stores.windowStoreBuilder(supplier, Serdes.string(), Serdes.string());
  if (!stack.logging) builder.withLoggingDisabled();
  const store = builder.build();
  const dir = stack.persistent ? await mkdtemp(join(tmpdir(), 'tributary-window-')) : undefined;
  const context = new FakeStoreContext({ taskDir: dir });
  opened.push({ store, dir });
  await store.init(context, store);
  return { store, context };
}

const list = <K, V>(it: Iterable<{ key: K; value: V }>) => [...it];

for (const stack of stacks) {
  describe(`window store contract: ${stack.name}`, () => {
    it('puts, fetches one window and deletes with null', async () => {
      const { store } = await open(stack);
      store.put('a', 'one', 0);
      store.put('a', 'two', 10);
      expect(store.fetch('a', 0)).toBe('one');
      expect(store.fetch('a', 10)).toBe('two');
      expect(store.fetch('a', 20)).toBeUndefined();
      store.put('a', null, 0);
      expect(store.fetch('a', 0)).toBeUndefined();
    });

    it('fetches one key over a time range, oldest first, and backwards', async () => {
      const { store } = await open(stack);
      for (const t of [30, 0, 20, 10]) store.put('a', `a@${t}`, t);
      store.put('ab', 'other key', 10);
      store.put('', 'empty key', 10);
      expect(list(store.fetch('a', 10, 20))).toEqual([
        { key: 10, value: 'a@10' },
        { key: 20, value: 'a@20' },
      ]);
      expect(list(store.backwardFetch('a', 0, 100)).map((e) => e.key)).toEqual([30, 20, 10, 0]);
      expect(list(store.fetch('', 0, 100))).toEqual([{ key: 10, value: 'empty key' }]);
      expect(list(store.fetch('a', 21, 29))).toEqual([]);
    });

    it('fetches key ranges and all windows as Windowed keys with end = start + size', async () => {
      const { store } = await open(stack);
      store.put('b', 'b0', 0);
      store.put('a', 'a10', 10);
      store.put('c', 'c10', 10);
      store.put('a', 'a0', 0);
      expect(list(store.fetchRange('a', 'b', 0, 10))).toEqual([
        { key: { key: 'a', window: { start: 0, end: 10 } }, value: 'a0' },
        { key: { key: 'a', window: { start: 10, end: 20 } }, value: 'a10' },
        { key: { key: 'b', window: { start: 0, end: 10 } }, value: 'b0' },
      ]);
      expect(list(store.backwardFetchRange('a', 'b', 0, 10)).map((e) => e.value)).toEqual([
        'b0',
        'a10',
        'a0',
      ]);
      expect(list(store.fetchRange('b', undefined, 5, 100)).map((e) => e.value)).toEqual(['c10']);
      expect(list(store.fetchAll(0, 10)).map((e) => e.value)).toEqual(['a0', 'b0', 'a10', 'c10']);
      expect(list(store.backwardFetchAll(0, 10)).map((e) => e.value)).toEqual(['c10', 'a10', 'b0', 'a0']);
      expect(list(store.all()).map((e) => e.value)).toEqual(['a0', 'a10', 'b0', 'c10']);
      expect(list(store.backwardAll()).map((e) => e.value)).toEqual(['c10', 'b0', 'a10', 'a0']);
    });

    it('drops windows older than the largest window start minus retention', async () => {
      // retention 100: after a put at window start 150, windows starting at or before 50 are gone.
      const { store } = await open(stack, { retention: 100 });
      store.put('a', 'old', 50);
      store.put('a', 'kept', 51);
      store.put('b', 'new', 150);
      expect(store.fetch('a', 50)).toBeUndefined();
      expect(store.fetch('a', 51)).toBe('kept');
      expect(list(store.all()).map((e) => e.value)).toEqual(['kept', 'new']);
      // A late write into an expired window is ignored.
      store.put('a', 'too late', 40);
      expect(list(store.fetch('a', 0, 200)).map((e) => e.value)).toEqual(['kept']);
    });

    it('keeps every value of a key and window with retainDuplicates', async () => {
      const { store } = await open(stack, { duplicates: true });
      store.put('a', 'x', 5);
      store.put('a', 'y', 5);
      store.put('a', 'z', 6);
      store.put('a', null, 5); // ignored with duplicates
      expect(list(store.fetch('a', 0, 10))).toEqual([
        { key: 5, value: 'x' },
        { key: 5, value: 'y' },
        { key: 6, value: 'z' },
      ]);
    });

    it('iterators read a snapshot: writes while iterating do not show up', async () => {
      const { store } = await open(stack);
      store.put('a', 'one', 0);
      const it = store.fetch('a', 0, 100);
      store.put('a', 'two', 10);
      expect(list(it)).toEqual([{ key: 0, value: 'one' }]);
    });

    it('rejects use before init', () => {
      const store = Stores.windowStoreBuilder(
        supplierFor(stack, HOUR, 10, false),
        Serdes.string(),
        Serdes.string(),
      ).build();
      expect(() => store.put('a', 'x', 0)).toThrow(/not open/);
    });
  });
}

describe('window store change-logging and restore', () => {
  it('logs Kafka window keys (key, big-endian start, sequence number) and restores from them', async () => {
    const { store, context } = await open(stacks[0]!, { duplicates: true });
    store.put('k', 'v1', 7);
    store.put('k', 'v2', 7);
    expect(context.changes.map((c) => c.key)).toEqual([
      windowStoreKeyBytes(Buffer.from('k'), 7, 1),
      windowStoreKeyBytes(Buffer.from('k'), 7, 2),
    ]);
    expect(context.changes[0]!.key.toString('hex')).toBe('6b' + '0000000000000007' + '00000001');

    const restored = await open(stacks[1]!, { duplicates: true });
    const restore = restored.context.registrations[0]!.restore;
    restore(context.changes.map((c, i) => ({ key: c.key, value: c.value, timestamp: 0, offset: String(i) })));
    expect(list(restored.store.fetch('k', 0, 10)).map((e) => e.value)).toEqual(['v1', 'v2']);
  });

  it('sets a compact,delete changelog with retention plus a day', () => {
    const builder = Stores.windowStoreBuilder(
      Stores.inMemoryWindowStore('w', HOUR, 10, false),
      Serdes.string(),
      Serdes.string(),
    );
    expect(builder.logConfig).toEqual({
      'cleanup.policy': 'compact,delete',
      'retention.ms': String(HOUR + 24 * HOUR),
    });
    expect(builder.build()).toBeInstanceOf(MeteredWindowStore);
  });

  it('validates the supplier arguments', () => {
    expect(() => Stores.inMemoryWindowStore('w', 5, 10, false)).toThrow(
      /retentionPeriodMs \(5\) must be at least windowSizeMs/,
    );
    expect(() => Stores.inMemoryWindowStore('w', -1, 0, false)).toThrow(/retentionPeriodMs/);
  });
});
