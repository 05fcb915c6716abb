import { InvalidStateStoreError, StateStoreError, StreamsError } from '../errors.js';
import { partitionForKey } from '../kafka/partitioner.js';
import type { TopicPartition } from '../kafka/port.js';
import type { Serde } from '../serde/serde.js';
import type { StreamPartitioner } from '../topology/processor.js';
import type { Topology } from '../topology/topology.js';
import type { HostTasks } from './task-assignor.js';
import type { TopicPlan } from './topic-plan.js';

/**
 * Where an instance answers interactive queries: its `applicationServer` config, split, as Kafka
 * Streams' `HostInfo`.
 *
 * @example
 * ```ts
 * const { activeHost } = app.queryMetadataForKey('counts', 'hello');
 * await fetch(`http://${activeHost.host}:${activeHost.port}/api/stores/counts/hello`);
 * ```
 */
export interface HostInfo {
  readonly host: string;
  readonly port: number;
}

/**
 * Which instance holds a key of a store: `activeHost` runs the task that owns the key's
 * `partition`; `standbyHosts` keep (possibly stale) standby copies of it.
 *
 * @example
 * ```ts
 * const meta: KeyQueryMetadata = app.queryMetadataForKey('counts', 'hello');
 * console.log(meta.partition, meta.activeHost, meta.standbyHosts);
 * ```
 */
export interface KeyQueryMetadata {
  readonly activeHost: HostInfo;
  readonly standbyHosts: readonly HostInfo[];
  /** The partition of the store's source topics the key hashes to (its task's partition). */
  readonly partition: number;
}

/**
 * One instance of the application as the group assignment describes it, as Kafka Streams'
 * `StreamsMetadata`: the stores and source-topic partitions of its active and standby tasks.
 * Global stores are in every instance's `stateStoreNames`.
 *
 * @example
 * ```ts
 * for (const m of app.allMetadata()) console.log(`${m.host}:${m.port}`, m.stateStoreNames, m.topicPartitions);
 * ```
 */
export interface StreamsMetadata {
  readonly hostInfo: HostInfo;
  /** `hostInfo.host`. */
  readonly host: string;
  /** `hostInfo.port`. */
  readonly port: number;
  readonly stateStoreNames: readonly string[];
  readonly topicPartitions: readonly TopicPartition[];
  readonly standbyStateStoreNames: readonly string[];
  readonly standbyTopicPartitions: readonly TopicPartition[];
}

/**
 * Options of `app.queryMetadataForKey(store, key, options)`.
 *
 * @example
 * ```ts
 * app.queryMetadataForKey('orders-by-region', 'eu', { partitioner: (_topic, region, _v, n) => region.length % n });
 * ```
 */
export interface KeyQueryOptions<K> {
  /**
   * The partitioner the store's input topic was written with, when it was not the default one
   * (murmur2 of the key bytes): called with the store's source topic, the key, `null` and the
   * partition count; `undefined` falls back to the default.
   */
  partitioner?: StreamPartitioner<K, unknown>;
}

/** @internal Splits a validated `host:port` (IPv6 hosts in brackets keep them). */
export function parseHostInfo(endpoint: string): HostInfo {
  const colon = endpoint.lastIndexOf(':');
  return { host: endpoint.slice(0, colon), port: Number(endpoint.slice(colon + 1)) };
}

/** @internal What the metadata is computed from. */
export interface MetadataSource {
  readonly topology: Topology;
  /** The app's lifecycle state: only a `RUNNING` or `REBALANCING` app answers. */
  state(): string;
  /** Partition counts and source topics, once the app connected. */
  plan(): TopicPlan | undefined;
  readonly defaultKeySerde: Serde<unknown> | undefined;
  /** This instance's `applicationServer`. */
  readonly applicationServer: string | undefined;
}

/**
 * @internal Kafka Streams' `StreamsMetadataState`: the group's tasks per `applicationServer`,
 * replaced with every assignment a stream thread receives, and the answers derived from them.
 * During a rebalance the last assignment's answers stand (the owner may have moved: its store
 * then throws `InvalidStateStoreError`, and the caller asks again).
 */
export class StreamsMetadataState {
  private hosts: Record<string, HostTasks> | undefined;

  constructor(private readonly source: MetadataSource) {}

  /** A stream thread received an assignment. */
  update(hosts: Record<string, HostTasks>): void {
    this.hosts = hosts;
  }

  queryMetadataForKey<K>(store: string, key: K, options: KeyQueryOptions<K> = {}): KeyQueryMetadata {
    const entry = this.storeEntry(store);
    const hosts = this.ready(store);
    const serde = ((entry.builder as { keySerde?: Serde<unknown> }).keySerde ??
      this.source.defaultKeySerde) as Serde<K> | undefined;
    if (serde === undefined)
      throw new StateStoreError(
        `State store "${store}" has no key serde and there is no defaultKeySerde: give the store a key serde.`,
        { node: store },
      );
    if (entry.global) {
      // Every instance holds all of a global store: this one answers.
      return { activeHost: parseHostInfo(this.source.applicationServer!), standbyHosts: [], partition: -1 };
    }
    const sub = this.subtopologyOf(store);
    const count = this.source.plan()!.partitionsBySubtopology.get(sub) ?? 0;
    const partition = this.partitionOf(store, sub, count, key, serde, options.partitioner);
    const task = `${sub}_${partition}`;
    const owners = Object.entries(hosts);
    const active = owners.find(([, tasks]) => tasks.active.includes(task));
    if (active === undefined)
      throw new InvalidStateStoreError(
        `No instance with an applicationServer owns task ${task} of state store "${store}" (an instance without applicationServer, or one joining, holds it). Set applicationServer on every instance; retry after the rebalance.`,
        { node: store, taskId: task, partition },
      );
    return {
      activeHost: parseHostInfo(active[0]),
      standbyHosts: owners.filter(([, t]) => t.standby.includes(task)).map(([e]) => parseHostInfo(e)),
      partition,
    };
  }

  allMetadata(): StreamsMetadata[] {
    this.checkRunning();
    const hosts = this.hosts ?? {};
    const topology = this.source.topology;
    const globalStores = [...topology.stores].filter(([, e]) => e.global).map(([name]) => name);
    const subs = new Map(topology.subtopologies().map((s) => [s.id, s]));
    const storesOf = (tasks: readonly string[], loggedOnly: boolean) => {
      const names = new Set<string>();
      for (const task of tasks)
        for (const name of subs.get(subOf(task))?.stores ?? [])
          if (!loggedOnly || topology.stores.get(name)?.builder.loggingEnabled === true) names.add(name);
      return [...names].sort();
    };
    return Object.entries(hosts)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([endpoint, tasks]) => {
        const hostInfo = parseHostInfo(endpoint);
        return {
          hostInfo,
          host: hostInfo.host,
          port: hostInfo.port,
          stateStoreNames: [...new Set([...storesOf(tasks.active, false), ...globalStores])].sort(),
          topicPartitions: this.partitionsOf(tasks.active),
          standbyStateStoreNames: storesOf(tasks.standby, true),
          standbyTopicPartitions: this.partitionsOf(tasks.standby),
        };
      });
  }

  streamsMetadataForStore(store: string): StreamsMetadata[] {
    this.storeEntry(store);
    return this.allMetadata().filter(
      (m) => m.stateStoreNames.includes(store) || m.standbyStateStoreNames.includes(store),
    );
  }

  // ─── plumbing ─────────────────────────────────────────────────────────────────────

  private storeEntry(store: string) {
    const entry = this.source.topology.stores.get(store);
    if (entry === undefined) {
      const known = [...this.source.topology.stores.keys()].sort();
      throw new StateStoreError(
        `No state store named "${store}" in this topology. Known stores: ${known.length > 0 ? known.join(', ') : '(none)'}.`,
        { node: store },
      );
    }
    return entry;
  }

  private checkRunning(): void {
    const state = this.source.state();
    if (state !== 'RUNNING' && state !== 'REBALANCING')
      throw new InvalidStateStoreError(
        `Metadata is not available: the application is ${state}${state === 'CREATED' ? ' (call start() first)' : ''}.`,
      );
  }

  /** The hosts map, once this instance has an assignment and an `applicationServer`. */
  private ready(store: string): Record<string, HostTasks> {
    this.checkRunning();
    if (this.source.applicationServer === undefined)
      throw new StreamsError(
        `queryMetadataForKey("${store}") needs applicationServer: set it ("host:port") on every instance, so instances can tell each other where they answer.`,
        { node: store },
      );
    if (this.hosts === undefined)
      throw new InvalidStateStoreError(
        `Metadata of state store "${store}" is not available yet: this instance has no assignment. Retry shortly.`,
        { node: store },
      );
    return this.hosts;
  }

  private partitionOf<K>(
    store: string,
    sub: number,
    count: number,
    key: K,
    serde: Serde<K>,
    partitioner: StreamPartitioner<K, unknown> | undefined,
  ): number {
    if (partitioner !== undefined) {
      const plan = this.source.plan()!;
      const topic = [...plan.subtopologyByTopic].find(([, s]) => s === sub)![0];
      const chosen = partitioner(topic, key, null, count);
      if (chosen !== undefined) {
        if (!Number.isInteger(chosen) || chosen < 0 || chosen >= count)
          throw new StreamsError(
            `queryMetadataForKey("${store}"): the partitioner returned ${String(chosen)}; it must return an integer from 0 to ${count - 1} (or undefined for the default).`,
            { node: store },
          );
        return chosen;
      }
    }
    const bytes = serde.serialize(key);
    if (bytes === null)
      throw new StreamsError(`queryMetadataForKey("${store}"): a null key has no partition.`, {
        node: store,
      });
    return partitionForKey(bytes, count);
  }

  private subtopologyOf(store: string): number {
    const sub = this.source.topology.subtopologies().find((s) => s.stores.includes(store));
    if (sub === undefined)
      throw new StateStoreError(`State store "${store}" is not used by any sub-topology.`, { node: store });
    return sub.id;
  }

  /** The source-topic partitions of tasks, as the assignment gave them. */
  private partitionsOf(tasks: readonly string[]): TopicPartition[] {
    const plan = this.source.plan();
    if (plan === undefined) return [];
    const out: TopicPartition[] = [];
    for (const task of tasks) {
      const sub = subOf(task);
      const partition = Number(task.slice(task.indexOf('_') + 1));
      const count = plan.partitionsBySubtopology.get(sub) ?? 0;
      for (const [topic, s] of plan.subtopologyByTopic)
        if (s === sub && partition < (plan.topicPartitions.get(topic) ?? count))
          out.push({ topic, partition });
    }
    return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  }
}

function subOf(task: string): number {
  return Number(task.slice(0, task.indexOf('_')));
}
