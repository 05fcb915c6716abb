import { describe, expect, it } from 'vitest';
import { latencyFigures, percentile } from '../../../bench/lib/latency-stats.js';

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('picks the smallest value with p percent at or below it', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 51)).toBe(3);
  });

  it('returns the only value of a single-value list for every p', () => {
    expect(percentile([7], 1)).toBe(7);
    expect(percentile([7], 99)).toBe(7);
  });

  it('lets one slow record in a hundred set p99 but not p50', () => {
    const values = [...Array.from({ length: 98 }, () => 5), 6, 900];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 99)).toBe(6);
    expect(percentile([...values, 900], 99)).toBe(900);
  });

  it('rejects no values and a p outside (0, 100]', () => {
    expect(() => percentile([], 50)).toThrow(/no values/);
    expect(() => percentile([1], 0)).toThrow(/\(0, 100\], got 0/);
    expect(() => percentile([1], 101)).toThrow(/got 101/);
  });
});

describe('latencyFigures', () => {
  it('measures append time minus send time, leaving out the warm-up', () => {
    const samples = [
      { sentAt: 900, appendedAt: 5_000 }, // warm-up: not measured
      ...Array.from({ length: 99 }, (_, i) => ({ sentAt: 1_000 + i, appendedAt: 1_010 + i })),
      { sentAt: 2_000, appendedAt: 2_250 },
    ];
    expect(latencyFigures(samples, 1_000)).toEqual({ measured: 100, p50Ms: 10, p99Ms: 10, maxMs: 250 });
  });

  it('does not depend on the order the output was read in', () => {
    const samples = [30, 10, 20, 40].map((latency, i) => ({ sentAt: i, appendedAt: i + latency }));
    expect(latencyFigures(samples, 0)).toEqual({ measured: 4, p50Ms: 20, p99Ms: 40, maxMs: 40 });
  });

  it('refuses a record appended before it was sent (two clocks) and an empty measurement', () => {
    expect(() => latencyFigures([{ sentAt: 10, appendedAt: 7 }], 0)).toThrow(/appended 3 ms before/);
    expect(() => latencyFigures([{ sentAt: 10, appendedAt: 12 }], 11)).toThrow(/after the warm-up/);
  });
});
