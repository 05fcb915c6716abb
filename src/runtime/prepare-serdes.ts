import type { Serde } from '../serde/index.js';
import type { Topology } from '../topology/topology.js';

/**
 * Awaits `prepare(topic)` of every source and sink serde that has one, once per (serde, topic),
 * so serdes that need I/O (a Schema Registry) do it before the first record.
 */
export async function prepareSerdes(
  topology: Topology,
  applicationId: string,
  defaults: { key?: Serde<unknown>; value?: Serde<unknown> },
): Promise<void> {
  const seen = new Map<object, Set<string>>();
  const pending: Promise<void>[] = [];
  const add = (
    bound: Serde<unknown> | undefined,
    fallback: Serde<unknown> | undefined,
    topic: string,
  ): void => {
    const serde = bound ?? fallback;
    if (serde?.prepare === undefined) return;
    let topics = seen.get(serde);
    if (topics === undefined) seen.set(serde, (topics = new Set()));
    if (topics.has(topic)) return;
    topics.add(topic);
    pending.push(serde.prepare(topic));
  };
  for (const node of topology.nodes.values()) {
    if (node.kind === 'source') {
      for (const topic of node.topics) {
        const resolved = topology.resolveTopic(applicationId, topic);
        add(node.keySerde, defaults.key, resolved);
        add(node.valueSerde, defaults.value, resolved);
      }
    } else if (node.kind === 'sink' && typeof node.topic === 'string') {
      const resolved = topology.resolveTopic(applicationId, node.topic);
      add(node.keySerde, defaults.key, resolved);
      add(node.valueSerde, defaults.value, resolved);
    }
  }
  await Promise.all(pending);
}
