/**
 * E-commerce clickstream: page views and purchases per user are enriched with the product they
 * concern (a stream–table join to `products`), then grouped into sessions per user (30 minutes of
 * inactivity ends one) with the views, purchases and revenue of each session: a session converted
 * if it bought anything. Test it with `examples/clickstream.test.ts`; run it with
 * `npm run example -- clickstream`.
 *
 * ```
 * clicks (by user) ─▶ re-key by product ─▶ join products (table) ─▶ re-key by user
 *                  ─▶ session windows, gap 30 min ─▶ { views, purchases, revenue, categories } ─▶ sessions
 * ```
 */
import { KafkaStreams, Serdes, SessionWindows, StreamsBuilder, type Topology } from '../src/index.js';
import { produce, readOutput } from '../src/testing/index.js';
import { exampleCluster, runIfMain } from './support.js';

export const CLICKS_TOPIC = 'clicks';
export const PRODUCTS_TOPIC = 'products';
export const SESSIONS_TOPIC = 'sessions';
export const SESSION_GAP_MS = 30 * 60_000;

export interface Click {
  readonly userId: string;
  readonly productId: string;
  readonly kind: 'view' | 'purchase';
  /** Event time (epoch ms). */
  readonly ts: number;
}

export interface Product {
  readonly name: string;
  readonly category: string;
  readonly price: number;
}

export interface Session {
  readonly views: number;
  readonly purchases: number;
  readonly revenue: number;
  readonly categories: readonly string[];
}

export interface SessionSummary extends Session {
  readonly userId: string;
  readonly start: number;
  readonly end: number;
  readonly converted: boolean;
}

const EMPTY_SESSION: Session = { views: 0, purchases: 0, revenue: 0, categories: [] };

function mergeSessions(a: Session, b: Session): Session {
  return {
    views: a.views + b.views,
    purchases: a.purchases + b.purchases,
    revenue: a.revenue + b.revenue,
    categories: [...new Set([...a.categories, ...b.categories])].sort(),
  };
}

/**
 * clicks + products → per-user sessions with conversion → `sessions`.
 *
 * @example
 * ```ts
 * const driver = new TopologyTestDriver(buildClickstreamTopology(), { applicationId: 'shop' });
 * ```
 */
export function buildClickstreamTopology(): Topology {
  const builder = new StreamsBuilder();
  const products = builder.table(PRODUCTS_TOPIC, {
    key: Serdes.string(),
    value: Serdes.json<Product>(),
    materialized: { storeName: 'products' },
  });
  builder
    .stream(CLICKS_TOPIC, {
      key: Serdes.string(),
      value: Serdes.json<Click>(),
      timestampExtractor: (record) => (record.value as Click).ts,
    })
    .selectKey((_, click) => click.productId, { name: 'by-product' })
    .join(products, (click, product) => ({ click, product }), {
      name: 'with-product',
      key: Serdes.string(),
      value: Serdes.json<Click>(),
    })
    .selectKey((_, { click }) => click.userId, { name: 'by-user' })
    .mapValues(({ click, product }): Session => ({
      views: click.kind === 'view' ? 1 : 0,
      purchases: click.kind === 'purchase' ? 1 : 0,
      revenue: click.kind === 'purchase' ? product.price : 0,
      categories: [product.category],
    }))
    .groupByKey({ key: Serdes.string(), value: Serdes.json<Session>(), name: 'sessions-by-user' })
    .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(SESSION_GAP_MS))
    .aggregate(
      () => EMPTY_SESSION,
      (_user, click, session) => mergeSessions(session, click),
      mergeSessionsOf,
      {
        name: 'user-sessions',
        materialized: { value: Serdes.json<Session>() },
      },
    )
    .toStream()
    .filter((_, session) => session !== null)
    .map((windowed, session) => [
      windowed.key,
      {
        userId: windowed.key,
        start: windowed.window.start,
        end: windowed.window.end,
        ...session!,
        converted: session!.purchases > 0,
      } satisfies SessionSummary,
    ])
    .to(SESSIONS_TOPIC, { key: Serdes.string(), value: Serdes.json<SessionSummary>() });
  return builder.build();
}

function mergeSessionsOf(_user: string, a: Session, b: Session): Session {
  return mergeSessions(a, b);
}

export const SAMPLE_PRODUCTS: Record<string, Product> = {
  p1: { name: 'kettle', category: 'kitchen', price: 30 },
  p2: { name: 'mug', category: 'kitchen', price: 8 },
  p3: { name: 'lamp', category: 'home', price: 45 },
};

/** alice browses and buys a mug; bob browses twice, an hour apart, and buys nothing. */
export function sampleClicks(startMs: number): Click[] {
  const at = (minutes: number) => startMs + minutes * 60_000;
  return [
    { userId: 'alice', productId: 'p1', kind: 'view', ts: at(0) },
    { userId: 'bob', productId: 'p3', kind: 'view', ts: at(1) },
    { userId: 'alice', productId: 'p2', kind: 'view', ts: at(4) },
    { userId: 'alice', productId: 'p2', kind: 'purchase', ts: at(6) },
    { userId: 'bob', productId: 'p1', kind: 'view', ts: at(70) },
  ];
}

async function main(): Promise<void> {
  const { kafka, stateDir, close } = await exampleCluster(
    'clickstream',
    [CLICKS_TOPIC, PRODUCTS_TOPIC, SESSIONS_TOPIC].map((topic) => ({ topic, partitions: 2 })),
  );
  const app = new KafkaStreams(buildClickstreamTopology(), {
    applicationId: 'clickstream',
    kafka,
    ...stateDir,
    commitIntervalMs: 200,
  });
  await app.start();
  const start = Date.now() - 2 * 3_600_000;
  // Products first, with older timestamps: the join sees a product only once the table has it.
  await produce(
    kafka,
    PRODUCTS_TOPIC,
    Object.entries(SAMPLE_PRODUCTS).map(([key, value]) => ({ key, value, timestamp: start - 60_000 })),
    { key: Serdes.string(), value: Serdes.json<Product>() },
  );
  const clicks = sampleClicks(start);
  await produce(
    kafka,
    CLICKS_TOPIC,
    clicks.map((c) => ({ key: c.userId, value: c, timestamp: c.ts })),
    { key: Serdes.string(), value: Serdes.json<Click>() },
  );
  console.log(`produced ${Object.keys(SAMPLE_PRODUCTS).length} products and ${clicks.length} clicks`);
  let latest = new Map<string, SessionSummary>();
  const deadline = Date.now() + 30_000;
  while (latest.size < 3 && Date.now() < deadline) {
    const updates = await readOutput(kafka, SESSIONS_TOPIC, {
      key: Serdes.string(),
      value: Serdes.json<SessionSummary>(),
    });
    latest = new Map(updates.map((u) => [`${u.key}@${u.value!.start}`, u.value!]));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (const s of latest.values()) {
    console.log(
      `  ${s.userId.padEnd(6)} session of ${((s.end - s.start) / 60_000).toFixed(0)} min: ${s.views} views, ` +
        `${s.purchases} purchases, ${s.revenue} revenue, ${s.converted ? 'converted' : 'no conversion'} (${s.categories.join(', ')})`,
    );
  }
  await app.close();
  await close();
}

runIfMain(import.meta.url, main);
