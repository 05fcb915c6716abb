import { expect, it } from 'vitest';
import { Stores } from '../../../src/state/stores.js';
import type { CacheBudget, KeyValueStore } from '../../../src/state/store.js';
import { FakeStoreContext } from './support/fake-store-context.js';
import { stringSerde } from './support/test-serdes.js';

it('caches sharing an instance budget stay within it together and lose nothing', async () => {
  const budget: CacheBudget = { maxBytes: 2_000, usedBytes: 0 };
  const context = new FakeStoreContext({ cacheMaxBytes: budget.maxBytes, cacheBudget: budget });
  const stores: KeyValueStore<string, string>[] = ['a', 'b'].map((name) => {
    const store = Stores.keyValueStoreBuilder(
      Stores.inMemoryKeyValueStore(name),
      stringSerde,
      stringSerde,
    ).build();
    void store.init(context, store);
    return store;
  });
  let peak = 0;
  for (let i = 0; i < 500; i++) {
    stores[i % 2]!.put(`key-${i}`, 'x'.repeat(20));
    peak = Math.max(peak, budget.usedBytes);
  }
  // Each cache alone may use the whole budget; together they must not exceed it.
  expect(peak).toBeLessThanOrEqual(budget.maxBytes);
  expect(budget.usedBytes).toBeGreaterThan(0);
  for (const store of stores) await store.flush();
  for (let i = 0; i < 500; i++) expect(stores[i % 2]!.get(`key-${i}`)).toBe('x'.repeat(20));
  // Evicted and flushed entries were logged once each.
  expect(new Set(context.changes.map((c) => `${c.storeName}/${c.key.toString()}`)).size).toBe(500);
  for (const store of stores) await store.close();
  expect(budget.usedBytes).toBe(0);
});
