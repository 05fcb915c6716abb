import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Serdes } from '../src/index.js';
import { createEmbeddedKafka } from '../src/kafka/index.js';
import { TopologyTestDriver } from '../src/testing/index.js';
import {
  ACCOUNTS_STORE,
  BALANCES_TOPIC,
  buildEventSourcingTopology,
  EVENTS_TOPIC,
  runEventSourcing,
  sampleEvents,
  type Account,
  type AccountEvent,
} from './event-sourcing.js';

describe('event sourcing on the TopologyTestDriver', () => {
  it('folds each account’s events in order into the accounts table, refusing overdrafts', () => {
    const driver = new TopologyTestDriver(buildEventSourcingTopology(), { applicationId: 'bank' });
    const events = driver.createInputTopic(EVENTS_TOPIC, Serdes.string(), Serdes.json<AccountEvent>());
    const balances = driver.createOutputTopic(BALANCES_TOPIC, Serdes.string(), Serdes.json<Account>());
    for (const { key, value } of sampleEvents()) events.pipeInput(key, value);

    const store = driver.getKeyValueStore<string, Account>(ACCOUNTS_STORE);
    expect(store.get('acc-1')).toEqual({ owner: 'alice', balance: 60, open: true, version: 3, rejected: 0 });
    // bob's withdrawal of 50 from 30 is refused and counted; the later deposit applies.
    expect(store.get('acc-2')).toEqual({ owner: 'bob', balance: 35, open: true, version: 3, rejected: 1 });
    // Every event yields one update (caching is off in the driver), the refused one included.
    expect(balances.readValuesToList().map((a) => a!.balance)).toEqual([0, 0, 100, 30, 60, 30, 35]);

    events.pipeInput('acc-1', { type: 'closed' });
    events.pipeInput('acc-1', { type: 'deposited', amount: 1 }); // on a closed account: refused
    expect(store.get('acc-1')).toMatchObject({ open: false, balance: 60, version: 4, rejected: 1 });
    events.pipeInput('acc-3', { type: 'withdrew', amount: 1 }); // never opened: refused
    expect(store.get('acc-3')).toEqual({ owner: null, balance: 0, open: false, version: 0, rejected: 1 });
    driver.close();
  });
});

describe('event sourcing running on the embedded broker', () => {
  it('answers interactive queries on the accounts store of the running app', async () => {
    const kafka = createEmbeddedKafka();
    const admin = await kafka.admin();
    await admin.createTopics([
      { topic: EVENTS_TOPIC, partitions: 2 },
      { topic: BALANCES_TOPIC, partitions: 2 },
    ]);
    await admin.close();
    const stateDir = await mkdtemp(join(tmpdir(), 'tributary-es-test-'));
    const { app, accounts } = await runEventSourcing(kafka, { stateDir });
    try {
      expect(accounts).toEqual(
        new Map([
          ['acc-1', { owner: 'alice', balance: 60, open: true, version: 3, rejected: 0 }],
          ['acc-2', { owner: 'bob', balance: 35, open: true, version: 3, rejected: 1 }],
        ]),
      );
      const store = app.store<string, Account>(ACCOUNTS_STORE, { type: 'keyValue' });
      expect(store.get('acc-2')?.balance).toBe(35);
      expect(store.get('acc-9')).toBeUndefined();
      // Approximate, as in Kafka Streams: it counts the store below the cache, written down at commits.
      await expect.poll(() => store.approximateNumEntries(), { timeout: 10_000 }).toBe(2);
    } finally {
      await app.close();
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
