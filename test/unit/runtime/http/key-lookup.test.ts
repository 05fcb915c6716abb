import { describe, expect, it } from 'vitest';
import { InvalidStateStoreError, Serdes, StreamsBuilder, TimeWindows } from '../../../../src/index.js';
import { lookupKey, type KeyLookupApp } from '../../../../src/runtime/http/key-lookup.js';
import type { StoreAccessor } from '../../../../src/runtime/queryable-stores.js';

function topology() {
  const b = new StreamsBuilder();
  const ints = b.stream('ints', { key: Serdes.int32(), value: Serdes.string() }).groupByKey();
  ints.count({ name: 'by-int' });
  ints.windowedBy(TimeWindows.ofSizeWithNoGrace(1_000)).count({ name: 'windowed' });
  b.stream('big', { key: Serdes.int64(), value: Serdes.string() }).groupByKey().count({ name: 'by-bigint' });
  b.stream('raw', { key: Serdes.buffer(), value: Serdes.string() }).groupByKey().count({ name: 'by-bytes' });
  return b.build();
}

/** An app whose stores hold `values` (looked up by the parsed key) and that owns every key. */
function app(values: Map<unknown, unknown>, overrides: Partial<KeyLookupApp> = {}): KeyLookupApp {
  const store = ((name: string) => ({
    kind: name === 'windowed' ? 'window' : 'keyValue',
    get: (key: unknown) => values.get(key),
  })) as unknown as StoreAccessor;
  return {
    topology: topology(),
    defaultKeySerde: undefined,
    applicationServer: 'here:1',
    store,
    queryMetadataForKey: () => ({ activeHost: { host: 'here', port: 1 }, standbyHosts: [], partition: 0 }),
    ...overrides,
  };
}

describe('GET /api/stores/:store/:key', () => {
  it('parses the URL key with the store key serde: numbers and bigints', () => {
    const values = new Map<unknown, unknown>([
      [42, 7],
      [9007199254740993n, 3n],
    ]);
    expect(lookupKey(app(values), 'by-int', '42')).toEqual({
      status: 200,
      body: { store: 'by-int', key: '42', value: 7 },
    });
    expect(lookupKey(app(values), 'by-bigint', '9007199254740993')).toEqual({
      status: 200,
      body: { store: 'by-bigint', key: '9007199254740993', value: '3' },
    });
  });

  it('rejects keys the serde cannot read from a URL, naming store and serde', () => {
    const bad = lookupKey(app(new Map()), 'by-int', '4.5');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/by-int.*Int32.*not an integer/);
    const bytes = lookupKey(app(new Map()), 'by-bytes', 'abc');
    expect(bytes.status).toBe(400);
    expect(JSON.stringify(bytes.body)).toMatch(/Buffer serde/);
  });

  it('answers only key-value stores', () => {
    const windowed = lookupKey(app(new Map([[1, 1]])), 'windowed', '1');
    expect(windowed.status).toBe(400);
    expect(JSON.stringify(windowed.body)).toMatch(/window store/);
  });

  it('names the owner when another instance holds the key', () => {
    const elsewhere = app(new Map([[1, 1]]), {
      queryMetadataForKey: () => ({
        activeHost: { host: 'there', port: 2 },
        standbyHosts: [{ host: 'here', port: 1 }],
        partition: 3,
      }),
    });
    expect(lookupKey(elsewhere, 'by-int', '1')).toMatchObject({
      status: 421,
      body: {
        activeHost: { host: 'there', port: 2 },
        standbyHosts: [{ host: 'here', port: 1 }],
        partition: 3,
      },
    });
  });

  it('is 503 and retriable while the metadata or the store is not available', () => {
    const rebalancing = app(new Map(), {
      queryMetadataForKey: () => {
        throw new InvalidStateStoreError('not yet');
      },
    });
    expect(lookupKey(rebalancing, 'by-int', '1')).toEqual({
      status: 503,
      body: { error: 'not yet', retriable: true },
    });
  });

  it('without applicationServer reads the local store only', () => {
    const local = app(new Map([[5, 2]]), {
      applicationServer: undefined,
      queryMetadataForKey: () => {
        throw new Error('not called');
      },
    });
    expect(lookupKey(local, 'by-int', '5').status).toBe(200);
    expect(lookupKey(local, 'by-int', '6').status).toBe(404);
  });
});
