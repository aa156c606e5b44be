import { describe, expect, it } from 'vitest';
import { createRng, deriveSeed, rngFromState } from './random';

describe('xoshiro128**', () => {
  it('matches the reference implementation for state [1, 2, 3, 4]', () => {
    const rng = rngFromState([1, 2, 3, 4]);
    expect(Array.from({ length: 6 }, () => rng.nextUint32())).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('is deterministic per seed and differs between seeds', () => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 8 }, () => rng.nextUint32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(-1)).toEqual(draw(2 ** 32 - 1));
  });

  it('draws uniform floats, unbiased integers and standard normals', () => {
    const rng = createRng(7);
    const n = 100_000;
    let sum = 0;
    const buckets = new Array(6).fill(0);
    let normalSum = 0;
    let normalSq = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      min = Math.min(min, u);
      max = Math.max(max, u);
      sum += u;
      buckets[rng.int(6)]++;
      const z = rng.normal();
      normalSum += z;
      normalSq += z * z;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(sum / n).toBeCloseTo(0.5, 2);
    for (const b of buckets) expect(Math.abs(b / n - 1 / 6)).toBeLessThan(0.01);
    expect(normalSum / n).toBeCloseTo(0, 1);
    expect(normalSq / n).toBeCloseTo(1, 1);
  });

  it('shuffles in place into a permutation', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = createRng(1).shuffle([...items]);
    expect(shuffled).not.toEqual(items);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
    expect(createRng(1).shuffle([...items])).toEqual(shuffled);
  });

  it('derives distinct, stable seeds from parts', () => {
    expect(deriveSeed(1, 2, 3)).toBe(deriveSeed(1, 2, 3));
    const seeds = new Set([deriveSeed(1), deriveSeed(1, 0), deriveSeed(1, 0, 0), deriveSeed(1, 1), deriveSeed(2, 0), deriveSeed(1, 0, 1)]);
    expect(seeds.size).toBe(6);
  });
});
