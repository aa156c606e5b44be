import { describe, expect, it } from 'vitest';
import { ColumnAccumulator, histogram, labelSummary, MAX_TRACKED_VALUES, quantileEdges, quantileSorted, RESERVOIR_SIZE, scaleCounts } from './stats';

function profileOf(cells: (string | null)[], name = 'x') {
  const acc = new ColumnAccumulator(name, 0);
  for (const c of cells) acc.add(c);
  return acc.finish();
}

describe('ColumnAccumulator', () => {
  it('counts distinct values exactly up to the cap, then estimates within a few percent', () => {
    const few = profileOf(Array.from({ length: 5000 }, (_, i) => `v${i % 900}`));
    expect(few).toMatchObject({ distinct: 900, distinctExact: true });
    const many = profileOf(Array.from({ length: 60_000 }, (_, i) => `v${i % 20_000}`));
    expect(many.distinctExact).toBe(false);
    expect(Math.abs(many.distinct - 20_000) / 20_000).toBeLessThan(0.05);
    expect(MAX_TRACKED_VALUES).toBeLessThan(20_000);
  });

  it('lists every value of a categorical column, most frequent first', () => {
    const p = profileOf(['b', 'a', 'b', null, 'c', 'b', 'a']);
    expect(p.topValues).toEqual([
      { value: 'b', count: 3 },
      { value: 'a', count: 2 },
      { value: 'c', count: 1 },
    ]);
    expect(p.missing).toBe(1);
    expect(labelSummary(p).values).toHaveLength(3);
  });

  it('samples large numeric columns into a scaled histogram that sums to the count', () => {
    const n = RESERVOIR_SIZE * 3;
    const values = Array.from({ length: n }, (_, i) => i % 100);
    const p = profileOf(values.map(String));
    const h = p.numeric!.histogram;
    expect(h.exact).toBe(false);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(n);
    // Uniform data: every bin near n / 20.
    for (const c of h.counts) expect(Math.abs(c - n / 20) / (n / 20)).toBeLessThan(0.15);
    expect(p.numeric!.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / n, 9);
  });

  it('gives the same profile for the same data (the reservoir is seeded)', () => {
    const cells = Array.from({ length: RESERVOIR_SIZE * 2 }, (_, i) => String((i * 7919) % 1000));
    expect(profileOf(cells)).toEqual(profileOf(cells));
  });
});

describe('helpers', () => {
  it('scales counts by largest remainder', () => {
    expect(scaleCounts([1, 1, 1], 10)).toEqual([4, 3, 3]);
    expect(scaleCounts([2, 1, 0], 6)).toEqual([4, 2, 0]);
    expect(scaleCounts([0, 0], 5)).toEqual([0, 0]);
  });

  it('interpolates quantiles like numpy', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantileSorted([5], 0.9)).toBe(5);
  });

  it('bins constant columns into one bin', () => {
    expect(histogram([2.5, 2.5], 2.5, 2.5, false, 2)).toEqual({ edges: [2.5, 2.5], counts: [2], exact: true });
  });

  it('derives quartile cut points for grouping numeric columns', () => {
    const p = profileOf(Array.from({ length: 100 }, (_, i) => String(18 + i)));
    expect(quantileEdges(p)).toEqual([43, 68, 92]);
    expect(quantileEdges(p, 2)).toEqual([68]);
    expect(quantileEdges(profileOf(['a', 'b']))).toEqual([]);
  });
});
