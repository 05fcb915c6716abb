import { describe, expect, it } from 'vitest';
import { OnDemandSortedMap } from '../../../src/state/internal/on-demand-sorted-map.js';
import { SortedCursor, SortedStringMap } from '../../../src/state/internal/sorted-string-map.js';
import type { SortedSnapshot } from '../../../src/state/internal/sorted-string-map.js';

function entries<V>(snapshot: SortedSnapshot<V>): [string, V][] {
  const seen: [string, V][] = [];
  for (const cursor = new SortedCursor(snapshot); cursor.key !== undefined; cursor.advance())
    seen.push([cursor.key, cursor.value as V]);
  return seen;
}

/** Latin1 keys over the whole byte range, so byte order and string order must agree. */
function key(i: number): string {
  return String.fromCharCode((i * 37) % 256, (i * 101) % 256, i % 7);
}

describe('OnDemandSortedMap', () => {
  it('sorts its keys in byte order on demand, before and after a range read turned order on', () => {
    const map = new OnDemandSortedMap<number>();
    const reference = new Map<string, number>();
    for (let i = 0; i < 3_000; i++) {
      map.set(key(i), i);
      reference.set(key(i), i);
      if (i % 5 === 0) {
        map.delete(key(i >> 1));
        reference.delete(key(i >> 1));
      }
    }
    const expected = [...reference.keys()].sort((a, b) =>
      Buffer.compare(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1')),
    );
    expect(map.ordered).toBe(false);
    expect(map.sortedKeys()).toEqual(expected);
    expect(entries(map.snapshot()).map(([k]) => k)).toEqual(expected);
    expect(map.ordered).toBe(true);
    for (let i = 3_000; i < 4_000; i++) {
      map.set(key(i), i);
      reference.set(key(i), i);
      map.delete(key(i - 2_500));
      reference.delete(key(i - 2_500));
    }
    const after = [...reference].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    expect(entries(map.snapshot())).toEqual(after);
    expect(map.sortedKeys()).toEqual(after.map(([k]) => k));
    expect(map.size).toBe(reference.size);
    expect(map.get(after[0]![0])).toBe(after[0]![1]);
  });

  it('keeps a snapshot frozen against later writes', () => {
    const map = new OnDemandSortedMap<string>();
    map.set('b', 'one');
    map.set('a', 'two');
    const frozen = map.snapshot();
    map.set('c', 'three');
    map.set('a', 'changed');
    map.delete('b');
    expect(entries(frozen)).toEqual([
      ['a', 'two'],
      ['b', 'one'],
    ]);
    expect(entries(map.snapshot())).toEqual([
      ['a', 'changed'],
      ['c', 'three'],
    ]);
  });

  it('starts ordered when asked to, and clears both sides', () => {
    const map = new OnDemandSortedMap<number>(true);
    expect(map.ordered).toBe(true);
    map.set('z', 1);
    map.set('y', 2);
    map.clear();
    expect(map.size).toBe(0);
    expect(entries(map.snapshot())).toEqual([]);
    expect(map.has('z')).toBe(false);
  });
});

describe('SortedStringMap.fromSorted', () => {
  it('loads sorted keys into chunks that later inserts and deletes keep in order', () => {
    const keys = Array.from({ length: 1_000 }, (_, i) => String(i).padStart(4, '0'));
    const map = SortedStringMap.fromSorted(
      keys,
      keys.map((_, i) => i),
    );
    expect(map.size).toBe(1_000);
    map.set('0500a', -1);
    map.delete('0001');
    const seen = entries(map.snapshot()).map(([k]) => k);
    expect(seen).toEqual([...keys.filter((k) => k !== '0001'), '0500a'].sort());
    expect(map.get('0999')).toBe(999);
  });
});
