import { TopologyError } from '../errors.js';
import type { Serde } from '../serde/serde.js';
import type { NodeDef, SourceNodeDef } from './node-defs.js';
import type { Topology } from './topology.js';

/**
 * @internal Fails when one local store is fed from sources whose key serdes differ.
 *
 * A join or aggregation only sees the records of one key together when every input put that key
 * in the same partition, and the producer's partitioner hashes the key *bytes*. Two inputs that
 * agree on the key's TypeScript type but not on its serde (`Serdes.string()` writes `abc`,
 * `Serdes.json<string>()` writes `"abc"`) put the same key in different partitions, so on a
 * multi-partition topic the join silently matches almost nothing. Serdes are compared by `name`;
 * a source without a key serde uses `defaultKeySerde`, and one that has neither is skipped (it
 * fails elsewhere, where the serde is needed).
 */
export function checkCoPartitionedKeySerdes(
  topology: Topology,
  defaultKeySerde: Serde<unknown> | undefined,
): void {
  for (const [storeName, store] of topology.stores) {
    if (store.global) continue;
    const sources = new Map<string, SourceNodeDef>();
    for (const processor of store.processors) collectSources(topology, processor, sources, new Set());
    const byName = new Map<string, SourceNodeDef>();
    for (const source of sources.values()) {
      const serde = source.keySerde ?? defaultKeySerde;
      if (serde !== undefined && !byName.has(serde.name)) byName.set(serde.name, source);
    }
    if (byName.size < 2) continue;
    const [[nameA, a], [nameB, b]] = [...byName] as [[string, SourceNodeDef], [string, SourceNodeDef]];
    throw new TopologyError(
      `Store "${storeName}" combines records from source "${a.name}" (${topics(a)}, key serde ${nameA}) and source "${b.name}" (${topics(b)}, key serde ${nameB}): different key serdes write the same key as different bytes, so it lands in different partitions and the join or aggregation misses it. Give both sources the same key serde, or repartition one side with the other's (repartition({ key })).`,
      { node: b.name },
    );
  }
}

function collectSources(
  topology: Topology,
  name: string,
  found: Map<string, SourceNodeDef>,
  seen: Set<string>,
): void {
  if (seen.has(name)) return;
  seen.add(name);
  const node: NodeDef | undefined = topology.nodes.get(name);
  if (node === undefined || node.kind === 'sink') return;
  if (node.kind === 'source') {
    found.set(node.name, node);
    return;
  }
  for (const parent of node.parents) collectSources(topology, parent, found, seen);
}

function topics(source: SourceNodeDef): string {
  return source.topics.map((t) => `"${t}"`).join(', ');
}
