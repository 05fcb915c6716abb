import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateStoreError } from '../../../src/errors.js';
import { LevelKeyValueStore } from '../../../src/state/level-key-value-store.js';
import { FakeStoreContext } from './support/fake-store-context.js';

const b = (s: string): Buffer => Buffer.from(s);

describe('LevelKeyValueStore', () => {
  let taskDir: string;
  let store: LevelKeyValueStore;

  beforeEach(async () => {
    taskDir = await mkdtemp(join(tmpdir(), 'tributary-level-'));
    store = new LevelKeyValueStore('events');
    await store.init(new FakeStoreContext({ taskDir }), store);
  });

  afterEach(async () => {
    await store.close();
    await rm(taskDir, { recursive: true, force: true });
  });

  async function reopened(): Promise<LevelKeyValueStore> {
    await store.close();
    store = new LevelKeyValueStore('events');
    await store.init(new FakeStoreContext({ taskDir }), store);
    return store;
  }

  it('needs a task directory', async () => {
    const orphan = new LevelKeyValueStore('x');
    await expect(orphan.init(new FakeStoreContext(), orphan)).rejects.toThrow(StateStoreError);
  });

  it('loses writes that were never flushed when closed', async () => {
    store.put(b('flushed'), b('1'));
    await store.flush();
    store.put(b('pending'), b('2'));
    const again = await reopened();
    expect(again.get(b('flushed'))?.toString()).toBe('1');
    expect(again.get(b('pending'))).toBeUndefined();
  });

  it('keeps writes made while a flush is in flight, in order', async () => {
    store.put(b('k'), b('1'));
    store.put(b('gone'), b('x'));
    const first = store.flush();
    store.put(b('k'), b('2'));
    store.delete(b('gone'));
    expect(store.get(b('k'))?.toString()).toBe('2');
    await first;
    expect(store.get(b('k'))?.toString()).toBe('2');
    await store.flush();
    const again = await reopened();
    expect(again.get(b('k'))?.toString()).toBe('2');
    expect(again.get(b('gone'))).toBeUndefined();
    expect(again.approximateNumEntries()).toBe(1);
  });

  it('restores many records and persists them with one flush', async () => {
    const records = Array.from({ length: 5000 }, (_, i) => ({ key: b(`k${i}`), value: b(`v${i}`) }));
    store.putAll(records);
    await store.flush();
    const again = await reopened();
    expect(again.approximateNumEntries()).toBe(5000);
    expect(again.get(b('k4999'))?.toString()).toBe('v4999');
  });
});
