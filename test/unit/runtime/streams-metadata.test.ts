import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  InvalidStateStoreError,
  KafkaStreams,
  StateStoreError,
  StreamsError,
} from '../../../src/index.js';
import { createEmbeddedKafka, type EmbeddedKafka } from '../../../src/kafka/index.js';
import { partitionForKey } from '../../../src/kafka/partitioner.js';
import { freePort, ownershipProblems, settled, type Instance } from '../../support/key-ownership.js';
import {
  INPUT,
  OUTPUT,
  createTopics,
  mergeCounts,
  produceLines,
  readCounts,
  removeTempDirs,
  sameCounts,
  tempStateDir,
  waitUntil,
  wordCountApp,
  wordCountTopology,
} from './support/embedded-app.js';

let kafka: EmbeddedKafka;
const apps: KafkaStreams[] = [];
const PARTITIONS = 4;

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close({ timeoutMs: 5_000 })));
  await kafka?.close();
  await removeTempDirs();
});

async function freshCluster(): Promise<void> {
  kafka = createEmbeddedKafka();
  await createTopics(kafka, [
    { topic: INPUT, partitions: PARTITIONS },
    { topic: OUTPUT, partitions: PARTITIONS },
  ]);
}

async function instance(config: Parameters<typeof wordCountApp>[2] = {}): Promise<Instance> {
  const port = await freePort();
  const server = `127.0.0.1:${port}`;
  const app = wordCountApp(kafka, await tempStateDir(), { applicationServer: server, ...config });
  apps.push(app);
  return { app, server };
}

async function expectOwnership(
  instances: Instance[],
  truth: Map<string, number>,
  standbyReplicas: number,
): Promise<void> {
  await waitUntil(() => settled(instances, 'counts', PARTITIONS), 'one agreed assignment', 20_000);
  let problems: string[] = [];
  await waitUntil(
    () => (problems = ownershipProblems(instances, 'counts', truth, standbyReplicas)).length === 0,
    'every key on exactly its owner',
    20_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}:\n${problems.slice(0, 10).join('\n')}`);
  });
}

describe('applicationServer config', () => {
  it.each([['localhost'], ['host:0'], ['host:70000'], ['a b:80'], [':80'], [8080]])(
    'rejects %j naming the option',
    (value) => {
      expect(
        () =>
          new KafkaStreams(wordCountTopology(), {
            applicationId: 'wc',
            applicationServer: value as string,
          }),
      ).toThrow(ConfigError);
      expect(
        () =>
          new KafkaStreams(wordCountTopology(), { applicationId: 'wc', applicationServer: value as string }),
      ).toThrow(/applicationServer must be "host:port"/);
    },
  );

  it('accepts host names, addresses and bracketed IPv6 addresses', () => {
    for (const server of ['localhost:8080', '10.0.0.5:1', '[::1]:65535'])
      expect(
        () => new KafkaStreams(wordCountTopology(), { applicationId: 'wc', applicationServer: server }),
      ).not.toThrow();
  });
});

describe('interactive-query metadata on the embedded broker', { timeout: 60_000 }, () => {
  it('is not available before start, and an unknown store is named with the known ones', async () => {
    await freshCluster();
    const { app } = await instance();
    expect(() => app.queryMetadataForKey('counts', 'w1')).toThrow(InvalidStateStoreError);
    expect(() => app.allMetadata()).toThrow(/call start\(\) first/);
    expect(() => app.queryMetadataForKey('nope', 'w1')).toThrow(StateStoreError);
    expect(() => app.queryMetadataForKey('nope', 'w1')).toThrow(/Known stores: counts/);
    expect(() => app.streamsMetadataForStore('nope')).toThrow(/Known stores: counts/);
  });

  it('finds every key on exactly the instance that owns it, with standbys, across scale-out and scale-in', async () => {
    await freshCluster();
    const a = await instance({ numStandbyReplicas: 1 });
    const b = await instance({ numStandbyReplicas: 1 });
    await Promise.all([a.app.start(), b.app.start()]);
    const truth = await produceLines(kafka, 200);
    await waitUntil(async () => sameCounts(await readCounts(kafka), truth), 'counts on the output');
    await expectOwnership([a, b], truth, 1);

    const partitioned = (partition: number | undefined) =>
      a.app.queryMetadataForKey('counts', 'w1', { partitioner: () => partition });
    const ownerOf2 = a.app
      .allMetadata()
      .find((m) => m.topicPartitions.some((tp) => tp.topic.endsWith('-repartition') && tp.partition === 2))!;
    expect(partitioned(2)).toMatchObject({ partition: 2, activeHost: ownerOf2.hostInfo });
    expect(partitioned(undefined).partition).toBe(partitionForKey(Buffer.from('w1'), PARTITIONS));
    expect(() => partitioned(9)).toThrow(/partitioner returned 9; it must return an integer from 0 to 3/);

    const meta = a.app.allMetadata();
    expect(meta.map((m) => `${m.host}:${m.port}`).sort()).toEqual([a.server, b.server].sort());
    for (const m of meta) {
      expect(m.hostInfo).toEqual({ host: m.host, port: m.port });
      expect(m.stateStoreNames).toEqual(['counts']);
      expect(m.standbyStateStoreNames).toEqual(['counts']);
      // Stateless tasks read the input topic; the counting ones the repartition topic.
      expect(m.topicPartitions.some((tp) => tp.topic === INPUT)).toBe(true);
    }
    const stateful = meta.flatMap((m) => m.topicPartitions.filter((tp) => tp.topic !== INPUT));
    const standby = meta.flatMap((m) => m.standbyTopicPartitions);
    expect(stateful.map((tp) => tp.partition).sort()).toEqual([0, 1, 2, 3]);
    expect(standby.map((tp) => tp.partition).sort()).toEqual([0, 1, 2, 3]);

    const c = await instance({ numStandbyReplicas: 1 });
    await c.app.start();
    const more = await produceLines(kafka, 100, 200);
    const all = mergeCounts(truth, more);
    await waitUntil(async () => sameCounts(await readCounts(kafka), all), 'counts after scale-out');
    await expectOwnership([a, b, c], all, 1);
    expect(a.app.streamsMetadataForStore('counts')).toHaveLength(3);

    await a.app.close();
    await expectOwnership([b, c], all, 1);
  });

  it('needs applicationServer for key metadata; instances without it are not listed', async () => {
    await freshCluster();
    const app = wordCountApp(kafka, await tempStateDir());
    apps.push(app);
    await app.start();
    expect(app.allMetadata()).toEqual([]);
    expect(() => app.queryMetadataForKey('counts', 'w1')).toThrow(StreamsError);
    expect(() => app.queryMetadataForKey('counts', 'w1')).toThrow(/needs applicationServer/);
  });

  it('GET /api/stores/:store/:key answers on the owner and names the owner elsewhere', async () => {
    await freshCluster();
    const make = async (): Promise<Instance & { url: string }> => {
      const port = await freePort();
      const server = `127.0.0.1:${port}`;
      const app = wordCountApp(kafka, await tempStateDir(), { applicationServer: server, http: { port } });
      apps.push(app);
      return { app, server, url: `http://${server}` };
    };
    const a = await make();
    const b = await make();
    await Promise.all([a.app.start(), b.app.start()]);
    const truth = await produceLines(kafka, 100);
    await waitUntil(async () => sameCounts(await readCounts(kafka), truth), 'counts on the output');
    await expectOwnership([a, b], truth, 0);
    const byServer = new Map([a, b].map((i) => [i.server, i]));
    for (const [word, n] of truth) {
      const { activeHost } = a.app.queryMetadataForKey('counts', word);
      const owner = byServer.get(`${activeHost.host}:${activeHost.port}`)!;
      const other = owner === a ? b : a;
      const here = await fetch(`${owner.url}/api/stores/counts/${word}`);
      expect(here.status, word).toBe(200);
      expect(await here.json()).toEqual({ store: 'counts', key: word, value: n });
      const there = await fetch(`${other.url}/api/stores/counts/${word}`);
      expect(there.status, word).toBe(421);
      expect(((await there.json()) as { activeHost: unknown }).activeHost).toEqual(activeHost);
    }
    const missing = a.app.queryMetadataForKey('counts', 'no-such-word').activeHost;
    const ownerOfMissing = byServer.get(`${missing.host}:${missing.port}`)!;
    expect((await fetch(`${ownerOfMissing.url}/api/stores/counts/no-such-word`)).status).toBe(404);
    const unknown = await fetch(`${a.url}/api/stores/nope/x`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ knownStores: ['counts'] });
  });
});
