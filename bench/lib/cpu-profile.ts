/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and lists the frames with the most self time,
 * optionally only inside a time window (the processing window, without start-up).
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** One frame's share of the sampled time. */
export interface HotFrame {
  readonly frame: string;
  readonly selfMs: number;
  readonly selfPercent: number;
}

/**
 * The `top` frames by self time. `windowMicros` are `process.hrtime` microseconds, the clock V8
 * stamps samples with on Linux; samples outside it are ignored when any fall inside.
 */
export function hotFrames(path: string, top = 10, windowMicros?: readonly [number, number]): HotFrame[] {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const frameOf = new Map(profile.nodes.map((n) => [n.id, describe(n)]));
  const all = new Map<string, number>();
  const inWindow = new Map<string, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    const frame = frameOf.get(profile.samples[i]!) ?? '?';
    all.set(frame, (all.get(frame) ?? 0) + delta);
    if (windowMicros && at >= windowMicros[0] && at <= windowMicros[1])
      inWindow.set(frame, (inWindow.get(frame) ?? 0) + delta);
  }
  const chosen = inWindow.size > 0 ? inWindow : all;
  const total = [...chosen.values()].reduce((a, b) => a + b, 0);
  return [...chosen]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([frame, micros]) => ({
      frame,
      selfMs: Math.round(micros / 1000),
      selfPercent: Math.round((1000 * micros) / total) / 10,
    }));
}

function describe(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName || '(anonymous)';
  if (!url) return name;
  const file = url.startsWith('file:') ? relative(process.cwd(), fileURLToPath(url)) : url;
  return `${name} ${file}:${lineNumber + 1}`;
}
