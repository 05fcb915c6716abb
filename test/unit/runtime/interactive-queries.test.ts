import { afterEach, describe, expect, it } from 'vitest';
import {
  InvalidStateStoreError,
  KafkaStreams,
  Serdes,
  SessionWindows,
  StateStoreError,
  StreamsBuilder,
  TimeWindows,
  type Windowed,
} from '../../../src/index.js';
import { createEmbeddedKafka, type EmbeddedKafka } from '../../../src/kafka/index.js';
import {
  INPUT,
  OUTPUT,
  activeTasks,
  createTopics,
  produceLines,
  quietLogger,
  readCounts,
  removeTempDirs,
  sameCounts,
  tempStateDir,
  waitUntil,
  wordCountApp,
} from './support/embedded-app.js';

let kafka: EmbeddedKafka;
const apps: KafkaStreams[] = [];

async function freshCluster(): Promise<void> {
  kafka = createEmbeddedKafka();
  await createTopics(kafka, [
    { topic: INPUT, partitions: 4 },
    { topic: OUTPUT, partitions: 4 },
  ]);
}

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close({ timeoutMs: 5_000 })));
  await kafka.close();
  await removeTempDirs();
});

function entries<K, V>(it: Iterable<{ key: K; value: V }>): [K, V][] {
  return [...it].map(({ key, value }) => [key, value]);
}

describe('interactive queries on the embedded broker', { timeout: 30_000 }, () => {
  it('reads a key-value store across the instance’s tasks with typed, plain values', async () => {
    await freshCluster();
    const app = wordCountApp(kafka, await tempStateDir());
    apps.push(app);
    await app.start();
    const truth = await produceLines(kafka, 300);
    await waitUntil(async () => sameCounts(await readCounts(kafka), truth), 'counts on the output');

    const counts = app.store<string, number>('counts', { type: 'keyValue' });
    await waitUntil(() => counts.approximateNumEntries() === truth.size, 'every word in the store');
    for (const [word, n] of truth) expect(counts.get(word), word).toBe(n);
    expect(counts.get('no-such-word')).toBeUndefined();
    expect(new Map(entries(counts.all()))).toEqual(truth);
    // Each task's store is ordered; several tasks' stores follow one another.
    const ranged = entries(counts.range('w1', 'w2')).map(([k]) => k);
    expect(ranged.sort()).toEqual([...truth.keys()].filter((w) => w >= 'w1' && w <= 'w2').sort());
    const reversed = entries(counts.reverseRange('w1', 'w2')).map(([k]) => k);
    expect(reversed.sort()).toEqual(ranged);
    const prefixed = entries(counts.prefixScan('w1', Serdes.string())).map(([k]) => k);
    expect(prefixed.sort()).toEqual([...truth.keys()].filter((w) => w.startsWith('w1')).sort());
    expect(entries(counts.reverseAll())).toHaveLength(truth.size);

    // The untyped view says what it is and serves the same reads.
    const view = app.store<string, number>('counts');
    expect(view.kind).toBe('keyValue');
    expect(view.get('w1')).toBe(truth.get('w1'));
    expect(() => view.fetch('w1')).toThrow(/counts" is a keyValue store; this method reads session/);
  });

  it('fails at once for an unknown name (naming the known stores) and a wrong type', async () => {
    await freshCluster();
    const app = wordCountApp(kafka, await tempStateDir());
    apps.push(app);
    expect(() => app.store('count')).toThrow(StateStoreError);
    expect(() => app.store('count')).toThrow(/No state store named "count".*Known stores: counts\./);
    expect(() => app.store('counts', { type: 'window' })).toThrow(
      /"counts" is a keyValue store, not a window store/,
    );
  });

  it('throws a retriable InvalidStateStoreError before start, while restoring, and after close', async () => {
    await freshCluster();
    const first = wordCountApp(kafka, await tempStateDir());
    apps.push(first);
    expect(() => first.store('counts').get('w1')).toThrow(InvalidStateStoreError);
    await first.start();
    const truth = await produceLines(kafka, 200);
    await waitUntil(async () => sameCounts(await readCounts(kafka), truth), 'counts on the output');
    await first.close();
    const closedError = captureError(() => first.store('counts').get('w1'));
    expect(closedError).toBeInstanceOf(InvalidStateStoreError);
    expect(closedError?.message).toMatch(/NOT_RUNNING/);

    // A fresh state directory: the new instance restores every task from the changelog, and a
    // query made while it does so is refused, with the advice to retry.
    const seenWhileRestoring: (Error | undefined)[] = [];
    let second: KafkaStreams | undefined = undefined;
    second = wordCountApp(kafka, await tempStateDir(), {
      restoreListener: {
        onRestoreStart: () => seenWhileRestoring.push(captureError(() => second!.store('counts').get('w1'))),
      },
    });
    apps.push(second);
    await second.start();
    expect(seenWhileRestoring.length).toBeGreaterThan(0);
    for (const error of seenWhileRestoring) {
      expect(error).toBeInstanceOf(InvalidStateStoreError);
      expect((error as InvalidStateStoreError).retriable).toBe(true);
      expect(error?.message).toMatch(/rebalancing or restoring/);
    }
    const counts = second.store<string, number>('counts', { type: 'keyValue' });
    for (const [word, n] of truth) expect(counts.get(word), word).toBe(n);
  });

  it('with includeStandbys, reads the standby copies too: every key on either instance', async () => {
    await freshCluster();
    const config = { numStandbyReplicas: 1, commitIntervalMs: 50 };
    const a = wordCountApp(kafka, await tempStateDir(), config);
    const b = wordCountApp(kafka, await tempStateDir(), config);
    apps.push(a, b);
    await a.start();
    await b.start();
    await waitUntil(() => activeTasks(a).length === 4 && activeTasks(b).length === 4, 'a 4/4 split');
    await waitUntil(() => a.state === 'RUNNING' && b.state === 'RUNNING', 'both running');
    const truth = await produceLines(kafka, 300);
    await waitUntil(async () => sameCounts(await readCounts(kafka), truth), 'counts on the output');

    const activeOnly = new Map(entries(a.store<string, number>('counts', { type: 'keyValue' }).all()));
    expect(activeOnly.size).toBeGreaterThan(0);
    expect(activeOnly.size).toBeLessThan(truth.size);
    const withStandbys = a.store<string, number>('counts', { type: 'keyValue', includeStandbys: true });
    await waitUntil(
      () => [...truth].every(([w, n]) => withStandbys.get(w) === n),
      'the standbys to catch up with every count',
    );
  });

  it('reads window and session stores: fetch(key, from, to), fetchAll, session fetch(key)', async () => {
    kafka = createEmbeddedKafka();
    await createTopics(kafka, [{ topic: 'clicks', partitions: 2 }]);
    const b = new StreamsBuilder();
    const clicks = b.stream('clicks', { key: Serdes.string(), value: Serdes.string() });
    clicks.groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(1_000)).count({ name: 'clicks-per-second' });
    clicks
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(500))
      .count({ name: 'click-sessions' });
    const app = new KafkaStreams(b.build(), {
      applicationId: 'iq-windows',
      kafka,
      stateDir: await tempStateDir(),
      commitIntervalMs: 50,
      logger: quietLogger,
    });
    apps.push(app);
    await app.start();
    const producer = await kafka.producer();
    // alice: 100, 200 (session 1, second 0), 1_500 (session 2, second 1); bob: 300.
    const at = (key: string, timestamp: number) => ({
      topic: 'clicks',
      key: Buffer.from(key),
      value: Buffer.from('x'),
      timestamp,
    });
    await producer.send([at('alice', 100), at('alice', 200), at('bob', 300), at('alice', 1_500)]);
    await producer.close();

    const perSecond = app.store<string, number>('clicks-per-second', { type: 'window' });
    await waitUntil(() => perSecond.fetch('alice', 1_000) === 1, 'the last click counted');
    expect(entries(perSecond.fetch('alice', 0, 2_000))).toEqual([
      [0, 2],
      [1_000, 1],
    ]);
    expect(perSecond.fetch('alice', 0)).toBe(2);
    const all = entries(perSecond.fetchAll(0, 0)).map(([w, n]) => [w.key, w.window.start, n]);
    expect(all.sort()).toEqual([
      ['alice', 0, 2],
      ['bob', 0, 1],
    ]);
    expect(app.store('clicks-per-second').kind).toBe('window');

    const sessions = app.store<string, number>('click-sessions', { type: 'session' });
    const aliceSessions = entries(sessions.fetch('alice')).map(([w, n]: [Windowed<string>, number]) => [
      w.window.start,
      w.window.end,
      n,
    ]);
    expect(aliceSessions).toEqual([
      [100, 200, 2],
      [1_500, 1_500, 1],
    ]);
    expect(sessions.fetchSession('bob', 300, 300)).toBe(1);
  });
});

function captureError(f: () => unknown): Error | undefined {
  try {
    f();
  } catch (error) {
    return error as Error;
  }
  return undefined;
}
