/**
 * What the broker benchmarks process: the input records, and the per-record work both contenders
 * (Tributary and the raw kafkajs loop) do, written once so the two cannot drift apart.
 */

/** The broker workloads (see docs/benchmarks.md). */
export type Workload = 'stateless' | 'count' | 'windowed' | 'join';

export const WORKLOADS: readonly Workload[] = ['stateless', 'count', 'windowed', 'join'];

/** The join workload's table: one profile per key, on a compacted topic produced once. */
export const TABLE_TOPIC = 'tributary-bench-users-v1';

/** One row of the join workload's table. */
export interface Profile {
  name: string;
  tier: 'gold' | 'silver';
}

/** What the join workload writes for each event: the event's user and amount with the user's tier. */
export interface Enriched {
  user: string;
  amount: number;
  tier: string;
}

export function profileOf(i: number): Profile {
  return { name: `name-${i}`, tier: i % 3 === 0 ? 'gold' : 'silver' };
}

/** The join workload's joiner. */
export function enrich(e: BenchEvent, p: Profile): Enriched {
  return { user: e.user, amount: e.amount, tier: p.tier };
}

/** The windowed workload counts per key in tumbling windows of this size (no grace). */
export const WINDOW_SIZE_MS = 60_000;

/** The window a record of `timestamp` falls in, for the raw loop (as `TimeWindows` aligns them). */
export function windowStartOf(timestamp: number): number {
  return timestamp - (timestamp % WINDOW_SIZE_MS);
}

/** One input record's value (JSON, about 200 bytes). */
export interface BenchEvent {
  id: number;
  user: string;
  kind: 'purchase' | 'refund';
  amount: number;
  tags: string[];
  note: string;
}

/** What the stateless workload writes for each purchase. */
export interface Purchase {
  user: string;
  amount: number;
  cents: number;
}

export const INPUT_PARTITIONS = 4;
export const DISTINCT_KEYS = 100_000;
/** Bumped whenever the input's shape changes, so an old pre-produced input topic is not reused. */
const INPUT_VERSION = 1;

/** The pre-produced input topic for `records` records: the same for every run of that size. */
export function inputTopicName(records: number): string {
  return `tributary-bench-input-v${INPUT_VERSION}-${records}`;
}

/** Keys are spread over the key space rather than in order, so every batch touches many keys. */
export function keyOf(i: number): string {
  return `user-${(i * 7_919) % DISTINCT_KEYS}`;
}

export function eventOf(i: number): BenchEvent {
  return {
    id: i,
    user: keyOf(i),
    kind: i % 10 === 0 ? 'refund' : 'purchase',
    amount: (i % 997) + 0.5,
    tags: ['bench', 'broker', `shard-${i % 16}`],
    note: 'x'.repeat(90),
  };
}

/** The filter of the stateless workload: 9 records in 10 pass. */
export function isPurchase(e: BenchEvent): boolean {
  return e.kind === 'purchase';
}

/** The mapping of the stateless workload. */
export function toPurchase(e: BenchEvent): Purchase {
  return { user: e.user, amount: e.amount, cents: Math.round(e.amount * 100) };
}

/** How many stateless outputs `records` inputs produce (ids 0, 10, 20, … are refunds). */
export function expectedPurchases(records: number): number {
  return records - Math.ceil(records / 10);
}
