/**
 * The fidelity harness's op language: a topology over string keys and values as a list of
 * nodes, plus the input records to pipe. The Java oracle (oracle/src/main/java) and the
 * TypeScript runner (runner.ts) read the same JSON; docs/testing.md describes each op.
 */

export type WindowSpec =
  | { kind: 'tumbling'; size: number; grace: number }
  | { kind: 'hopping'; size: number; advance: number; grace: number }
  | { kind: 'sliding'; size: number; grace: number }
  | { kind: 'session'; gap: number; grace: number };

export interface JoinWindowSpec {
  before: number;
  after: number;
  grace: number;
}

export type OpNode =
  | { id: string; op: 'stream' | 'table' | 'globalTable'; topic: string }
  | { id: string; op: 'filter' | 'filterNot' | 'mapValues' | 'map' | 'selectKey'; from: string; fn: string }
  | { id: string; op: 'flatMapValues' | 'flatMap'; from: string; fn: string }
  | { id: string; op: 'merge'; from: string; other: string }
  | { id: string; op: 'repartition' | 'toTable'; from: string }
  | { id: string; op: 'toStream'; from: string; windowed?: boolean }
  | { id: string; op: 'suppress'; from: string; until: 'windowCloses' | 'timeLimit'; ms?: number }
  | {
      id: string;
      op: 'count' | 'reduce' | 'aggregate';
      from: string;
      /** Stream: a key selector (absent: `groupByKey`). Table: a key-value mapper (required). */
      group?: string;
      window?: WindowSpec;
      emit?: 'update' | 'close';
    }
  | {
      id: string;
      op: 'join' | 'leftJoin' | 'outerJoin';
      from: string;
      other: string;
      /** Stream–stream joins. */
      window?: JoinWindowSpec;
      /** Foreign-key table joins (value → key) and global-table joins ((key, value) → key). */
      fk?: string;
    }
  /** Branches `<id>.0`, `<id>.1`, … (one per predicate) and `<id>.d` with `withDefault`. */
  | { id: string; op: 'split'; from: string; predicates: string[]; withDefault: boolean }
  | { id: string; op: 'peek'; from: string }
  /** A fixed-key processor (`fn`: `twiceIfA`). */
  | { id: string; op: 'processValues'; from: string; fn: string }
  /** Buffers the latest value per key and forwards the buffer every `interval` ms of that time. */
  | { id: string; op: 'punctuate'; from: string; type: 'streamTime' | 'wallClock'; interval: number }
  | { op: 'to'; from: string; topic: string };

export interface InputRecord {
  topic: string;
  key: string | null;
  value: string | null;
  ts: number;
  /** Wall-clock milliseconds to advance the driver by before piping this record. */
  advanceWallClock?: number;
}

export interface FidelityCase {
  name: string;
  nodes: OpNode[];
  inputs: InputRecord[];
  /** Sink topics, read in this order after each input record. */
  outputs: string[];
}

export interface OutputRecord {
  topic: string;
  key: string | null;
  value: string | null;
  ts: number;
  /** Index of the input record whose processing produced this one. */
  after: number;
}

export interface CaseResult {
  name: string;
  records: OutputRecord[];
  /** Set when building or running the topology threw. */
  error?: string;
}
