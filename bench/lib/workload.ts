/**
 * What the broker benchmarks process: the input records, and the per-record work both contenders
 * (Tributary and the raw kafkajs loop) do, written once so the two cannot drift apart.
 */

/** The two broker workloads (see docs/benchmarks.md). */
export type Workload = 'stateless' | 'count';

export const WORKLOADS: readonly Workload[] = ['stateless', 'count'];

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
