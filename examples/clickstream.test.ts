import { describe, expect, it } from 'vitest';
import { Serdes } from '../src/index.js';
import { TopologyTestDriver } from '../src/testing/index.js';
import {
  buildClickstreamTopology,
  CLICKS_TOPIC,
  PRODUCTS_TOPIC,
  SAMPLE_PRODUCTS,
  sampleClicks,
  SESSIONS_TOPIC,
  type Click,
  type Product,
  type SessionSummary,
} from './clickstream.js';

const MINUTE = 60_000;

describe('clickstream on the TopologyTestDriver', () => {
  it('sessionizes enriched clicks per user, with conversion and revenue per session', () => {
    const driver = new TopologyTestDriver(buildClickstreamTopology(), { applicationId: 'shop' });
    const products = driver.createInputTopic(PRODUCTS_TOPIC, Serdes.string(), Serdes.json<Product>());
    const clicks = driver.createInputTopic(CLICKS_TOPIC, Serdes.string(), Serdes.json<Click>());
    const sessions = driver.createOutputTopic(SESSIONS_TOPIC, Serdes.string(), Serdes.json<SessionSummary>());
    for (const [id, product] of Object.entries(SAMPLE_PRODUCTS)) products.pipeInput(id, product, 0);
    // A click on a product the table does not know is dropped by the inner join.
    clicks.pipeInput('carol', { userId: 'carol', productId: 'p9', kind: 'view', ts: 0 });
    for (const click of sampleClicks(0)) clicks.pipeInput(click.userId, click);

    const updates = sessions.readValuesToList().map((s) => s!);
    // Every update of a session (caching is off in the driver); the last one per session is final.
    const final = new Map(updates.map((s) => [`${s.userId}@${s.start / MINUTE}`, s]));
    expect([...final.keys()].sort()).toEqual(['alice@0', 'bob@1', 'bob@70']);
    expect(final.get('alice@0')).toEqual({
      userId: 'alice',
      start: 0,
      end: 6 * MINUTE,
      views: 2,
      purchases: 1,
      revenue: 8,
      categories: ['kitchen'],
      converted: true,
    });
    expect(final.get('bob@1')).toMatchObject({ views: 1, converted: false, categories: ['home'] });
    expect(final.get('bob@70')).toMatchObject({ views: 1, converted: false, categories: ['kitchen'] });
    // alice's session grew with each click: 1 view, 2 views, then the purchase.
    expect(updates.filter((s) => s.userId === 'alice').map((s) => [s.views, s.purchases])).toEqual([
      [1, 0],
      [2, 0],
      [2, 1],
    ]);
    driver.close();
  });

  it('a product price change applies to later purchases only (stream–table join semantics)', () => {
    const driver = new TopologyTestDriver(buildClickstreamTopology(), { applicationId: 'shop' });
    const products = driver.createInputTopic(PRODUCTS_TOPIC, Serdes.string(), Serdes.json<Product>());
    const clicks = driver.createInputTopic(CLICKS_TOPIC, Serdes.string(), Serdes.json<Click>());
    const sessions = driver.createOutputTopic(SESSIONS_TOPIC, Serdes.string(), Serdes.json<SessionSummary>());
    products.pipeInput('p2', SAMPLE_PRODUCTS.p2!, 0);
    clicks.pipeInput('dan', { userId: 'dan', productId: 'p2', kind: 'purchase', ts: MINUTE });
    products.pipeInput('p2', { ...SAMPLE_PRODUCTS.p2!, price: 10 }, 2 * MINUTE);
    clicks.pipeInput('dan', { userId: 'dan', productId: 'p2', kind: 'purchase', ts: 3 * MINUTE });
    expect(sessions.readValuesToList().at(-1)).toMatchObject({ purchases: 2, revenue: 18 });
    driver.close();
  });
});
