import type { DescribableTopology, NodeDef } from './node-defs.js';

/** One node as `describe()` shows it. */
export interface NodeDescription {
  readonly name: string;
  readonly type: 'source' | 'processor' | 'sink';
  /** Source topics (sources) or the sink topic, `<dynamic>` when picked per record. */
  readonly topics: readonly string[];
  readonly stores: readonly string[];
  readonly predecessors: readonly string[];
  readonly successors: readonly string[];
}

/** A sub-topology: the unit that becomes one task per input partition. */
export interface SubtopologyDescription {
  readonly id: number;
  readonly nodes: readonly NodeDescription[];
}

/** A global store with the source and processor that keep it up to date. */
export interface GlobalStoreDescription {
  readonly id: number;
  readonly store: string;
  readonly source: NodeDescription;
  readonly processor: NodeDescription;
}

/**
 * The shape of a topology. `toString()` prints it in Kafka Streams' layout; `toMermaid()` gives a
 * flowchart for docs.
 *
 * @example
 * ```ts
 * console.log(builder.build().describe().toString());
 * ```
 */
export interface TopologyDescription {
  readonly subtopologies: readonly SubtopologyDescription[];
  readonly globalStores: readonly GlobalStoreDescription[];
  toString(): string;
  toMermaid(): string;
}

/** @internal */
export function describeTopology(topology: DescribableTopology): TopologyDescription {
  const describeNode = (node: NodeDef): NodeDescription => {
    if (node.kind === 'source') {
      return {
        name: node.name,
        type: 'source',
        topics: node.topics,
        stores: [],
        predecessors: [],
        successors: [...node.children],
      };
    }
    if (node.kind === 'processor') {
      return {
        name: node.name,
        type: 'processor',
        topics: [],
        stores: [...node.stores],
        predecessors: [...node.parents],
        successors: [...node.children],
      };
    }
    return {
      name: node.name,
      type: 'sink',
      topics: [typeof node.topic === 'string' ? node.topic : '<dynamic>'],
      stores: [],
      predecessors: [...node.parents],
      successors: [],
    };
  };

  const subtopologies = topology.subtopologies().map((sub) => {
    const compare = displayComparator(sub.nodes);
    const byName = (names: readonly string[]) =>
      [...names]
        .map((name) => ({ name }))
        .sort(compare)
        .map((n) => n.name);
    return {
      id: sub.id,
      nodes: orderForDisplay(sub.nodes)
        .map(describeNode)
        .map((n) => ({ ...n, predecessors: byName(n.predecessors), successors: byName(n.successors) })),
    };
  });
  const globalStores: GlobalStoreDescription[] = [];
  let nextId = subtopologies.length;
  for (const [storeName, entry] of topology.stores) {
    if (!entry.global) continue;
    const processorName = [...entry.processors][0]!;
    const processor = topology.nodes.get(processorName)!;
    const sourceName = processor.kind === 'processor' ? processor.parents[0]! : processorName;
    globalStores.push({
      id: nextId++,
      store: storeName,
      source: describeNode(topology.nodes.get(sourceName)!),
      processor: describeNode(processor),
    });
  }
  return {
    subtopologies,
    globalStores,
    toString: () => renderText(subtopologies, globalStores),
    toMermaid: () => renderMermaid(subtopologies, globalStores),
  };
}

/**
 * Kafka Streams' display order: by the size of the node's sub-tree (itself plus every path below
 * it), largest first, then by name. Sources come first and sinks last, and the output is stable.
 */
function orderForDisplay(nodes: readonly NodeDef[]): NodeDef[] {
  const compare = displayComparator(nodes);
  return [...nodes].sort(compare);
}

function displayComparator(nodes: readonly NodeDef[]): (a: { name: string }, b: { name: string }) => number {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const sizes = new Map<string, number>();
  const sizeOf = (name: string): number => {
    const known = sizes.get(name);
    if (known !== undefined) return known;
    const node = byName.get(name);
    let size = 1;
    if (node !== undefined && node.kind !== 'sink')
      for (const child of node.children) if (byName.has(child)) size += sizeOf(child);
    sizes.set(name, size);
    return size;
  };
  return (a, b) => sizeOf(b.name) - sizeOf(a.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

function renderNode(node: NodeDescription): string[] {
  const arrowsOut = node.successors.length === 0 ? 'none' : node.successors.join(', ');
  const arrowsIn = node.predecessors.join(', ');
  if (node.type === 'source') {
    return [`    Source: ${node.name} (topics: [${node.topics.join(', ')}])`, `      --> ${arrowsOut}`];
  }
  if (node.type === 'processor') {
    return [
      `    Processor: ${node.name} (stores: [${node.stores.join(', ')}])`,
      `      --> ${arrowsOut}`,
      `      <-- ${arrowsIn}`,
    ];
  }
  return [`    Sink: ${node.name} (topic: ${node.topics[0]})`, `      <-- ${arrowsIn}`];
}

function renderText(
  subs: readonly SubtopologyDescription[],
  globals: readonly GlobalStoreDescription[],
): string {
  const lines = ['Topologies:'];
  for (const sub of subs) {
    lines.push(`   Sub-topology: ${sub.id}`);
    for (const node of sub.nodes) lines.push(...renderNode(node));
    lines.push('');
  }
  for (const g of globals) {
    lines.push(`   Sub-topology: ${g.id} for global store (will not generate tasks)`);
    lines.push(...renderNode(g.source), ...renderNode(g.processor), '');
  }
  return lines.join('\n');
}

function renderMermaid(
  subs: readonly SubtopologyDescription[],
  globals: readonly GlobalStoreDescription[],
): string {
  const id = (name: string) => name.replace(/[^a-zA-Z0-9_]/g, '_');
  const lines = ['flowchart TD'];
  const edges: string[] = [];
  const topicNodes = new Set<string>();
  const storeNodes = new Set<string>();
  const emitNode = (node: NodeDescription) => {
    lines.push(`    ${id(node.name)}["${node.name}"]`);
    for (const succ of node.successors) edges.push(`  ${id(node.name)} --> ${id(succ)}`);
    for (const store of node.stores) {
      storeNodes.add(store);
      edges.push(`  ${id(node.name)} -.- store_${id(store)}`);
    }
    for (const topic of node.topics) {
      topicNodes.add(topic);
      if (node.type === 'source') edges.push(`  topic_${id(topic)} --> ${id(node.name)}`);
      else edges.push(`  ${id(node.name)} --> topic_${id(topic)}`);
    }
  };
  for (const sub of subs) {
    lines.push(`  subgraph sub${sub.id}["Sub-topology ${sub.id}"]`);
    for (const node of sub.nodes) emitNode(node);
    lines.push('  end');
  }
  for (const g of globals) {
    lines.push(`  subgraph sub${g.id}["Global store ${g.store}"]`);
    emitNode(g.source);
    emitNode(g.processor);
    lines.push('  end');
  }
  for (const topic of topicNodes) lines.push(`  topic_${id(topic)}[/"${topic}"/]`);
  for (const store of storeNodes) lines.push(`  store_${id(store)}[("${store}")]`);
  return [...lines, ...edges].join('\n');
}
