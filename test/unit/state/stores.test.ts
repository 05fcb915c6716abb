import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { CachingKeyValueStore } from '../../../src/state/caching-key-value-store.js';
import { ChangeLoggingKeyValueStore } from '../../../src/state/change-logging-key-value-store.js';
import { InMemoryKeyValueStore } from '../../../src/state/in-memory-key-value-store.js';
import { WrappedKeyValueBytesStore } from '../../../src/state/internal/wrapped-key-value-bytes-store.js';
import { LevelKeyValueStore } from '../../../src/state/level-key-value-store.js';
import { MeteredKeyValueStore } from '../../../src/state/metered-key-value-store.js';
import type { KeyValueBytesStore, StateStore } from '../../../src/state/store.js';
import { Stores } from '../../../src/state/stores.js';
import { FakeStoreContext } from './support/fake-store-context.js';
import { numberSerde, stringSerde } from './support/test-serdes.js';

/** The layer classes from the outside in. */
function layers(store: StateStore): string[] {
  const names: string[] = [store.constructor.name];
  let current: KeyValueBytesStore | undefined =
    store instanceof MeteredKeyValueStore ? store.wrapped : undefined;
  while (current !== undefined) {
    names.push(current.constructor.name);
    current = current instanceof WrappedKeyValueBytesStore ? current.wrapped : undefined;
  }
  return names;
}

describe('Stores', () => {
  it('supplies in-memory and level inner stores', () => {
    const memory = Stores.inMemoryKeyValueStore('a');
    const level = Stores.persistentKeyValueStore('b');
    expect([memory.name, memory.kind, level.name, level.kind]).toEqual(['a', 'in-memory', 'b', 'level']);
    expect(memory.get()).toBeInstanceOf(InMemoryKeyValueStore);
    expect(level.get()).toBeInstanceOf(LevelKeyValueStore);
    expect(memory.get()).not.toBe(memory.get());
  });

  it('rejects empty names, and names that are not a single directory for persistent stores', () => {
    expect(() => Stores.inMemoryKeyValueStore('')).toThrow(ConfigError);
    expect(() => Stores.persistentKeyValueStore('../escape')).toThrow(ConfigError);
    expect(() => Stores.persistentKeyValueStore('..')).toThrow(ConfigError);
  });

  it('builds metered → caching → change-logging → inner by default', () => {
    const builder = Stores.keyValueStoreBuilder(
      Stores.inMemoryKeyValueStore('counts'),
      stringSerde,
      numberSerde,
    );
    expect([builder.name, builder.cachingEnabled, builder.loggingEnabled]).toEqual(['counts', true, true]);
    expect(layers(builder.build())).toEqual([
      MeteredKeyValueStore.name,
      CachingKeyValueStore.name,
      ChangeLoggingKeyValueStore.name,
      InMemoryKeyValueStore.name,
    ]);
  });

  it('leaves out the layers that are disabled', () => {
    const builder = Stores.keyValueStoreBuilder(
      Stores.inMemoryKeyValueStore('counts'),
      stringSerde,
      numberSerde,
    );
    expect(layers(builder.withCachingDisabled().build())).toEqual([
      MeteredKeyValueStore.name,
      ChangeLoggingKeyValueStore.name,
      InMemoryKeyValueStore.name,
    ]);
    expect(layers(builder.withLoggingDisabled().build())).toEqual([
      MeteredKeyValueStore.name,
      InMemoryKeyValueStore.name,
    ]);
    expect(layers(builder.withCachingEnabled().build())).toEqual([
      MeteredKeyValueStore.name,
      CachingKeyValueStore.name,
      InMemoryKeyValueStore.name,
    ]);
  });

  it('keeps the changelog topic config given with logging', () => {
    const builder = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('s'), stringSerde, numberSerde);
    expect(builder.withLoggingEnabled({ 'retention.ms': '1000' }).logConfig).toEqual({
      'retention.ms': '1000',
    });
    expect(builder.withLoggingDisabled().logConfig).toEqual({});
  });

  it('builds a fresh, fully synchronous in-memory stack each time', () => {
    const builder = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('s'), stringSerde, numberSerde);
    const store = builder.build();
    expect(builder.build()).not.toBe(store);
    const context = new FakeStoreContext();
    expect(store.init(context, store)).toBeUndefined();
    store.put('a', 1);
    expect(store.flush()).toBeUndefined();
    expect(context.changes).toHaveLength(1);
    expect(store.close()).toBeUndefined();
  });

  it('builds timestamped stores that keep Kafka Streams’ value format', () => {
    const store = Stores.timestampedKeyValueStoreBuilder(
      Stores.inMemoryKeyValueStore('t'),
      stringSerde,
      stringSerde,
    )
      .withCachingDisabled()
      .build();
    const context = new FakeStoreContext();
    store.init(context, store);
    store.put('k', { value: 'v', timestamp: 7 });
    expect(store.get('k')).toEqual({ value: 'v', timestamp: 7 });
    expect(context.changes[0]?.value?.toString('hex')).toBe('000000000000000776');
  });
});
