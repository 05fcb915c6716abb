import { TopologyError } from '../errors.js';
import type { GraphNode } from './graph.js';
import { optionError, optionProblem, type OptionSchema } from './option-keys.js';

/** @internal Holds the logical graph and hands out positional names, like Kafka Streams. */
export class InternalStreamsBuilder {
  private index = 0;
  readonly nodes: GraphNode[] = [];
  private readonly names = new Set<string>();
  private readonly storeNames = new Set<string>();
  /** Bad option objects seen while declaring; `build()` throws the first. */
  private readonly optionErrors: TopologyError[] = [];

  /** `KSTREAM-MAPVALUES-0000000003`: the prefix plus the next position. */
  newName(prefix: string): string {
    return `${prefix}${String(this.index++).padStart(10, '0')}`;
  }

  /** A user-given name, or the next positional one. */
  nameOr(given: string | undefined, prefix: string): string {
    if (given === undefined) return this.newName(prefix);
    if (typeof given !== 'string' || given.length === 0) {
      throw new TopologyError(
        `Operator names must be non-empty strings (got ${JSON.stringify(given)} for ${prefix.slice(0, -1)}).`,
      );
    }
    return given;
  }

  add<N extends GraphNode>(node: N): N {
    for (const name of nodeNames(node)) {
      if (this.names.has(name)) {
        throw new TopologyError(
          `A processor named "${name}" already exists: give each operator a unique { name }.`,
          {
            node: name,
          },
        );
      }
      this.names.add(name);
    }
    const store =
      node.kind === 'store' ? node.name : node.kind === 'global-store' ? node.storeName : undefined;
    if (store !== undefined) {
      if (this.storeNames.has(store)) {
        throw new TopologyError(
          `A state store named "${store}" already exists: store names must be unique.`,
          { node: store },
        );
      }
      this.storeNames.add(store);
    }
    Object.freeze(node);
    this.nodes.push(node);
    return node;
  }

  /**
   * Checks an operator's option object against its schema. A problem is kept for `build()` to
   * throw, so a typo fails the build naming the operator, the node and the option.
   */
  checkOptions(operator: string, node: string | undefined, options: unknown, schema: OptionSchema): void {
    const problem = optionProblem(options, schema);
    if (problem !== undefined) this.optionErrors.push(optionError(operator, node, problem));
  }

  /** Throws the first option error recorded by {@link checkOptions}. */
  throwOptionErrors(): void {
    if (this.optionErrors.length > 0) throw this.optionErrors[0]!;
  }

  hasStore(name: string): boolean {
    return this.storeNames.has(name);
  }
}

function nodeNames(node: GraphNode): string[] {
  switch (node.kind) {
    case 'source':
    case 'processor':
    case 'sink':
      return [node.name];
    case 'repartition':
      return [node.filterName, node.sinkName, node.sourceName];
    case 'global-store':
      return [node.sourceName, node.processorName];
    case 'store':
      return [];
  }
}
