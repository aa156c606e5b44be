import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '@/lib/random';
import { computeFairness, FairnessInputError, predictFromScores } from './metrics';
import { applyThresholds, optimizeThresholds, reweigh } from './mitigation';

/** Scores that are informative but shifted up by 0.15 for group A: a biased model. */
function biasedScores(seed: number, n: number) {
  const rng = createRng(seed);
  const yTrue: number[] = [];
  const scores: number[] = [];
  const group: string[] = [];
  for (let i = 0; i < n; i++) {
    const g = rng.chance(0.5) ? 'A' : 'B';
    const y = rng.chance(0.45) ? 1 : 0;
    const raw = 0.5 + (y === 1 ? 0.12 : -0.12) + 0.15 * rng.normal() + (g === 'A' ? 0.1 : -0.1);
    yTrue.push(y);
    scores.push(Math.min(1, Math.max(0, raw)));
    group.push(g);
  }
  return { yTrue, scores, sensitive: [{ name: 'group', values: group }] };
}

describe('reweigh', () => {
  it('computes w(s, y) = P(s)·P(y)/P(s, y) by hand', () => {
    // s=a: y=[1,1,1,0]; s=b: y=[1,0]; n=6, n1=4, n0=2
    const r = reweigh([1, 1, 1, 0, 1, 0], [{ name: 's', values: ['a', 'a', 'a', 'a', 'b', 'b'] }]);
    expect(r.weights[0]).toBeCloseTo((4 * 4) / (6 * 3), 15);
    expect(r.weights[3]).toBeCloseTo((4 * 2) / (6 * 1), 15);
    expect(r.weights[4]).toBeCloseTo((2 * 4) / (6 * 1), 15);
    expect(r.weights[5]).toBeCloseTo((2 * 2) / (6 * 1), 15);
    expect(r.cells.find((c) => c.group === 'b' && c.label === 1)).toMatchObject({ count: 1, weight: (2 * 4) / 6 });
  });

  it('makes the weighted label rate the same in every group, and keeps the total weight', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.constantFrom('a', 'b', 'c'), fc.constantFrom('x', 'y')), { minLength: 1, maxLength: 100 }), (rows) => {
        const y = rows.map((r) => r[0]);
        const sensitive = [
          { name: 's', values: rows.map((r) => r[1]) },
          { name: 't', values: rows.map((r) => r[2]) },
        ];
        const { weights, cells } = reweigh(y, sensitive);
        const overall = y.reduce((s, v) => s + v, 0) / y.length;
        let bothLabelsEverywhere = true;
        for (const cell of new Set(rows.map((r) => `${r[1]}|${r[2]}`))) {
          let wy = 0;
          let w = 0;
          const labels = new Set<number>();
          rows.forEach((r, i) => {
            if (`${r[1]}|${r[2]}` !== cell) return;
            wy += weights[i]! * r[0];
            w += weights[i]!;
            labels.add(r[0]);
          });
          // A group with a single label keeps its rate (0 or 1): no weighting can change it.
          if (labels.size === 2) expect(wy / w).toBeCloseTo(overall, 12);
          else bothLabelsEverywhere = false;
        }
        if (bothLabelsEverywhere) expect(weights.reduce((s, v) => s + v, 0)).toBeCloseTo(y.length, 9);
        expect(cells.filter((c) => c.count === 0).every((c) => c.weight === null)).toBe(true);
      }),
    );
  });
});

describe('optimizeThresholds', () => {
  const data = biasedScores(11, 4000);

  it('brings the demographic parity difference within the tolerance at a small cost in accuracy', () => {
    const r = optimizeThresholds(data, { constraint: 'demographic_parity', tolerance: 0.01 });
    const before = r.before.attributes[0]!.between_groups.demographic_parity_difference!;
    const after = r.after.attributes[0]!.between_groups.demographic_parity_difference!;
    expect(before).toBeGreaterThan(0.2);
    expect(r.satisfied).toBe(true);
    expect(after).toBeLessThanOrEqual(0.01);
    expect(after).toBeCloseTo(r.disparity, 12);
    expect(r.after.overall.accuracy!).toBeGreaterThan(r.before.overall.accuracy! - 0.03);
    expect(r.thresholds.map((t) => t.group)).toEqual(['A', 'B']);
    // the favoured group gets the stricter threshold
    expect(r.thresholds[0]!.threshold).toBeGreaterThan(r.thresholds[1]!.threshold);
  });

  it('equalises true positive rates under equal opportunity', () => {
    const r = optimizeThresholds(data, { constraint: 'equal_opportunity', tolerance: 0.02 });
    expect(r.before.attributes[0]!.between_groups.equal_opportunity_difference!).toBeGreaterThan(0.2);
    expect(r.satisfied).toBe(true);
    expect(r.after.attributes[0]!.between_groups.equal_opportunity_difference!).toBeLessThanOrEqual(0.02);
    expect(r.after.overall.accuracy!).toBeGreaterThan(r.before.overall.accuracy! - 0.03);
  });

  it('applies the thresholds to new scores, and is deterministic', () => {
    const r = optimizeThresholds(data, { constraint: 'demographic_parity' });
    expect(optimizeThresholds(data, { constraint: 'demographic_parity' }).thresholds).toEqual(r.thresholds);
    const fresh = biasedScores(12, 2000);
    const yPred = applyThresholds(fresh.scores, fresh.sensitive, r.thresholds);
    const report = computeFairness({ yTrue: fresh.yTrue, yPred, sensitive: fresh.sensitive });
    const single = computeFairness({ yTrue: fresh.yTrue, yPred: predictFromScores(fresh.scores, 0.5), sensitive: fresh.sensitive });
    expect(report.attributes[0]!.between_groups.demographic_parity_difference!).toBeLessThan(single.attributes[0]!.between_groups.demographic_parity_difference! / 3);
    expect(() => applyThresholds([0.5], [{ name: 'group', values: ['C'] }], r.thresholds)).toThrow(new FairnessInputError('row 1: no threshold for group C'));
  });

  it('selects nobody with an Infinity threshold', () => {
    expect([...applyThresholds([0.2, 1], [{ name: 'g', values: ['a', 'a'] }], [{ group: 'a', values: { g: 'a' }, threshold: Infinity, rate: 0 }])]).toEqual([0, 0]);
  });
});
