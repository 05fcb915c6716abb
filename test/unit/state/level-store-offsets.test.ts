import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateStoreError } from '../../../src/errors.js';
import { LevelKeyValueStore } from '../../../src/state/level-key-value-store.js';
import { OFFSETS_KEY } from '../../../src/state/internal/level-integrity.js';
import { FakeStoreContext } from './support/fake-store-context.js';

const b = (s: string): Buffer => Buffer.from(s);
const TP = 'app-events-changelog:0';

describe('LevelKeyValueStore changelog offsets', () => {
  let taskDir: string;
  let store: LevelKeyValueStore;

  beforeEach(async () => {
    taskDir = await mkdtemp(join(tmpdir(), 'tributary-level-offsets-'));
    store = await opened();
  });

  afterEach(async () => {
    await store.close();
    await rm(taskDir, { recursive: true, force: true });
  });

  async function opened(): Promise<LevelKeyValueStore> {
    const s = new LevelKeyValueStore('events');
    await s.init(new FakeStoreContext({ taskDir }), s);
    return s;
  }

  async function reopened(): Promise<LevelKeyValueStore> {
    await store.close();
    store = await opened();
    return store;
  }

  it('keeps its offsets with its data across a reopen, and hides them from reads', async () => {
    expect(store.committedOffsets()).toEqual({});
    store.put(b('a'), b('1'));
    await store.commit({ [TP]: '7' });
    await reopened();
    expect(store.committedOffsets()).toEqual({ [TP]: '7' });
    expect([...store.all()].map((e) => e.key.toString())).toEqual(['a']);
    expect(store.approximateNumEntries()).toBe(1);
  });

  it('writes data and offsets in one batch: unflushed writes and the offset reach disk together', async () => {
    store.put(b('a'), b('1'));
    await store.commit({ [TP]: '1' });
    store.put(b('a'), b('2'));
    store.put(b('b'), b('1'));
    // Closed without a commit: neither the writes nor a newer offset survive.
    await reopened();
    expect(store.get(b('a'))?.toString()).toBe('1');
    expect(store.get(b('b'))).toBeUndefined();
    expect(store.committedOffsets()).toEqual({ [TP]: '1' });
  });

  it('merges offsets of several changelogs and keeps them through plain flushes', async () => {
    await store.commit({ [TP]: '3', 'other:1': '5' });
    store.put(b('x'), b('1'));
    await store.flush();
    await store.commit({ [TP]: '4' });
    await reopened();
    expect(store.committedOffsets()).toEqual({ [TP]: '4', 'other:1': '5' });
  });

  it('refuses the reserved offsets key as a user key', () => {
    expect(() => store.put(OFFSETS_KEY, b('x'))).toThrow(StateStoreError);
  });

  it('has no offsets when its directory vanished', async () => {
    store.put(b('a'), b('1'));
    await store.commit({ [TP]: '1' });
    await store.close();
    await rm(join(taskDir, 'events'), { recursive: true, force: true });
    store = await opened();
    expect(store.committedOffsets()).toEqual({});
    expect(store.approximateNumEntries()).toBe(0);
  });

  it("after its write-ahead log was truncated, holds an earlier commit with that commit's offset", async () => {
    for (let i = 1; i <= 200; i++) {
      store.put(b(`k${i % 20}`), b(String(i).padStart(300, '0')));
      await store.commit({ [TP]: String(i) });
    }
    await store.close();
    const log = await walFile();
    const bytes = await readFile(log);
    await writeFile(log, bytes.subarray(0, Math.floor(bytes.length / 2)));
    store = await opened();
    const offset = Number(store.committedOffsets()[TP]);
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThan(200);
    // Every key holds the value of the last commit the offset covers.
    for (let k = 0; k < 20; k++) {
      const last = Math.max(...[...Array(offset).keys()].map((i) => i + 1).filter((i) => i % 20 === k));
      expect(store.get(b(`k${k}`))?.toString()).toBe(String(last).padStart(300, '0'));
    }
  });

  it('refuses to open over a write-ahead log LevelDB skipped damaged records of, and releases the database', async () => {
    for (let i = 1; i <= 400; i++) {
      store.put(b(`k${i % 50}`), b(String(i).padStart(300, '0')));
      await store.commit({ [TP]: String(i) });
    }
    await store.close();
    const log = await walFile();
    const bytes = await readFile(log);
    expect(bytes.length).toBeGreaterThan(3 * 32_768);
    // A flipped byte in the first 32 KiB block: LevelDB drops that block and replays the rest.
    bytes[1_000] = bytes[1_000]! ^ 0xff;
    await writeFile(log, bytes);

    const damaged = new LevelKeyValueStore('events');
    await expect(damaged.init(new FakeStoreContext({ taskDir }), damaged)).rejects.toThrow(/lost data/);
    // The documented recovery, wipe and reopen, works in the same process (no LEVEL_LOCKED).
    await rm(join(taskDir, 'events'), { recursive: true, force: true });
    store = await opened();
    expect(store.committedOffsets()).toEqual({});
  });

  async function walFile(): Promise<string> {
    const logs = (await readdir(join(taskDir, 'events'))).filter((f) => f.endsWith('.log'));
    expect(logs).toHaveLength(1);
    return join(taskDir, 'events', logs[0]!);
  }
});
