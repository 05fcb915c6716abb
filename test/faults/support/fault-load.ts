import { createKafkaClient, partitionForKey } from '../../../src/kafka/index.js';
import type { ProcessingGuarantee } from '../../../src/index.js';
import { readCommitted } from '../../integration/support/read-committed.js';
import { type FaultTopics, REGIONS, USERS, WINDOW_SIZE_MS } from './fault-app.js';

type Connection = Omit<Parameters<typeof createKafkaClient>[0], 'brokers'>;

const user = (i: number) => `u${i % USERS}`;
const region = (u: number) => `r${u % REGIONS}`;

const CLICK_PARTITIONS = 3;

/** Creates `topics` with three partitions each (on a three-broker cluster, replicated three times). */
export async function createFaultTopics(
  brokers: string[],
  topics: string[],
  connection: Connection = {},
): Promise<void> {
  const kafka = createKafkaClient({ clientId: 'fault-setup', ...connection, brokers });
  try {
    const admin = await kafka.admin();
    await admin.createTopics(topics.map((topic) => ({ topic, partitions: CLICK_PARTITIONS })));
    await admin.close();
  } finally {
    await kafka.close();
  }
}

/** Writes every user's region before any click, so each click finds its user in the table. */
export async function produceProfiles(
  brokers: string[],
  topics: FaultTopics,
  timestamp: number,
  connection: Connection = {},
): Promise<void> {
  const kafka = createKafkaClient({ clientId: 'fault-load', ...connection, brokers });
  const producer = await kafka.producer();
  await producer.send(
    Array.from({ length: USERS }, (_, u) => ({
      topic: topics.profiles,
      key: Buffer.from(`u${u}`),
      value: Buffer.from(region(u)),
      timestamp,
    })),
  );
  await producer.close();
  await kafka.close();
}

/**
 * Clicks flowing for as long as faults are injected: click `i` is `c<i>` by user `u<i % 17>`
 * at `base + i` ms, so windows and counts are known from `produced` alone.
 */
export class ClickFlow {
  produced = 0;
  private flowing = true;
  private done: Promise<void> | undefined;

  constructor(
    private readonly brokers: string[],
    private readonly topics: FaultTopics,
    readonly base: number,
    private readonly connection: Connection = {},
    private readonly perBatch = 50,
    private readonly pauseMs = 100,
  ) {}

  start(): void {
    this.done = this.run();
  }

  /** Stops producing; resolves once the last batch is acknowledged (rejects if a send failed). */
  async stop(): Promise<number> {
    this.flowing = false;
    await this.done;
    return this.produced;
  }

  private async run(): Promise<void> {
    const kafka = createKafkaClient({ clientId: 'fault-load', ...this.connection, brokers: this.brokers });
    const producer = await kafka.producer();
    try {
      while (this.flowing) {
        const from = this.produced;
        // Explicit partitions (as the runtime's collector sets them): each partition is then sent
        // in its own request, which a leader's death cannot make kafkajs drop (docs/faults.md).
        const batch = Array.from({ length: this.perBatch }, (_, j) => ({
          topic: this.topics.clicks,
          partition: partitionForKey(Buffer.from(user(from + j)), CLICK_PARTITIONS),
          key: Buffer.from(user(from + j)),
          value: Buffer.from(`c${from + j}`),
          timestamp: this.base + from + j,
        }));
        await sendRetrying(() => producer.send(batch));
        this.produced += batch.length;
        await new Promise((resolve) => setTimeout(resolve, this.pauseMs));
      }
    } finally {
      await producer.close();
      await kafka.close();
    }
  }
}

/**
 * The load's send, retried for up to two minutes: a partition whose leader just died fails its
 * send until a new leader is elected (longer than the client's own retries last). A retried batch
 * may land twice; the truth counts every copy in the topic.
 */
async function sendRetrying(send: () => Promise<unknown>): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      await send();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

/**
 * What the outputs must hold, from the clicks topic as written: the load's producer is not
 * idempotent, so a send retried across a broker outage may write a batch twice, and each copy is
 * input the application must process (exactly once). `copies[i]` is how often click `i` is there.
 */
export async function truth(
  brokers: string[],
  topics: FaultTopics,
  produced: number,
  base: number,
  connection: Connection,
) {
  const copies = new Array<number>(produced).fill(0);
  for (const r of await readCommitted(brokers, topics.clicks, connection)) {
    const i = Number(r.value!.toString().slice(1));
    if (i < produced) copies[i]!++;
  }
  const counts = new Map<string, number>();
  const windowCounts = new Map<string, number>();
  copies.forEach((n, i) => {
    const ts = base + i;
    const window = `${user(i)}@${ts - (ts % WINDOW_SIZE_MS)}`;
    counts.set(user(i), (counts.get(user(i)) ?? 0) + n);
    windowCounts.set(window, (windowCounts.get(window) ?? 0) + n);
  });
  return { counts, windowCounts, copies };
}

/**
 * How the committed outputs differ from what `guarantee` promises for the clicks in the input
 * topic; empty when they match. Clicks the load acknowledged but the topic lacks are a problem too.
 */
export async function outputProblems(
  brokers: string[],
  topics: FaultTopics,
  produced: number,
  base: number,
  guarantee: ProcessingGuarantee,
  connection: Connection = { clientId: 'verify' },
): Promise<string[]> {
  const expected = await truth(brokers, topics, produced, base, connection);
  const exact = guarantee === 'exactly_once';
  const problems: string[] = [];
  for (const [name, topic, want] of [
    ['counts', topics.counts, expected.counts],
    ['window counts', topics.windowCounts, expected.windowCounts],
  ] as const) {
    const latest = new Map(
      (await readCommitted(brokers, topic, connection)).map((r) => [
        r.key,
        Number(r.value!.readBigInt64BE(0)),
      ]),
    );
    const wrong = [...want].filter(([key, n]) =>
      exact ? latest.get(key) !== n : (latest.get(key) ?? 0) < n,
    );
    const extra = [...latest.keys()].filter((key) => !want.has(key));
    if (wrong.length > 0)
      problems.push(
        `${name}: ${wrong.length} of ${want.size} keys off, e.g. ${wrong
          .slice(0, 3)
          .map(([key, n]) => `${key}=${latest.get(key)} (want ${exact ? '' : '>= '}${n})`)
          .join(', ')}`,
      );
    if (extra.length > 0) problems.push(`${name}: unexpected keys ${extra.slice(0, 3).join(', ')}`);
  }
  const seen = new Map<number, number>();
  for (const r of await readCommitted(brokers, topics.enriched, connection)) {
    const [click, joined] = r.value!.toString().split(':');
    const i = Number(click!.slice(1));
    if (joined !== region(i % USERS)) problems.push(`enriched: ${click} joined with ${joined}`);
    seen.set(i, (seen.get(i) ?? 0) + 1);
  }
  const lost = expected.copies.filter((n) => n === 0).length;
  if (lost > 0) problems.push(`clicks: ${lost} acknowledged clicks not in the input topic`);
  let missing = 0;
  let duplicated = 0;
  expected.copies.forEach((n, i) => {
    const joined = seen.get(i) ?? 0;
    if (joined < n) missing++;
    if (joined > n) duplicated++;
  });
  if (missing > 0) problems.push(`enriched: ${missing} of ${produced} clicks missing`);
  if (exact && duplicated > 0) problems.push(`enriched: ${duplicated} clicks duplicated`);
  return problems;
}
