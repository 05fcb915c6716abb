import { ConfigError, StateStoreError, StreamsError } from '../errors.js';
import type { Serde } from '../serde/serde.js';
import type { StateStore } from '../state/store.js';
import type {
  Cancellable,
  ForwardedRecord,
  Processor,
  ProcessorContext,
  PunctuationType,
  RecordMetadata,
} from '../topology/processor.js';
import type { NodeDef } from '../topology/node-defs.js';
import type { Topology } from '../topology/topology.js';
import { checkCoPartitionedKeySerdes } from '../topology/co-partitioned-key-serdes.js';
import type { DropReason, DroppedRecordsContext } from '../topology/dropped-records.js';

/** @internal A node instantiated inside one task. */
export interface NodeInstance {
  readonly def: NodeDef;
  readonly children: NodeInstance[];
  readonly childByName: Map<string, NodeInstance>;
  processor: Processor<any, any, any, any> | undefined;
  context: NodeContext | undefined;
  /** For sources: the node's serdes after defaults. */
  keySerde: Serde<unknown> | undefined;
  valueSerde: Serde<unknown> | undefined;
  /** For sinks with a fixed topic: its full name, resolved once rather than per record. */
  sinkTopic: string | undefined;
}

/** @internal What a node's context reads from and asks of its task. */
export interface ContextTask {
  readonly id: string;
  readonly partition: number;
  readonly applicationId: string;
  readonly topic: string | undefined;
  readonly offset: number;
  readonly streamTime: number;
  recordMetadata(): RecordMetadata | undefined;
  forward(from: NodeInstance, record: ForwardedRecord<unknown, unknown>, childName: string | undefined): void;
  schedule(
    node: NodeInstance,
    intervalMs: number,
    type: PunctuationType,
    callback: (ts: number) => void,
  ): Cancellable;
  setPunctuationTimestamp(ts: number): void;
  /** A store of the task itself (undefined for a global store). */
  ownStore(name: string): StateStore | undefined;
  /** A store of the task, or a global store. */
  store(name: string): StateStore | undefined;
  wallClockMs(): number;
  requestCommit(): void;
  recordDropped(
    node: string,
    reason: DropReason,
    details: Readonly<Record<string, unknown>> | undefined,
  ): void;
}

/** @internal The context one processor node sees. */
export class NodeContext implements ProcessorContext<unknown, unknown>, DroppedRecordsContext {
  constructor(
    private readonly task: ContextTask,
    private readonly node: NodeInstance,
  ) {}

  get applicationId(): string {
    return this.task.applicationId;
  }
  get taskId(): string {
    return this.task.id;
  }
  get topic(): string | undefined {
    return this.task.topic;
  }
  get partition(): number {
    return this.task.partition;
  }
  get offset(): number {
    return this.task.offset;
  }
  recordMetadata(): RecordMetadata | undefined {
    return this.task.recordMetadata();
  }
  forward(record: ForwardedRecord<unknown, unknown>, childName?: string): void {
    this.task.forward(this.node, record, childName);
  }
  schedule(intervalMs: number, type: PunctuationType, callback: (timestamp: number) => void): Cancellable {
    return this.task.schedule(this.node, intervalMs, type, (ts) => {
      this.task.setPunctuationTimestamp(ts);
      callback(ts);
    });
  }
  getStateStore<S extends StateStore = StateStore>(name: string): S {
    const def = this.node.def;
    const store = this.task.store(name);
    const connected = def.kind === 'processor' && def.stores.has(name);
    const global = this.task.ownStore(name) === undefined;
    if (store === undefined || (!connected && !global)) {
      throw new StateStoreError(
        `Processor "${def.name}" has no access to state store "${name}": connect it (e.g. process(supplier, { stores: ['${name}'] })).`,
        { taskId: this.task.id, node: def.name },
      );
    }
    return store as S;
  }
  currentStreamTimeMs(): number {
    return this.task.streamTime;
  }
  currentSystemTimeMs(): number {
    return this.task.wallClockMs();
  }
  commit(): void {
    this.task.requestCommit();
  }
  recordDropped(reason: DropReason, details?: Readonly<Record<string, unknown>>): void {
    this.task.recordDropped(this.node.def.name, reason, details);
  }
}

/** @internal The serde of a node, or an error saying how to give it one. */
export function requireSerde(
  serde: Serde<unknown> | undefined,
  node: string,
  what: 'key' | 'value',
): Serde<unknown> {
  if (serde === undefined) {
    throw new StreamsError(
      `Node "${node}" has no ${what} serde: pass { ${what}: Serdes.… } to the operator or set default${what === 'key' ? 'Key' : 'Value'}Serde in the config.`,
      { node },
    );
  }
  return serde;
}

/** @internal */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * @internal Checks at construction that every source and sink has a key and a value serde (its
 * own or the configured default), as Kafka Streams fails at start-up without one: a missing serde
 * is a configuration error, never a per-record failure a `logAndContinue` handler would swallow.
 */
export function requireNodeSerdes(
  nodes: readonly NodeDef[],
  defaults: {
    readonly defaultKeySerde?: Serde<unknown> | undefined;
    readonly defaultValueSerde?: Serde<unknown> | undefined;
  },
): void {
  for (const node of nodes) {
    if (node.kind === 'processor') continue;
    const kind = node.kind === 'source' ? 'Source' : 'Sink';
    for (const [what, own, fallback] of [
      ['key', node.keySerde, defaults.defaultKeySerde],
      ['value', node.valueSerde, defaults.defaultValueSerde],
    ] as const) {
      if (own !== undefined || fallback !== undefined) continue;
      const topics =
        node.kind === 'source'
          ? node.topics.join(', ')
          : typeof node.topic === 'string'
            ? node.topic
            : 'chosen per record';
      throw new ConfigError(
        `${kind} "${node.name}" (topic ${topics}) has no ${what} serde: pass { ${what}: Serdes.… } to the operator, or set default${what === 'key' ? 'Key' : 'Value'}Serde in the config.`,
        { node: node.name },
      );
    }
  }
}

/**
 * @internal The serde checks a runner makes at construction, with its configured defaults: every
 * source and sink has serdes, and the sources feeding one store agree on the key serde.
 */
export function requireTopologySerdes(
  topology: Topology,
  defaults: Parameters<typeof requireNodeSerdes>[1],
): void {
  requireNodeSerdes(allNodes(topology), defaults);
  checkCoPartitionedKeySerdes(topology, defaults.defaultKeySerde);
}

/** @internal Every node of a topology: its sub-topologies' and its global part's. */
export function allNodes(topology: Topology): NodeDef[] {
  return [...topology.subtopologies().flatMap((s) => s.nodes), ...topology.globalNodes()];
}
