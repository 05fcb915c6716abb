/**
 * Fraud detection: card transactions are summed per card over hopping one-hour windows, each
 * window's spend is joined with the card's limit, and windows that exceed it raise an alert.
 * Test it with `examples/fraud-detection.test.ts`.
 *
 * ```
 * card-transactions ─▶ amount ─▶ per card, 1 h windows every 30 min ─▶ sum ─┐
 *                                                                           ├─ join on card ─▶ spent > limit ─▶ alerts
 * cards (limits) ─────────────────────────────────────────────────────── table ┘
 * ```
 */
import { Serdes, StreamsBuilder, TimeWindows, type Topology } from '../src/index.js';

/** Input: one card payment per record, keyed by card number. */
export const TRANSACTIONS_TOPIC = 'card-transactions';
/** Input: the card table (keyed by card number); a `null` value removes a card. */
export const CARDS_TOPIC = 'cards';
/** Output: one alert per window update over the card's limit, keyed by card number. */
export const ALERTS_TOPIC = 'alerts';
/** The windowed spend per card (a window store). */
export const SPEND_STORE = 'spend-per-card';

export interface Transaction {
  readonly amount: number;
  readonly merchant: string;
}

export interface Card {
  readonly holder: string;
  /** The most a card may spend within one window. */
  readonly limit: number;
}

export interface Alert {
  readonly card: string;
  readonly holder: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly spent: number;
  readonly limit: number;
}

export const HOUR_MS = 60 * 60_000;

/** Window settings; the defaults are one-hour windows starting every 30 minutes, 5 minutes of grace. */
export interface FraudTopologyOptions {
  readonly windowMs?: number;
  readonly advanceMs?: number;
  readonly graceMs?: number;
}

/**
 * transactions → windowed sum per card → join with the card table → over the limit → `alerts`.
 *
 * @example
 * ```ts
 * const driver = new TopologyTestDriver(buildFraudTopology(), { applicationId: 'fraud' });
 * ```
 */
export function buildFraudTopology(options: FraudTopologyOptions = {}): Topology {
  const windowMs = options.windowMs ?? HOUR_MS;
  const builder = new StreamsBuilder();
  const cards = builder.table(CARDS_TOPIC, {
    key: Serdes.string(),
    value: Serdes.json<Card>(),
    materialized: { storeName: 'cards' },
  });
  builder
    .stream(TRANSACTIONS_TOPIC, { key: Serdes.string(), value: Serdes.json<Transaction>() })
    .mapValues((transaction) => transaction.amount)
    .groupByKey({ value: Serdes.float64() })
    .windowedBy(
      TimeWindows.ofSizeAndGrace(windowMs, options.graceMs ?? 5 * 60_000).advanceBy(
        options.advanceMs ?? windowMs / 2,
      ),
    )
    .reduce((total, amount) => total + amount, {
      name: SPEND_STORE,
      materialized: { value: Serdes.float64() },
    })
    .toStream()
    // Back to the plain card number so the spend can be joined with the card table (a repartition).
    .map(
      (windowed, spent) =>
        [
          windowed.key,
          // A windowed reduce never deletes a window, but its update stream is typed with tombstones.
          { spent: spent ?? 0, windowStart: windowed.window.start, windowEnd: windowed.window.end },
        ] as const,
    )
    .join(
      cards,
      (spend, card, cardNumber): Alert => ({
        card: cardNumber,
        holder: card.holder,
        limit: card.limit,
        ...spend,
      }),
      {
        name: 'spend-with-limit',
        key: Serdes.string(),
        value: Serdes.json<{ spent: number; windowStart: number; windowEnd: number }>(),
      },
    )
    .filter((_, alert) => alert.spent > alert.limit)
    .to(ALERTS_TOPIC, { key: Serdes.string(), value: Serdes.json<Alert>() });
  return builder.build();
}
