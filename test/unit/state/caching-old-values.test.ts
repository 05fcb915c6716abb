import { describe, expect, it } from 'vitest';
import { CachingKeyValueStore } from '../../../src/state/caching-key-value-store.js';
import { InMemoryKeyValueStore } from '../../../src/state/in-memory-key-value-store.js';
import { FakeStoreContext } from './support/fake-store-context.js';

/** An in-memory store that counts the reads made of it. */
class CountingStore extends InMemoryKeyValueStore {
  reads = 0;
  override get(key: Buffer): Buffer | undefined {
    this.reads++;
    return super.get(key);
  }
}

const b = (s: string) => Buffer.from(s);

describe('CachingKeyValueStore old values', () => {
  it('reports the right old value at each flush without reading back what it wrote down or read', () => {
    const below = new CountingStore('s');
    const cache = new CachingKeyValueStore(below);
    const context = new FakeStoreContext();
    cache.init(context, cache);
    const reported: [string, string | null, string | null][] = [];
    cache.setFlushListener(
      (key, newValue, oldValue) =>
        reported.push([key.toString(), newValue?.toString() ?? null, oldValue?.toString() ?? null]),
      true,
    );
    below.put(b('read'), b('r0'));
    expect(cache.get(b('read'))?.toString()).toBe('r0'); // one read through, cached
    cache.put(b('read'), b('r1'));
    cache.put(b('new'), b('n1'));
    cache.flush();
    const readsAfterFirstFlush = below.reads;
    cache.put(b('new'), b('n2'));
    cache.put(b('read'), b('r2'));
    cache.put(b('read'), b('r3'));
    cache.delete(b('new'));
    cache.flush();
    expect(reported).toEqual([
      ['new', 'n1', null],
      ['read', 'r1', 'r0'],
      ['new', null, 'n1'],
      ['read', 'r3', 'r1'],
    ]);
    // The second flush knew every old value: it wrote or read each one itself.
    expect(below.reads).toBe(readsAfterFirstFlush);
    expect(below.get(b('read'))?.toString()).toBe('r3');
    expect(below.get(b('new'))).toBeUndefined();
  });
});
