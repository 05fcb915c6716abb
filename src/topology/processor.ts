import type { StateStore } from '../state/store.js';

/** Record headers. Values are bytes or strings, as Kafka clients accept them. */
export type Headers = Readonly<Record<string, Buffer | string>>;

/**
 * One record flowing through a topology. Processors receive records and forward new ones; a
 * record is never mutated after it is forwarded.
 *
 * @example
 * ```ts
 * const r: StreamRecord<string, number> = { key: 'alice', value: 3, timestamp: 1_000 };
 * ```
 */
export interface StreamRecord<K, V> {
  readonly key: K;
  readonly value: V;
  readonly timestamp: number;
  readonly headers?: Headers;
}

/** A record to forward: `timestamp` defaults to the current record's, `headers` to none. */
export interface ForwardedRecord<K, V> {
  readonly key: K;
  readonly value: V;
  readonly timestamp?: number;
  readonly headers?: Headers;
}

/** `'stream-time'` punctuators fire as record timestamps advance; `'wall-clock'` ones as real time does. */
export type PunctuationType = 'stream-time' | 'wall-clock';

/** Returned by `context.schedule(...)`; `cancel()` stops future punctuations. */
export interface Cancellable {
  cancel(): void;
}

/** Where the record being processed came from. Undefined inside a punctuator. */
export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/**
 * What a processor sees of its task. Typed by what the processor forwards.
 *
 * @example
 * ```ts
 * init(context: ProcessorContext<string, number>) {
 *   this.store = context.getStateStore<KeyValueStore<string, number>>('counts');
 *   context.schedule(1_000, 'wall-clock', (now) => context.forward({ key: 'tick', value: now }));
 * }
 * ```
 */
export interface ProcessorContext<KOut = unknown, VOut = unknown> {
  readonly applicationId: string;
  /** `<subtopology>_<partition>`, e.g. `0_3`. */
  readonly taskId: string;
  /** The topic of the record being processed (undefined inside a punctuator). */
  readonly topic: string | undefined;
  /** The partition of the task. */
  readonly partition: number;
  /** The offset of the record being processed (-1 inside a punctuator). */
  readonly offset: number;
  /** Metadata of the record being processed, or `undefined` inside a punctuator. */
  recordMetadata(): RecordMetadata | undefined;
  /** Sends a record to every child, or only to the child named `childName`. */
  forward(record: ForwardedRecord<KOut, VOut>, childName?: string): void;
  /** Calls `callback(timestamp)` every `intervalMs` of stream time or wall-clock time. */
  schedule(intervalMs: number, type: PunctuationType, callback: (timestamp: number) => void): Cancellable;
  /** A store connected to this processor, by name. Throws if it is not connected. */
  getStateStore<S extends StateStore = StateStore>(name: string): S;
  /** The largest record timestamp the task has seen, or -1 before the first record. */
  currentStreamTimeMs(): number;
  /** Wall-clock time as the task sees it (moved by `advanceWallClockTime` in the test driver). */
  currentSystemTimeMs(): number;
  /** Asks the runtime to commit soon. */
  commit(): void;
}

/**
 * A node of the Processor API: receives records, may forward new ones and use state stores.
 *
 * @example
 * ```ts
 * class Upper implements Processor<string, string, string, string> {
 *   private ctx!: ProcessorContext<string, string>;
 *   init(ctx: ProcessorContext<string, string>) { this.ctx = ctx; }
 *   process(r: StreamRecord<string, string>) { this.ctx.forward({ ...r, value: r.value.toUpperCase() }); }
 * }
 * ```
 */
export interface Processor<KIn, VIn, KOut = never, VOut = never> {
  init?(context: ProcessorContext<KOut, VOut>): void;
  process(record: StreamRecord<KIn, VIn>): void;
  close?(): void;
}

/** Makes a fresh processor for each task: a function, or an object with `get()`. */
export type ProcessorSupplier<KIn, VIn, KOut = never, VOut = never> =
  (() => Processor<KIn, VIn, KOut, VOut>) | { get(): Processor<KIn, VIn, KOut, VOut> };

/** Picks a record's event time; the default uses the record's own timestamp. */
export type TimestampExtractor = (
  record: {
    readonly key: unknown;
    readonly value: unknown;
    readonly timestamp: number;
    readonly topic: string;
    readonly partition: number;
  },
  partitionTime: number,
) => number;

/** Picks the output topic per record, for `to((key, value, ctx) => topic)`. */
export type TopicNameExtractor<K, V> = (
  key: K,
  value: V,
  context: { topic: string | undefined; timestamp: number },
) => string;

/** Picks the output partition; `undefined` falls back to the default (murmur2 of the key bytes). */
export type StreamPartitioner<K, V> = (
  topic: string,
  key: K,
  value: V,
  numPartitions: number,
) => number | undefined;

/** @internal Normalises a supplier to a factory function. */
export function supplierToFactory<KIn, VIn, KOut, VOut>(
  supplier: ProcessorSupplier<KIn, VIn, KOut, VOut>,
): () => Processor<KIn, VIn, KOut, VOut> {
  return typeof supplier === 'function' ? supplier : () => supplier.get();
}
