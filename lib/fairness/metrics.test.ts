import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeFairness, FairnessInputError, findSection, generalizedEntropyIndex, groupRatio, predictFromScores, theilIndex, type GroupEntry } from './metrics';

/** Fairlearn's documented example (user guide, "Fairness metrics"). */
const FAIRLEARN = {
  yTrue: [0, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1],
  yPred: [0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0],
  group: ['b', 'b', 'a', 'b', 'b', 'c', 'c', 'c', 'a', 'a', 'c', 'a', 'b', 'c', 'c', 'b', 'c', 'c'],
};

const byName = (groups: GroupEntry[]) => Object.fromEntries(groups.map((g) => [g.group, g]));

describe('computeFairness on the Fairlearn example', () => {
  const report = computeFairness({ yTrue: FAIRLEARN.yTrue, yPred: FAIRLEARN.yPred, sensitive: [{ name: 'group', values: FAIRLEARN.group }] });
  const section = report.attributes[0]!;
  const g = byName(section.groups);

  it('gives the documented selection rates and disparities exactly', () => {
    expect(g.a!.selection_rate).toBe(0.75);
    expect(g.b!.selection_rate).toBe(0.5);
    expect(g.c!.selection_rate).toBe(0.5);
    expect(section.between_groups.demographic_parity_difference).toBe(0.25);
    expect(section.between_groups.demographic_parity_ratio).toBeCloseTo(0.6667, 4);
    expect(section.between_groups.demographic_parity_ratio).toBe(0.5 / 0.75);
    expect(section.between_groups.equalized_odds_difference).toBe(1);
    expect(section.between_groups.equalized_odds_ratio).toBe(0);
  });

  it('computes the confusion rates per group by hand', () => {
    // a: y=[1,1,0,0] ŷ=[1,0,1,1]; b: y=[0,1,1,1,1,1] ŷ=[0,0,0,1,1,1]; c: y=[0,1,0,0,1,1,1,1] ŷ=[1,1,0,1,0,0,1,0]
    expect(g.a).toMatchObject({ count: 4, base_rate: 0.5, tpr: 0.5, fpr: 1, fnr: 0.5, tnr: 0, accuracy: 0.25, precision: 1 / 3, fdr: 2 / 3, for: 1 });
    expect(g.b).toMatchObject({ count: 6, tpr: 0.6, fpr: 0, tnr: 1, precision: 1, fdr: 0, for: 2 / 3, accuracy: 4 / 6 });
    expect(g.c).toMatchObject({ count: 8, tpr: 0.4, fpr: 2 / 3, precision: 0.5, for: 0.75, accuracy: 3 / 8 });
    expect(section.between_groups.equal_opportunity_difference).toBeCloseTo(0.2, 15);
    expect(section.between_groups.equal_opportunity_ratio).toBeCloseTo(0.4 / 0.6, 15);
    expect(report.overall).toMatchObject({ count: 18, selection_rate: 10 / 18, tpr: 6 / 12, fpr: 4 / 6 });
  });

  it("follows MetricFrame's to_overall semantics", () => {
    const to = section.to_overall;
    const overallSel = 10 / 18;
    expect(to.demographic_parity_difference).toBeCloseTo(0.75 - overallSel, 15);
    // each group/overall ratio folded to ≤ 1, then the minimum: b and c give 0.5/0.5556 = 0.9, a gives 0.5556/0.75
    expect(to.demographic_parity_ratio).toBeCloseTo(Math.min(0.5 / overallSel, overallSel / 0.75), 15);
    // TPR overall 0.5: |a−0.5|=0, |0.6−0.5|, |0.4−0.5| → 0.1; FPR overall 2/3: |1−2/3|, |0−2/3| → 2/3
    expect(to.equalized_odds_difference).toBeCloseTo(2 / 3, 15);
    expect(to.equalized_odds_ratio).toBe(0);
    expect(to.equal_opportunity_ratio).toBeCloseTo(0.4 / 0.5, 15);
  });
});

describe('AIF360 metrics against a reference group', () => {
  // privileged p: y=[1,1,1,1,0,0,0,0] ŷ=[1,1,1,0,1,0,0,0]: selection 1/2, TPR 3/4, FPR 1/4
  // unprivileged u: y=[1,1,0,0,0,0] ŷ=[1,0,0,0,0,1]: selection 1/3, TPR 1/2, FPR 1/4
  const yTrue = [1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0];
  const yPred = [1, 1, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1];
  const sex = [...Array<string>(8).fill('p'), ...Array<string>(6).fill('u')];

  it('matches hand computations for two groups', () => {
    const report = computeFairness({ yTrue, yPred, sensitive: [{ name: 'sex', values: sex }] }, { reference: { attribute: 'sex', group: 'p' } });
    const r = report.reference!;
    expect(r.pooled.disparate_impact).toBeCloseTo(2 / 3, 15);
    expect(r.pooled.statistical_parity_difference).toBeCloseTo(-1 / 6, 15);
    expect(r.pooled.average_odds_difference).toBeCloseTo(-1 / 8, 15);
    expect(r.pooled.equal_opportunity_difference).toBeCloseTo(-1 / 4, 15);
    expect(r.by_group).toHaveLength(1);
    expect(r.by_group[0]).toEqual({ group: 'u', ...r.pooled });
    expect(r.worst.disparate_impact).toEqual({ group: 'u', value: r.pooled.disparate_impact });
  });

  it('pools the unprivileged groups and reports each one and the worst', () => {
    // split u into u1 (first 3 rows: y=[1,1,0] ŷ=[1,0,0]) and u2 (y=[0,0,0] ŷ=[0,0,1])
    const three = [...sex.slice(0, 8), 'u1', 'u1', 'u1', 'u2', 'u2', 'u2'];
    const report = computeFairness({ yTrue, yPred, sensitive: [{ name: 'sex', values: three }] }, { reference: { attribute: 'sex', group: 'p' } });
    const r = report.reference!;
    expect(r.pooled.disparate_impact).toBeCloseTo(2 / 3, 15);
    const u1 = r.by_group.find((g) => g.group === 'u1')!;
    const u2 = r.by_group.find((g) => g.group === 'u2')!;
    expect(u1.disparate_impact).toBeCloseTo(1 / 3 / 0.5, 15);
    expect(u1.equal_opportunity_difference).toBeCloseTo(0.5 - 0.75, 15);
    expect(u1.average_odds_difference).toBeCloseTo((0 - 0.25 + (0.5 - 0.75)) / 2, 15);
    expect(u2.equal_opportunity_difference).toBeNull(); // u2 has no positives
    expect(u2.average_odds_difference).toBeNull();
    expect(u2.statistical_parity_difference).toBeCloseTo(1 / 3 - 0.5, 15);
    expect(r.worst.equal_opportunity_difference).toEqual({ group: 'u1', value: u1.equal_opportunity_difference });
  });

  it('refuses an unknown reference group, naming the groups', () => {
    expect(() => computeFairness({ yTrue, yPred, sensitive: [{ name: 'sex', values: sex }] }, { reference: { attribute: 'sex', group: 'x' } })).toThrow(
      /'x' does not occur in 'sex'; its groups are: p, u/,
    );
  });
});

describe('generalized entropy and Theil index', () => {
  it('matches hand computations for α = 0, 1, 2, 3', () => {
    // b = ŷ − y + 1 = [1, 0, 2, 1], μ = 1
    expect(generalizedEntropyIndex([1, 1, 0, 0], [1, 0, 1, 0], 2)).toBeCloseTo(0.25, 15);
    expect(theilIndex([1, 1, 0, 0], [1, 0, 1, 0])).toBeCloseTo(Math.log(2) / 2, 15);
    expect(generalizedEntropyIndex([1, 1, 0, 0], [1, 0, 1, 0], 0)).toBe(Infinity);
    // b = [2, 1, 1], μ = 4/3, b/μ = [1.5, 0.75, 0.75]
    expect(generalizedEntropyIndex([0, 0, 1], [1, 0, 1], 0)).toBeCloseTo(-(Math.log(1.5) + 2 * Math.log(0.75)) / 3, 15);
    expect(generalizedEntropyIndex([0, 0, 1], [1, 0, 1], 1)).toBeCloseTo((1.5 * Math.log(1.5) + 2 * 0.75 * Math.log(0.75)) / 3, 15);
    expect(generalizedEntropyIndex([0, 0, 1], [1, 0, 1], 2)).toBeCloseTo(0.0625, 15);
    expect(generalizedEntropyIndex([0, 0, 1], [1, 0, 1], 3)).toBeCloseTo(1.21875 / 18, 15);
    // perfect predictions: every benefit is 1
    expect(generalizedEntropyIndex([0, 1, 1], [0, 1, 1])).toBe(0);
    // every row a false negative: μ = 0
    expect(generalizedEntropyIndex([1, 1], [0, 0])).toBeNull();
  });

  it('agrees with the per-row definition on random data', () => {
    const rowwise = (y: number[], p: number[], alpha: number) => {
      const b = y.map((yi, i) => p[i]! - yi + 1);
      const mu = b.reduce((s, x) => s + x, 0) / b.length;
      if (alpha === 1) return b.reduce((s, x) => s + (x === 0 ? 0 : (x / mu) * Math.log(x / mu)), 0) / b.length;
      return b.reduce((s, x) => s + ((x / mu) ** alpha - 1), 0) / (b.length * alpha * (alpha - 1));
    };
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 })), { minLength: 1, maxLength: 60 }), fc.constantFrom(0.5, 1, 2, 3), (pairs, alpha) => {
        const y = pairs.map((p) => p[0]);
        const p = pairs.map((q) => q[1]);
        fc.pre(y.some((yi, i) => p[i]! - yi + 1 > 0));
        expect(generalizedEntropyIndex(y, p, alpha)).toBeCloseTo(rowwise(y, p, alpha), 12);
      }),
    );
  });

  it('is in the report with the chosen α', () => {
    const report = computeFairness({ yTrue: [0, 0, 1], yPred: [1, 0, 1], sensitive: [{ name: 's', values: ['a', 'b', 'a'] }] }, { alpha: 3 });
    expect(report.individual.alpha).toBe(3);
    expect(report.individual.generalized_entropy_index).toBeCloseTo(1.21875 / 18, 15);
    expect(report.individual.theil_index).toBeCloseTo((1.5 * Math.log(1.5) + 1.5 * Math.log(0.75)) / 3, 15);
  });
});

describe('intersections', () => {
  const input = {
    yTrue: [1, 0, 1, 0, 1],
    yPred: [1, 1, 0, 0, 1],
    sensitive: [
      { name: 'sex', values: ['F', 'F', 'M', 'M', 'F'] },
      { name: 'race', values: ['A', 'B', 'A', 'A', 'A'] },
    ],
  };
  const report = computeFairness(input);

  it('reports every cell of the cartesian product, an empty one with count 0 and null rates', () => {
    expect(report.attributes.map((s) => s.attribute)).toEqual(['sex', 'race', 'sex & race']);
    const cells = byName(findSection(report, 'sex & race')!.groups);
    expect(Object.keys(cells)).toEqual(['F | A', 'F | B', 'M | A', 'M | B']);
    expect(cells['M | B']).toMatchObject({ count: 0, values: { sex: 'M', race: 'B' }, selection_rate: null, tpr: null, accuracy: null, base_rate: null });
    expect(cells['F | A']).toMatchObject({ count: 2, selection_rate: 1, tpr: 1, fpr: null });
    expect(cells['M | A']).toMatchObject({ count: 2, selection_rate: 0, tpr: 0, fpr: 0 });
    expect(cells['F | B']).toMatchObject({ count: 1, selection_rate: 1, fpr: 1 });
  });

  it('leaves the empty cell out of the disparities', () => {
    const s = findSection(report, 'sex & race')!;
    expect(s.between_groups.demographic_parity_difference).toBe(1);
    expect(s.between_groups.demographic_parity_ratio).toBe(0);
    // TPR defined for F|A (1) and M|A (0); FPR for F|B (1) and M|A (0)
    expect(s.between_groups.equalized_odds_difference).toBe(1);
    expect(byName(findSection(report, 'sex')!.groups).M).toMatchObject({ count: 2, selection_rate: 0 });
  });
});

describe('conventions', () => {
  it('predicts 1 where score ≥ threshold', () => {
    expect([...predictFromScores([0.2, 0.5, 0.7], 0.5)]).toEqual([0, 1, 1]);
  });

  it('gives a null ratio where every group selects nobody (Fairlearn: NaN)', () => {
    expect(groupRatio([0, 0], 0, 'between_groups')).toBeNull();
    expect(groupRatio([0, 0], 0, 'to_overall')).toBeNull();
    expect(groupRatio([0, null, 0.5], 0.25, 'to_overall')).toBe(0);
  });

  it('refuses a cartesian product too large to report', () => {
    const ids = Array.from({ length: 400 }, (_, i) => String(i));
    const input = {
      yTrue: ids.map(() => 0),
      yPred: ids.map(() => 0),
      sensitive: [
        { name: 'id', values: ids },
        { name: 'id2', values: ids },
      ],
    };
    expect(() => computeFairness(input)).toThrow(/too many groups: id 400, id2 400 distinct values make 160000 intersections/);
  });

  it('refuses labels outside {0, 1}, naming the row', () => {
    expect(() => computeFairness({ yTrue: [0, 2], yPred: [0, 1], sensitive: [{ name: 's', values: ['a', 'b'] }] })).toThrow(new FairnessInputError('y_true must be 0 or 1; row 2 has 2'));
    expect(() => computeFairness({ yTrue: [0, 1], yPred: [0, 1, 1], sensitive: [{ name: 's', values: ['a', 'b'] }] })).toThrow(FairnessInputError);
  });
});
