import { describe, expect, it } from 'vitest';
import { createRng } from '@/lib/random';
import { bootstrapFairness, findInterval, quantile } from './bootstrap';

function sample(seed: number, n: number) {
  const rng = createRng(seed);
  const group: string[] = [];
  const yTrue: number[] = [];
  const yPred: number[] = [];
  for (let i = 0; i < n; i++) {
    const g = rng.chance(0.3) ? 'minority' : 'majority';
    group.push(g);
    yTrue.push(rng.chance(0.5) ? 1 : 0);
    // true selection rates: majority 0.6, minority 0.4, so the true DP difference is 0.2
    yPred.push(rng.chance(g === 'majority' ? 0.6 : 0.4) ? 1 : 0);
  }
  return { yTrue, yPred, sensitive: [{ name: 'group', values: group }] };
}

describe('bootstrapFairness', () => {
  it('is deterministic for a seed, and the first resamples do not depend on the total', () => {
    const data = sample(1, 300);
    const a = bootstrapFairness(data, { resamples: 50, seed: 7 });
    const b = bootstrapFairness(data, { resamples: 50, seed: 7 });
    const c = bootstrapFairness(data, { resamples: 50, seed: 8 });
    expect(a).toEqual(b);
    expect(a.intervals).not.toEqual(c.intervals);
    const dp = findInterval(a, 'attributes', 'group', 'between_groups', 'demographic_parity_difference')!;
    expect(dp.estimate).toBe(a.report.attributes[0]!.between_groups.demographic_parity_difference);
    expect(dp.lower!).toBeLessThanOrEqual(dp.estimate!);
    expect(dp.upper!).toBeGreaterThanOrEqual(dp.estimate!);
    expect(dp.defined).toBe(50);
  });

  it('covers every group metric and disparity, with AIF360 metrics when a reference is given', () => {
    const r = bootstrapFairness(sample(2, 200), { resamples: 20, seed: 1, reference: { attribute: 'group', group: 'majority' }, stratify: true });
    const keys = r.intervals.map((iv) => iv.path.join('.'));
    expect(keys).toContain('attributes.group.groups.minority.tpr');
    expect(keys).toContain('attributes.group.to_overall.equalized_odds_ratio');
    expect(keys).toContain('reference.pooled.disparate_impact');
    expect(keys).toContain('individual.theil_index');
    expect(r.stratified).toBe(true);
    // stratified resamples keep group sizes, so counts never vary — and counts are not reported
    expect(keys.some((k) => k.endsWith('.count'))).toBe(false);
  });

  it('reaches roughly its nominal coverage of the true demographic parity difference', () => {
    let covered = 0;
    let width = 0;
    const trials = 60;
    for (let t = 0; t < trials; t++) {
      const r = bootstrapFairness(sample(100 + t, 400), { resamples: 200, seed: t, confidence: 0.9, stratify: true });
      const dp = findInterval(r, 'attributes', 'group', 'between_groups', 'demographic_parity_difference')!;
      if (dp.lower! <= 0.2 && 0.2 <= dp.upper!) covered++;
      width += dp.upper! - dp.lower!;
    }
    // nominal 90%: 60 trials put 95% of outcomes within about 80%–98%
    expect(covered / trials).toBeGreaterThanOrEqual(0.75);
    // and not by being vacuous: the normal-theory 90% width is about 2·1.645·0.054 ≈ 0.18
    expect(width / trials).toBeGreaterThan(0.12);
    expect(width / trials).toBeLessThan(0.25);
  });

  it('interpolates percentiles like numpy', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 0.025)).toBeCloseTo(1.075, 15);
    expect(quantile([5], 0.975)).toBe(5);
    expect(quantile([1, Infinity, Infinity], 0.9)).toBe(Infinity);
  });

  it('refuses bad options', () => {
    const data = sample(3, 10);
    expect(() => bootstrapFairness(data, { resamples: 0, seed: 1 })).toThrow(/resamples/);
    expect(() => bootstrapFairness(data, { resamples: 5, seed: 1.5 })).toThrow(/seed/);
    expect(() => bootstrapFairness(data, { resamples: 5, seed: 1, confidence: 1 })).toThrow(/confidence/);
  });
});
