import { describe, expect, it } from 'vitest';
import { discountedReturns, generalisedAdvantages, normalise, RollingMean } from './returns';

describe('returns and advantages', () => {
  it('discounts rewards back from the end, with an optional bootstrap value', () => {
    expect(discountedReturns([1, 1, 1], 0.5)).toEqual([1.75, 1.5, 1]);
    expect(discountedReturns([1, 1], 0.5, 4)).toEqual([2.5, 3]);
  });

  it('reduces GAE to the one-step TD error at λ = 0 and to return − value at λ = 1', () => {
    const rewards = [1, 1, 1];
    const values = [0.5, 0.4, 0.3, 0];
    generalisedAdvantages(rewards, values, 0.9, 0).forEach((a, t) => expect(a).toBeCloseTo(rewards[t]! + 0.9 * values[t + 1]! - values[t]!, 12));
    const returns = discountedReturns(rewards, 0.9);
    generalisedAdvantages(rewards, values, 0.9, 1).forEach((a, t) => expect(a).toBeCloseTo(returns[t]! - values[t]!, 12));
    expect(() => generalisedAdvantages(rewards, [0, 0, 0], 0.9, 1)).toThrow('need 4 values');
  });

  it('normalises to mean 0 and deviation 1, and only centres constant values', () => {
    const n = normalise([1, 2, 3, 4]);
    expect(n.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 12);
    expect(Math.sqrt(n.reduce((a, b) => a + b * b, 0) / 4)).toBeCloseTo(1, 12);
    expect(normalise([5, 5])).toEqual([0, 0]);
  });

  it('keeps a rolling mean over the last N values', () => {
    const mean = new RollingMean(3, [10]);
    expect(mean.full).toBe(false);
    [20, 30, 40].forEach((v) => mean.push(v));
    expect(mean.full).toBe(true);
    expect(mean.mean).toBe(30);
    expect(mean.recent).toEqual([20, 30, 40]);
  });
});
