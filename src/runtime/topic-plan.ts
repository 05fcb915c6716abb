import { StreamsError } from '../errors.js';
import type { KafkaAdmin, NewTopic } from '../kafka/port.js';
import type { Subtopology } from '../topology/node-defs.js';
import type { Topology } from '../topology/topology.js';

/** @internal Partition counts and internal topics of a topology on a cluster. */
export interface TopicPlan {
  /** Tasks per sub-topology: its partition count. */
  readonly partitionsBySubtopology: ReadonlyMap<number, number>;
  /** Which sub-topology reads a (resolved) source topic. */
  readonly subtopologyByTopic: ReadonlyMap<string, number>;
  /** Every resolved source topic the application's consumer subscribes to. */
  readonly sourceTopics: readonly string[];
  /** Resolved repartition topics: their consumed records are purged after commits. */
  readonly repartitionTopics: ReadonlySet<string>;
  /** Changelog topic per store. */
  readonly changelogs: ReadonlyMap<string, string>;
  /** Partition counts of static sink and source topics, for custom partitioners. */
  readonly topicPartitions: ReadonlyMap<string, number>;
}

/**
 * Repartition topics keep records until the application has consumed them, whatever their
 * timestamps (a backfill of year-old events must not meet a 7-day retention on its way through):
 * no time or size retention; consumed records are deleted by the application instead.
 */
export const REPARTITION_TOPIC_CONFIGS: Readonly<Record<string, string>> = {
  'cleanup.policy': 'delete',
  'retention.ms': '-1',
  'retention.bytes': '-1',
  // Purging frees whole segments: smaller ones than the broker default free disk sooner.
  'segment.bytes': String(50 * 1024 * 1024),
};

/** Error for topics that are missing or not co-partitioned: the app cannot start. */
export class TopologyPlanError extends StreamsError {}

/**
 * @internal Works out partition counts, checks co-partitioning and creates internal topics, as Kafka
 * Streams does at start-up: repartition topics get `numberOfPartitions` or the partition count of
 * the sub-topology writing them; changelogs get their sub-topology's count.
 */
export async function planTopics(
  topology: Topology,
  applicationId: string,
  admin: KafkaAdmin,
  replicationFactor: number,
): Promise<TopicPlan> {
  const subs = topology.subtopologies();
  const resolve = (t: string) => topology.resolveTopic(applicationId, t);
  const userSources = [
    ...new Set(subs.flatMap((s) => s.sourceTopics).filter((t) => !topology.internalTopics.has(t))),
  ];
  const userSinks = [
    ...new Set(
      subs
        .flatMap((s) => s.sinkTopics)
        .filter((t) => !topology.internalTopics.has(t) && !userSources.includes(t)),
    ),
  ];
  const globalTopics = topology.globalNodes().flatMap((n) => (n.kind === 'source' ? [...n.topics] : []));
  const counts = new Map(
    Object.entries(await admin.describeTopics([...userSources, ...userSinks, ...globalTopics])),
  );
  const missing = [...userSources, ...globalTopics].filter((t) => !counts.has(t));
  if (missing.length > 0) {
    throw new TopologyPlanError(
      `Source topic(s) ${missing.map((t) => `"${t}"`).join(', ')} do not exist: create them before starting the application (Kafka Streams does not create user topics).`,
      { topic: missing[0] },
    );
  }
  // Checked now, not at the first send: a missing output topic would otherwise fail (or, with
  // broker-side auto-creation, silently get the broker's default partitioning) mid-run.
  const missingSinks = userSinks.filter((t) => !counts.has(t));
  if (missingSinks.length > 0) {
    throw new TopologyPlanError(
      `Sink topic(s) ${missingSinks.map((t) => `"${t}"`).join(', ')} do not exist: create them before starting the application (Kafka Streams does not create user topics).`,
      { topic: missingSinks[0] },
    );
  }

  const writerOf = new Map<string, Subtopology>();
  for (const sub of subs)
    for (const t of sub.sinkTopics) if (topology.internalTopics.has(t)) writerOf.set(t, sub);
  const subCount = new Map<number, number>();
  const internalCount = new Map<string, number>();
  // Writers precede readers in a DAG of sub-topologies; iterate to a fixpoint to be safe.
  for (let round = 0; round <= subs.length && subCount.size < subs.length; round++) {
    for (const sub of subs) {
      if (subCount.has(sub.id)) continue;
      const sourceCounts: number[] = [];
      let known = true;
      // A repartition topic read next to user topics (a join after a key change, the foreign-key
      // subscription topic next to the other table) takes their partition count: co-partitioned.
      const userCounts = sub.sourceTopics
        .filter((t) => !topology.internalTopics.has(t))
        .map((t) => counts.get(t)!);
      const coPartitionedCount = userCounts.length > 0 ? Math.max(...userCounts) : undefined;
      for (const t of sub.sourceTopics) {
        const internal = topology.internalTopics.get(t);
        if (internal === undefined) {
          sourceCounts.push(counts.get(t)!);
          continue;
        }
        const fixed = internal.numberOfPartitions ?? internalCount.get(t);
        const writer = writerOf.get(t);
        const count =
          fixed ?? coPartitionedCount ?? (writer === undefined ? undefined : subCount.get(writer.id));
        if (count === undefined) known = false;
        else {
          internalCount.set(t, count);
          sourceCounts.push(count);
        }
      }
      if (!known) continue;
      const max = Math.max(...sourceCounts);
      if (sub.stores.length > 0 && sourceCounts.some((c) => c !== max)) {
        const detail = sub.sourceTopics
          .map((t) => `${resolve(t)}: ${internalCount.get(t) ?? counts.get(t)}`)
          .join(', ');
        throw new TopologyPlanError(
          `Topics of sub-topology ${sub.id} must be co-partitioned (same partition count) because it joins or aggregates them, but they have ${detail}. Repartition one side (stream.repartition({ numberOfPartitions })) or recreate the topics.`,
        );
      }
      subCount.set(sub.id, max);
    }
  }

  const changelogs = new Map<string, string>();
  const toCreate: NewTopic[] = [];
  for (const [topic, count] of internalCount) {
    toCreate.push({
      topic: resolve(topic),
      partitions: count,
      replicationFactor,
      configs: { ...REPARTITION_TOPIC_CONFIGS },
    });
  }
  for (const sub of subs) {
    for (const store of sub.stores) {
      const changelog = topology.changelogTopic(applicationId, store);
      if (changelog === undefined) continue;
      changelogs.set(store, changelog);
      const entry = topology.stores.get(store)!;
      toCreate.push({
        topic: changelog,
        partitions: subCount.get(sub.id)!,
        replicationFactor,
        configs: { 'cleanup.policy': 'compact', ...entry.builder.logConfig },
      });
    }
  }
  const created = await admin.createTopics(toCreate);
  for (const result of created) {
    const wanted = toCreate.find((t) => t.topic === result.topic)!;
    if (result.partitions !== wanted.partitions) {
      throw new TopologyPlanError(
        `Internal topic "${result.topic}" exists with ${result.partitions} partitions but the topology needs ${wanted.partitions}: delete it (or reset the application) and restart.`,
        { topic: result.topic },
      );
    }
  }

  const subtopologyByTopic = new Map<string, number>();
  for (const sub of subs) for (const t of sub.sourceTopics) subtopologyByTopic.set(resolve(t), sub.id);
  const topicPartitions = new Map<string, number>(counts);
  for (const [t, c] of internalCount) topicPartitions.set(resolve(t), c);
  return {
    partitionsBySubtopology: subCount,
    subtopologyByTopic,
    sourceTopics: [...subtopologyByTopic.keys()],
    repartitionTopics: new Set([...internalCount.keys()].map(resolve)),
    changelogs,
    topicPartitions,
  };
}
