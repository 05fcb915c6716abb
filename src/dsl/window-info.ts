import type { InternalStreamsBuilder } from './internal-builder.js';

/** @internal What a windowed aggregation tells operators downstream of its table (suppress). */
export interface WindowInfo {
  readonly kind: 'time' | 'sliding' | 'session';
  readonly graceMs: number;
  /** Session windows only: their inactivity gap, which Kafka Streams adds to the grace period. */
  readonly inactivityGapMs?: number;
}

/**
 * @internal How long after a window's end (`window.end`, exclusive for time windows, inclusive for
 * sliding and session windows) `suppress(untilWindowCloses)` holds its result: the grace period,
 * plus the inactivity gap for sessions, as Kafka Streams' `GraphGraceSearchUtil.extractGracePeriod`.
 */
export function suppressionDelayMs(info: WindowInfo): number {
  return info.graceMs + (info.kind === 'session' ? (info.inactivityGapMs ?? 0) : 0);
}

const infoByBuilder = new WeakMap<InternalStreamsBuilder, Map<string, WindowInfo>>();

/** @internal Records that `nodeName` emits a windowed table. */
export function registerWindowedNode(
  builder: InternalStreamsBuilder,
  nodeName: string,
  info: WindowInfo,
): void {
  let byNode = infoByBuilder.get(builder);
  if (byNode === undefined) infoByBuilder.set(builder, (byNode = new Map()));
  byNode.set(nodeName, info);
}

/**
 * @internal The windowing of the table produced by `nodeName`: found by walking up through table
 * processors (filter, mapValues, …) to the windowed aggregation, as Kafka Streams finds the grace
 * period for suppression. `undefined` if the table is not windowed.
 */
export function findWindowInfo(builder: InternalStreamsBuilder, nodeName: string): WindowInfo | undefined {
  const byNode = infoByBuilder.get(builder);
  if (byNode === undefined) return undefined;
  const pending = [nodeName];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const name = pending.pop() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    const info = byNode.get(name);
    if (info !== undefined) return info;
    for (const node of builder.nodes) {
      if (node.kind === 'processor' && node.name === name) pending.push(...node.parents);
    }
  }
  return undefined;
}
