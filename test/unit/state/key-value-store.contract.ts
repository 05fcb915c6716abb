import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateStoreError } from '../../../src/errors.js';
import type { CachingKeyValueStore } from '../../../src/state/caching-key-value-store.js';
import type {
  KeyValueBytesStore,
  KeyValueIterator,
  KeyValueStore,
  StateStore,
} from '../../../src/state/store.js';
import { FakeStoreContext } from './support/fake-store-context.js';

/** What the suite drives: the bytes-level operations every stack offers, typed or not. */
export type ContractStore = Omit<KeyValueStore<Buffer, Buffer>, 'prefixScan'> & {
  prefixScan(prefix: Buffer): KeyValueIterator<Buffer, Buffer>;
};

/** One freshly built (not yet initialised) stack. */
export interface BuiltStack {
  store: ContractStore;
  /** The object the runtime would `init`, flush and close. */
  root: StateStore;
  /** The store that holds the data, at the bottom. */
  inner: KeyValueBytesStore;
  /** The caching layer, when the stack has one. */
  cache?: CachingKeyValueStore;
}

export interface StoreStack {
  name: string;
  persistent: boolean;
  /** Whether the outer layer registers the store for restoration (the metered layer does). */
  registers: boolean;
  caching: boolean;
  logging: boolean;
  build(): BuiltStack;
}

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const bytes = (...values: number[]): Buffer => Buffer.from(values);

function keys(iterator: KeyValueIterator<Buffer, Buffer>): string[] {
  return [...iterator].map(({ key }) => key.toString('latin1'));
}

function entries(iterator: KeyValueIterator<Buffer, Buffer>): string[] {
  return [...iterator].map(({ key, value }) => `${key.toString('latin1')}=${value.toString('latin1')}`);
}

export function keyValueStoreContract(stack: StoreStack): void {
  describe(`key-value store contract: ${stack.name}`, () => {
    let taskDir: string | undefined;
    let context: FakeStoreContext;
    let built: BuiltStack;
    let store: ContractStore;

    async function open(options: { cacheMaxBytes?: number } = {}): Promise<void> {
      context = new FakeStoreContext({ taskDir, ...options });
      built = stack.build();
      store = built.store;
      await built.root.init(context, built.root);
    }

    async function reopen(): Promise<void> {
      await built.root.flush();
      await built.root.close();
      await open();
    }

    beforeEach(async () => {
      taskDir = stack.persistent ? await mkdtemp(join(tmpdir(), 'tributary-state-')) : undefined;
      await open();
    });

    afterEach(async () => {
      if (built.root.isOpen()) await built.root.close();
      if (taskDir !== undefined) await rm(taskDir, { recursive: true, force: true });
    });

    it('reads what it wrote, and undefined for missing keys', () => {
      store.put(b('a'), b('1'));
      store.put(b('a'), b('2'));
      expect(store.get(b('a'))?.toString()).toBe('2');
      expect(store.get(b('missing'))).toBeUndefined();
    });

    it('treats a null value as a delete', () => {
      store.put(b('a'), b('1'));
      store.put(b('a'), null);
      expect(store.get(b('a'))).toBeUndefined();
      expect(keys(store.all())).toEqual([]);
    });

    it('delete returns the old value, or undefined when absent', () => {
      store.put(b('a'), b('1'));
      expect(store.delete(b('a'))?.toString()).toBe('1');
      expect(store.delete(b('a'))).toBeUndefined();
      expect(store.get(b('a'))).toBeUndefined();
    });

    it('putIfAbsent puts only when absent and returns the existing value', () => {
      expect(store.putIfAbsent(b('a'), b('1'))).toBeUndefined();
      expect(store.putIfAbsent(b('a'), b('2'))?.toString()).toBe('1');
      expect(store.get(b('a'))?.toString()).toBe('1');
    });

    it('putAll writes every entry, null entries deleting', () => {
      store.put(b('c'), b('old'));
      store.putAll([
        { key: b('a'), value: b('1') },
        { key: b('b'), value: b('2') },
        { key: b('c'), value: null },
      ]);
      expect(entries(store.all())).toEqual(['a=1', 'b=2']);
    });

    it('orders keys by unsigned bytes (0x7f before 0x80, prefixes first)', () => {
      for (const key of [
        bytes(0x80),
        bytes(0xff, 0x00),
        bytes(0x7f),
        bytes(0x00),
        bytes(0x7f, 0x01),
        bytes(0xff),
      ]) {
        store.put(key, b('v'));
      }
      const hex = (iterator: KeyValueIterator<Buffer, Buffer>) =>
        [...iterator].map(({ key }) => key.toString('hex'));
      const ascending = ['00', '7f', '7f01', '80', 'ff', 'ff00'];
      expect(hex(store.all())).toEqual(ascending);
      expect(hex(store.reverseAll())).toEqual([...ascending].reverse());
    });

    describe('ranges', () => {
      beforeEach(() => {
        for (const key of ['a', 'b', 'c', 'd', 'e']) store.put(b(key), b(key.toUpperCase()));
      });

      it('are inclusive at both ends', () => {
        expect(entries(store.range(b('b'), b('d')))).toEqual(['b=B', 'c=C', 'd=D']);
        expect(keys(store.reverseRange(b('b'), b('d')))).toEqual(['d', 'c', 'b']);
      });

      it('are open where a bound is omitted', () => {
        expect(keys(store.range(undefined, b('b')))).toEqual(['a', 'b']);
        expect(keys(store.range(b('d')))).toEqual(['d', 'e']);
        expect(keys(store.range())).toEqual(['a', 'b', 'c', 'd', 'e']);
        expect(keys(store.reverseRange(undefined, b('b')))).toEqual(['b', 'a']);
        expect(keys(store.reverseRange(b('d')))).toEqual(['e', 'd']);
      });

      it('accept bounds that are not keys', () => {
        expect(keys(store.range(b('bb'), b('dd')))).toEqual(['c', 'd']);
        expect(keys(store.reverseRange(b('0'), b('bz')))).toEqual(['b', 'a']);
      });

      it('are empty when from is after to', () => {
        expect(keys(store.range(b('d'), b('b')))).toEqual([]);
        expect(keys(store.reverseRange(b('d'), b('b')))).toEqual([]);
      });

      it('peek the next key without consuming it', () => {
        const iterator = store.range(b('c'));
        expect(iterator.peekNextKey()?.toString()).toBe('c');
        expect(iterator.next().value?.key.toString()).toBe('c');
        expect(iterator.peekNextKey()?.toString()).toBe('d');
        iterator.close();
        expect(iterator.next().done).toBe(true);
      });

      it('are not disturbed by writes made while iterating', () => {
        const iterator = store.all();
        const seen: string[] = [];
        for (const { key, value } of iterator) {
          seen.push(`${key.toString()}=${value.toString()}`);
          store.put(b('c'), b('changed'));
          store.delete(b('d'));
          store.put(b('zz'), b('new'));
        }
        expect(seen).toEqual(['a=A', 'b=B', 'c=C', 'd=D', 'e=E']);
        expect(entries(store.all())).toEqual(['a=A', 'b=B', 'c=changed', 'e=E', 'zz=new']);
      });
    });

    it('prefixScan returns the keys starting with the prefix', () => {
      for (const key of ['a', 'ab', 'abc', 'abd', 'ac', 'b']) store.put(b(key), b('v'));
      expect(keys(store.prefixScan(b('ab')))).toEqual(['ab', 'abc', 'abd']);
      expect(keys(store.prefixScan(b('x')))).toEqual([]);
    });

    it('prefixScan handles prefixes ending in 0xff bytes', () => {
      for (const key of [
        bytes(0x01, 0xff),
        bytes(0x01, 0xff, 0x00),
        bytes(0x01, 0xfe),
        bytes(0x02),
        bytes(0xff, 0xff),
      ]) {
        store.put(key, b('v'));
      }
      const hex = (iterator: KeyValueIterator<Buffer, Buffer>) =>
        [...iterator].map(({ key }) => key.toString('hex'));
      expect(hex(store.prefixScan(bytes(0x01, 0xff)))).toEqual(['01ff', '01ff00']);
      expect(hex(store.prefixScan(bytes(0xff)))).toEqual(['ffff']);
    });

    it('counts its entries (exactly, once flushed)', async () => {
      for (const key of ['a', 'b', 'c']) store.put(b(key), b('v'));
      store.put(b('b'), b('w'));
      store.delete(b('c'));
      await built.root.flush();
      expect(store.approximateNumEntries()).toBe(2);
    });

    it('throws a StateStoreError when used after close', async () => {
      await built.root.close();
      expect(built.root.isOpen()).toBe(false);
      expect(() => store.get(b('a'))).toThrow(StateStoreError);
    });

    if (stack.persistent) {
      it('keeps flushed data across close and reopen', async () => {
        store.put(b('a'), b('1'));
        store.put(b('b'), b('2'));
        store.put(b('c'), b('3'));
        await built.root.flush();
        store.delete(b('b'));
        await reopen();
        expect(entries(store.all())).toEqual(['a=1', 'c=3']);
        expect(store.get(b('a'))?.toString()).toBe('1');
        expect(store.approximateNumEntries()).toBe(2);
      });

      it('reads flushed values, including in ranges, after reopening', async () => {
        for (let i = 0; i < 50; i++) store.put(b(`k${String(i).padStart(2, '0')}`), b(`v${i}`));
        await reopen();
        store.put(b('k10'), b('updated'));
        expect(entries(store.range(b('k09'), b('k11')))).toEqual(['k09=v9', 'k10=updated', 'k11=v11']);
        expect(keys(store.reverseRange(b('k47')))).toEqual(['k49', 'k48', 'k47']);
      });
    } else {
      it('starts empty after close and reopen', async () => {
        store.put(b('a'), b('1'));
        await reopen();
        expect(keys(store.all())).toEqual([]);
      });
    }

    if (stack.registers) {
      it('registers once, and restores into the inner store without logging or caching', () => {
        expect(context.registrations).toHaveLength(1);
        const [registration] = context.registrations;
        expect(registration!.store).toBe(built.root);
        registration!.restore([
          { key: b('a'), value: b('1'), timestamp: 5, offset: '0' },
          { key: b('b'), value: b('2'), timestamp: 6, offset: '1' },
          { key: b('a'), value: null, timestamp: 7, offset: '2' },
        ]);
        expect(context.changes).toEqual([]);
        expect(built.inner.get(b('b'))?.toString()).toBe('2');
        expect(entries(store.all())).toEqual(['b=2']);
      });
    }

    if (stack.logging) {
      it('logs each write to the changelog with the current timestamp, deletes as null', async () => {
        context.timestamp = 42;
        store.put(b('a'), b('1'));
        store.delete(b('a'));
        store.put(b('b'), b('2'));
        await built.root.flush();
        const logged = context.changes.map(({ storeName, key, value, timestamp }) => [
          storeName,
          key.toString(),
          value?.toString() ?? null,
          timestamp,
        ]);
        expect(logged).toContainEqual([built.root.name, 'b', '2', 42]);
        expect(logged).toContainEqual([built.root.name, 'a', null, 42]);
        expect(built.inner.get(b('b'))?.toString()).toBe('2');
      });
    }

    if (stack.caching) {
      describe('caching', () => {
        it('writes a key put many times down once per flush, with its last value', async () => {
          const reported: string[] = [];
          built.cache!.setFlushListener((key, newValue) => reported.push(`${key}=${newValue}`), false);
          for (let i = 0; i < 10; i++) store.put(b('k'), b(`v${i}`));
          expect(context.changes).toHaveLength(0);
          expect(built.inner.get(b('k'))).toBeUndefined();
          await built.root.flush();
          expect(reported).toEqual(['k=v9']);
          expect(context.changes.map(({ key, value }) => `${key}=${value}`)).toEqual(['k=v9']);
          expect(built.inner.get(b('k'))?.toString()).toBe('v9');
        });

        it('tells the listener the old value the inner store held', async () => {
          const reported: string[] = [];
          built.cache!.setFlushListener(
            (key, newValue, oldValue, timestamp) =>
              reported.push(`${key}:${oldValue}->${newValue}@${timestamp}`),
            true,
          );
          context.timestamp = 1;
          store.put(b('k'), b('v1'));
          await built.root.flush();
          context.timestamp = 2;
          store.put(b('k'), b('v2'));
          store.put(b('gone'), null); // never existed below: nothing to report
          context.timestamp = 3;
          store.delete(b('k'));
          await built.root.flush();
          expect(reported).toEqual(['k:null->v1@1', 'k:v1->null@3']);
        });

        it('merges dirty entries with the inner store in ranges', async () => {
          for (const key of ['a', 'b', 'c', 'e']) store.put(b(key), b('old'));
          await built.root.flush();
          store.put(b('b'), b('new'));
          store.delete(b('c'));
          store.put(b('d'), b('new'));
          store.put(b('f'), b('new'));
          expect(entries(store.all())).toEqual(['a=old', 'b=new', 'd=new', 'e=old', 'f=new']);
          expect(keys(store.reverseAll())).toEqual(['f', 'e', 'd', 'b', 'a']);
          expect(keys(store.range(b('b'), b('d')))).toEqual(['b', 'd']);
          expect(keys(store.reverseRange(b('c'), b('e')))).toEqual(['e', 'd']);
          expect(keys(store.prefixScan(b('c')))).toEqual([]);
        });

        it('loses nothing when a tiny cache evicts dirty entries', async () => {
          await built.root.close();
          await open({ cacheMaxBytes: 200 });
          const reported = new Map<string, string>();
          built.cache!.setFlushListener(
            (key, newValue) => reported.set(key.toString(), String(newValue)),
            false,
          );
          for (let round = 0; round < 3; round++) {
            for (let i = 0; i < 40; i++) store.put(b(`k${String(i).padStart(2, '0')}`), b(`r${round}`));
          }
          expect(built.inner.approximateNumEntries()).toBeGreaterThan(0); // evictions wrote some down early
          for (let i = 0; i < 40; i++)
            expect(store.get(b(`k${String(i).padStart(2, '0')}`))?.toString()).toBe('r2');
          await built.root.flush();
          expect(keys(built.inner.all())).toHaveLength(40);
          expect([...built.inner.all()].every(({ value }) => value.toString() === 'r2')).toBe(true);
          expect(reported.size).toBe(40);
          expect([...reported.values()].every((value) => value === 'r2')).toBe(true);
          const lastLogged = new Map(
            context.changes.map(({ key, value }) => [key.toString(), String(value)]),
          );
          expect([...lastLogged.values()].every((value) => value === 'r2')).toBe(true);
          expect(lastLogged.size).toBe(40);
        });

        it('writes through and reports every write when cacheMaxBytes is 0', async () => {
          await built.root.close();
          await open({ cacheMaxBytes: 0 });
          const reported: string[] = [];
          built.cache!.setFlushListener((key, newValue) => reported.push(`${key}=${newValue}`), false);
          store.put(b('k'), b('1'));
          store.put(b('k'), b('2'));
          expect(reported).toEqual(['k=1', 'k=2']);
          expect(built.inner.get(b('k'))?.toString()).toBe('2');
          expect(context.changes).toHaveLength(2);
        });
      });
    }
  });
}
