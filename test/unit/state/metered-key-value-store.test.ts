import { describe, expect, it } from 'vitest';
import { StateStoreError } from '../../../src/errors.js';
import type { Serde } from '../../../src/serde/serde.js';
import { CachingKeyValueStore } from '../../../src/state/caching-key-value-store.js';
import { InMemoryKeyValueStore } from '../../../src/state/in-memory-key-value-store.js';
import { MeteredKeyValueStore } from '../../../src/state/metered-key-value-store.js';
import { FakeStoreContext } from './support/fake-store-context.js';
import { numberSerde, stringSerde } from './support/test-serdes.js';

function openStore(options: { caching?: boolean } = {}) {
  const inner = new InMemoryKeyValueStore('scores');
  const below = options.caching === true ? new CachingKeyValueStore(inner) : inner;
  const store = new MeteredKeyValueStore(below, stringSerde, numberSerde);
  const context = new FakeStoreContext();
  store.init(context, store);
  return { store, inner, context };
}

describe('MeteredKeyValueStore', () => {
  it('serializes keys and values with its serdes and deserializes results', () => {
    const { store, inner } = openStore();
    store.put('alice', 1.5);
    expect(inner.get(Buffer.from('alice'))?.readDoubleBE(0)).toBe(1.5);
    expect(store.get('alice')).toBe(1.5);
    expect(store.putIfAbsent('alice', 9)).toBe(1.5);
    store.putAll([
      { key: 'bob', value: 2 },
      { key: 'carol', value: 3 },
    ]);
    expect([...store.range('b', 'c')]).toEqual([{ key: 'bob', value: 2 }]);
    expect(store.delete('bob')).toBe(2);
    expect([...store.prefixScan('car', stringSerde)]).toEqual([{ key: 'carol', value: 3 }]);
    expect(store.range('carol').peekNextKey()).toBe('carol');
  });

  it('counts puts, gets, deletes and range scans', () => {
    const { store } = openStore();
    store.put('a', 1);
    store.putIfAbsent('b', 2);
    store.putAll([
      { key: 'c', value: 3 },
      { key: 'd', value: null },
    ]);
    store.get('a');
    store.get('missing');
    store.delete('a');
    store.all().close();
    store.reverseRange('a', 'z').close();
    store.prefixScan('a', stringSerde).close();
    expect(store.metrics()).toEqual({ puts: 4, gets: 2, deletes: 1, rangeScans: 3 });
  });

  it('rejects a key its serde turns into null', () => {
    const nullKeys: Serde<string> = { name: 'nulls', serialize: () => null, deserialize: () => null };
    const store = new MeteredKeyValueStore(new InMemoryKeyValueStore('s'), nullKeys, numberSerde);
    store.init(new FakeStoreContext(), store);
    expect(() => store.put('a', 1)).toThrow(StateStoreError);
  });

  it('passes the changelog topic to the serdes', () => {
    const topics: (string | undefined)[] = [];
    const recording: Serde<string> = {
      ...stringSerde,
      serialize: (v, topic) => (topics.push(topic), stringSerde.serialize(v)),
    };
    const store = new MeteredKeyValueStore(new InMemoryKeyValueStore('counts'), recording, numberSerde);
    store.init(new FakeStoreContext(), store);
    store.put('a', 1);
    expect(topics).toEqual(['app-counts-changelog']);
  });

  it('forwards cache write-downs, deserialized, to a typed flush listener', () => {
    const { store } = openStore({ caching: true });
    const seen: unknown[] = [];
    expect(
      store.setFlushListener((key, newValue, oldValue) => seen.push([key, newValue, oldValue]), true),
    ).toBe(true);
    store.put('a', 1);
    store.flush();
    store.put('a', 2);
    store.flush();
    expect(seen).toEqual([
      ['a', 1, null],
      ['a', 2, 1],
    ]);
  });

  it('reports that there is no cache to listen to when caching is off', () => {
    const { store } = openStore();
    expect(store.setFlushListener(() => undefined, false)).toBe(false);
  });
});
