import { describe, expect, it } from 'vitest';
import { SortedCursor, SortedStringMap } from '../../../src/state/internal/sorted-string-map.js';
import type { CursorBounds, SortedSnapshot } from '../../../src/state/internal/sorted-string-map.js';

/** A deterministic PRNG (mulberry32) so failures reproduce. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function walk<V>(snapshot: SortedSnapshot<V>, bounds?: CursorBounds): string[] {
  const seen: string[] = [];
  for (const cursor = new SortedCursor(snapshot, bounds); cursor.key !== undefined; cursor.advance())
    seen.push(cursor.key);
  return seen;
}

describe('SortedStringMap', () => {
  it('matches a reference map under random writes, across many chunks', () => {
    const next = random(7);
    const map = new SortedStringMap<number>();
    const reference = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const key = String.fromCharCode(Math.floor(next() * 256), Math.floor(next() * 256));
      if (next() < 0.3) expect(map.delete(key)).toBe(reference.delete(key));
      else {
        expect(map.set(key, i)).toBe(!reference.has(key));
        reference.set(key, i);
      }
    }
    const sorted = [...reference.keys()].sort();
    expect(map.size).toBe(reference.size);
    expect(walk(map.snapshot())).toEqual(sorted);
    for (const key of sorted.slice(0, 200)) expect(map.get(key)).toBe(reference.get(key));
    expect(map.get('\u0000')).toBe(reference.get('\u0000'));
  });

  it('walks bounded ranges forwards and backwards, including across chunk borders', () => {
    const map = new SortedStringMap<number>();
    const all = Array.from({ length: 1000 }, (_, i) => `k${String(i).padStart(4, '0')}`);
    for (const key of [...all].reverse()) map.set(key, 0);
    const snapshot = map.snapshot();
    const between = (lower: string, upper: string) => all.filter((key) => key >= lower && key <= upper);
    expect(walk(snapshot, { lower: 'k0250', upper: 'k0260' })).toEqual(between('k0250', 'k0260'));
    expect(walk(snapshot, { lower: 'k0250', upper: 'k0260', reverse: true })).toEqual(
      between('k0250', 'k0260').reverse(),
    );
    expect(walk(snapshot, { lower: 'k0250', upper: 'k0260', upperExclusive: true })).toEqual(
      between('k0250', 'k0259'),
    );
    expect(walk(snapshot, { upper: 'k0260', upperExclusive: true, reverse: true })[0]).toBe('k0259');
    expect(walk(snapshot, { lower: 'k0995' })).toEqual(between('k0995', 'k0999'));
    expect(walk(snapshot, { upper: 'k0003', reverse: true })).toEqual(['k0003', 'k0002', 'k0001', 'k0000']);
    expect(walk(snapshot, { lower: 'l' })).toEqual([]);
    expect(walk(snapshot, { upper: 'a', reverse: true })).toEqual([]);
  });

  it('keeps snapshots unchanged by later writes', () => {
    const map = new SortedStringMap<string>();
    for (let i = 0; i < 600; i++) map.set(`k${String(i).padStart(3, '0')}`, 'old');
    const before = map.snapshot();
    const beforeKeys = walk(before);
    for (let i = 0; i < 600; i += 2) map.delete(`k${String(i).padStart(3, '0')}`);
    map.set('k001', 'new');
    map.set('a', 'new');
    const cursor = new SortedCursor(before, { lower: 'k001', upper: 'k001' });
    expect(cursor.value).toBe('old');
    expect(walk(before)).toEqual(beforeKeys);
    expect(map.size).toBe(301);
    expect(map.get('k001')).toBe('new');
  });
});
