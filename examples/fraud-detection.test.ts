import { afterEach, describe, expect, it } from 'vitest';
import { Serdes } from '../src/index.js';
import { TopologyTestDriver } from '../src/testing/index.js';
import {
  ALERTS_TOPIC,
  buildFraudTopology,
  CARDS_TOPIC,
  HOUR_MS,
  TRANSACTIONS_TOPIC,
  type Alert,
  type Card,
  type Transaction,
} from './fraud-detection.js';

const MINUTE = 60_000;
/** 10:mm on day 0, in ms. */
const at = (minute: number) => 10 * HOUR_MS + minute * MINUTE;

describe('fraud detection example', () => {
  let driver: TopologyTestDriver;
  afterEach(() => driver.close());

  function start() {
    driver = new TopologyTestDriver(buildFraudTopology(), { applicationId: 'fraud' }, 0);
    return {
      cards: driver.createInputTopic(CARDS_TOPIC, Serdes.string(), Serdes.json<Card>()),
      transactions: driver.createInputTopic(TRANSACTIONS_TOPIC, Serdes.string(), Serdes.json<Transaction>()),
      alerts: driver.createOutputTopic(ALERTS_TOPIC, Serdes.string(), Serdes.json<Alert>()),
    };
  }

  it('alerts when a card spends more than its limit within a window', () => {
    const { cards, transactions, alerts } = start();
    // windows: 1 h long, one starting every 30 min → [9:30, 10:30), [10:00, 11:00), [10:30, 11:30)
    cards.pipeInput('card-1', { holder: 'Ann', limit: 500 }, at(0));
    transactions.pipeInput('card-1', { amount: 200, merchant: 'books' }, at(5)); //  [9:30) 200, [10:00) 200
    transactions.pipeInput('card-1', { amount: 250, merchant: 'shoes' }, at(20)); // [9:30) 450, [10:00) 450
    expect(alerts.isEmpty()).toBe(true);
    transactions.pipeInput('card-1', { amount: 100, merchant: 'cafe' }, at(40)); // [10:00) 550 > 500 → alert; [10:30) 100
    expect(alerts.readKeyValuesToList()).toEqual([
      {
        key: 'card-1',
        value: {
          card: 'card-1',
          holder: 'Ann',
          limit: 500,
          spent: 550,
          windowStart: at(0),
          windowEnd: at(60),
        },
      },
    ]);
  });

  it('uses the limit the card has when the spend is updated, and ignores unknown cards', () => {
    const { cards, transactions, alerts } = start();
    cards.pipeInput('card-1', { holder: 'Ann', limit: 100 }, at(0));
    transactions.pipeInput('card-2', { amount: 10_000, merchant: 'cars' }, at(1)); // no card-2 row → no alert
    cards.pipeInput('card-1', { holder: 'Ann', limit: 1_000 }, at(2)); // raising the limit emits nothing by itself
    transactions.pipeInput('card-1', { amount: 600, merchant: 'tv' }, at(3)); // 600 < 1000
    expect(alerts.isEmpty()).toBe(true);
    cards.pipeInput('card-1', { holder: 'Ann', limit: 300 }, at(4));
    transactions.pipeInput('card-1', { amount: 1, merchant: 'gum' }, at(5)); // both windows now 601 > 300
    expect(alerts.readValuesToList().map((a) => [a.windowStart, a.spent, a.limit])).toEqual([
      [at(-30), 601, 300],
      [at(0), 601, 300],
    ]);
  });
});
