/**
 * Event sourcing: an account's state is never written directly; it is the fold of its events
 * (opened, deposited, withdrew, closed) in order, kept as a table (`accounts`, a changelogged
 * store) whose updates go to `account-balances`. A withdrawal that would overdraw the account is
 * not applied and is counted on the account instead. Test it with
 * `examples/event-sourcing.test.ts`; run it with `npm run example -- event-sourcing`.
 *
 * ```
 * account-events ─▶ group by account ─▶ fold events into Account (store "accounts") ─▶ account-balances
 * ```
 *
 * Events of one account share its key, so they land in one partition and are folded in order.
 * Once running, the current state of each account is read straight from the app's `accounts`
 * store with interactive queries (`app.store('accounts')`), no output topic needed.
 */
import { InvalidStateStoreError, KafkaStreams, Serdes, StreamsBuilder, type Topology } from '../src/index.js';
import type { KafkaClient } from '../src/kafka/index.js';
import { produce } from '../src/testing/index.js';
import { exampleCluster, runIfMain } from './support.js';

export const EVENTS_TOPIC = 'account-events';
export const BALANCES_TOPIC = 'account-balances';
export const ACCOUNTS_STORE = 'accounts';

export type AccountEvent =
  | { readonly type: 'opened'; readonly owner: string }
  | { readonly type: 'deposited'; readonly amount: number }
  | { readonly type: 'withdrew'; readonly amount: number }
  | { readonly type: 'closed' };

export interface Account {
  readonly owner: string | null;
  readonly balance: number;
  readonly open: boolean;
  /** Events applied so far (the account's version). */
  readonly version: number;
  /** Withdrawals refused because they would overdraw, or events on a closed or unopened account. */
  readonly rejected: number;
}

export const NO_ACCOUNT: Account = { owner: null, balance: 0, open: false, version: 0, rejected: 0 };

/** Applies one event to an account: the whole domain logic, a pure function. */
export function applyEvent(account: Account, event: AccountEvent): Account {
  const rejected = { ...account, rejected: account.rejected + 1 };
  if (event.type === 'opened') {
    return account.open
      ? rejected
      : { ...account, owner: event.owner, open: true, version: account.version + 1 };
  }
  if (!account.open) return rejected;
  switch (event.type) {
    case 'deposited':
      return { ...account, balance: account.balance + event.amount, version: account.version + 1 };
    case 'withdrew':
      return event.amount > account.balance
        ? rejected
        : { ...account, balance: account.balance - event.amount, version: account.version + 1 };
    case 'closed':
      return { ...account, open: false, version: account.version + 1 };
  }
}

/**
 * account-events (keyed by account id) → fold into `accounts` → `account-balances`.
 *
 * @example
 * ```ts
 * const driver = new TopologyTestDriver(buildEventSourcingTopology(), { applicationId: 'bank' });
 * ```
 */
export function buildEventSourcingTopology(): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream(EVENTS_TOPIC, { key: Serdes.string(), value: Serdes.json<AccountEvent>() })
    .groupByKey()
    .aggregate(
      (): Account => NO_ACCOUNT,
      (_accountId, event, account) => applyEvent(account, event),
      { name: ACCOUNTS_STORE, materialized: { value: Serdes.json<Account>() } },
    )
    .toStream()
    .to(BALANCES_TOPIC, { key: Serdes.string(), value: Serdes.json<Account>() });
  return builder.build();
}

/** Two accounts; bob tries to overdraw once. */
export function sampleEvents(): { key: string; value: AccountEvent }[] {
  return [
    { key: 'acc-1', value: { type: 'opened', owner: 'alice' } },
    { key: 'acc-2', value: { type: 'opened', owner: 'bob' } },
    { key: 'acc-1', value: { type: 'deposited', amount: 100 } },
    { key: 'acc-2', value: { type: 'deposited', amount: 30 } },
    { key: 'acc-1', value: { type: 'withdrew', amount: 40 } },
    { key: 'acc-2', value: { type: 'withdrew', amount: 50 } },
    { key: 'acc-2', value: { type: 'deposited', amount: 5 } },
  ];
}

/**
 * Starts the app on `kafka`, produces `sampleEvents()` and reads every account from the running
 * app's `accounts` store (interactive queries) once each has reached its expected version.
 * Close the returned app when done.
 *
 * @example
 * ```ts
 * const { app, accounts } = await runEventSourcing(createEmbeddedKafka(), { stateDir: './state' });
 * accounts.get('acc-1'); // { owner: 'alice', balance: 60, open: true, version: 3, rejected: 0 }
 * await app.close();
 * ```
 */
export async function runEventSourcing(
  kafka: KafkaClient,
  config: { stateDir?: string } = {},
): Promise<{ app: KafkaStreams; accounts: Map<string, Account> }> {
  const app = new KafkaStreams(buildEventSourcingTopology(), {
    applicationId: 'event-sourcing',
    kafka,
    ...config,
    commitIntervalMs: 200,
  });
  await app.start();
  const events = sampleEvents();
  console.log(`producing ${events.length} account events`);
  await produce(kafka, EVENTS_TOPIC, events, { key: Serdes.string(), value: Serdes.json<AccountEvent>() });
  const expectedVersions = new Map([
    ['acc-1', 3],
    ['acc-2', 3],
  ]);
  let accounts = new Map<string, Account>();
  const deadline = Date.now() + 30_000;
  while ([...expectedVersions].some(([id, v]) => accounts.get(id)?.version !== v) && Date.now() < deadline) {
    try {
      const store = app.store<string, Account>(ACCOUNTS_STORE, { type: 'keyValue' });
      accounts = new Map([...store.all()].map(({ key, value }) => [key, value]));
    } catch (error) {
      // A store is not queryable while its task restores or moves; ask again.
      if (!(error instanceof InvalidStateStoreError)) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { app, accounts };
}

async function main(): Promise<void> {
  const { kafka, stateDir, close } = await exampleCluster('event sourcing', [
    { topic: EVENTS_TOPIC, partitions: 2 },
    { topic: BALANCES_TOPIC, partitions: 2 },
  ]);
  const { app, accounts } = await runEventSourcing(kafka, stateDir);
  console.log(`accounts, read from the running app's "${ACCOUNTS_STORE}" store:`);
  for (const [id, a] of [...accounts].sort()) {
    console.log(`  ${id} ${a.owner}: balance ${a.balance}, version ${a.version}, rejected ${a.rejected}`);
  }
  await app.close();
  await close();
}

runIfMain(import.meta.url, main);
