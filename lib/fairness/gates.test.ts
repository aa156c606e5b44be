import { describe, expect, it } from 'vitest';
import { evaluateGate, evaluateGates, ZFairnessGate, ZFairnessGates } from './gates';
import { computeFairness } from './metrics';

// sex: F selects 1/4, M selects 3/4 → DP ratio 1/3; race: A 2/4, B 2/4 → DP ratio 1
const report = computeFairness(
  {
    yTrue: [1, 0, 1, 0, 1, 0, 1, 0],
    yPred: [1, 0, 0, 0, 1, 1, 1, 0],
    sensitive: [
      { name: 'sex', values: ['F', 'F', 'F', 'F', 'M', 'M', 'M', 'M'] },
      { name: 'race', values: ['A', 'B', 'A', 'B', 'A', 'B', 'B', 'A'] },
    ],
  },
  { reference: { attribute: 'sex', group: 'M' } },
);

describe('fairness gates', () => {
  it('applies the four-fifths rule per attribute', () => {
    const sex = evaluateGate(report, ZFairnessGate.parse({ metric: 'demographic_parity_ratio', op: '>=', value: 0.8, attribute: 'sex' }));
    expect(sex).toMatchObject({ status: 'fail', passed: false, value: 1 / 3 });
    const race = evaluateGate(report, { metric: 'demographic_parity_ratio', op: '>=', value: 0.8, attribute: 'race' });
    expect(race).toMatchObject({ status: 'pass', passed: true, value: 1 });
  });

  it('checks every section without an attribute and reports the worst value', () => {
    const r = evaluateGate(report, { metric: 'demographic_parity_difference', op: '<=', value: 0.6 });
    expect(r.checks.map((c) => c.attribute)).toEqual(['sex', 'race', 'sex & race']);
    expect(r.value).toBe(Math.max(...r.checks.map((c) => c.value!)));
    expect(r.passed).toBe(r.checks.every((c) => c.value! <= 0.6));
  });

  it('reads AIF360 metrics from the reference comparison and individual indices', () => {
    expect(evaluateGate(report, { metric: 'disparate_impact', op: '>=', value: 0.8 })).toMatchObject({ status: 'fail', value: 1 / 3 });
    expect(evaluateGate(report, { metric: 'disparate_impact', op: '>=', value: 0.8, attribute: 'race' }).status).toBe('undefined');
    expect(evaluateGate(report, { metric: 'theil_index', op: '<', value: 10 })).toMatchObject({ status: 'pass', value: report.individual.theil_index });
    const noRef = computeFairness({ yTrue: [1, 0], yPred: [1, 0], sensitive: [{ name: 's', values: ['a', 'b'] }] });
    expect(evaluateGate(noRef, { metric: 'statistical_parity_difference', op: '>', value: -0.1 })).toMatchObject({ status: 'undefined', passed: false });
  });

  it('fails on undefined metrics and on strict bounds met with equality', () => {
    const allZero = computeFairness({ yTrue: [1, 0], yPred: [0, 0], sensitive: [{ name: 's', values: ['a', 'b'] }] });
    expect(evaluateGate(allZero, { metric: 'demographic_parity_ratio', op: '>=', value: 0.8 })).toMatchObject({ status: 'undefined', passed: false });
    expect(evaluateGate(report, { metric: 'demographic_parity_ratio', op: '>', value: 1, attribute: 'race' }).passed).toBe(false);
    expect(
      evaluateGates(report, [
        { metric: 'equalized_odds_difference', op: '<=', value: 1 },
        { metric: 'demographic_parity_ratio', op: '>=', value: 0.8 },
      ]).passed,
    ).toBe(false);
  });

  it('validates rules', () => {
    expect(ZFairnessGates.safeParse([{ metric: 'demographic_parity_ratio', op: '=>', value: 0.8 }]).success).toBe(false);
    expect(ZFairnessGate.safeParse({ metric: 'made_up', op: '<=', value: 0.1 }).success).toBe(false);
    expect(ZFairnessGate.safeParse({ metric: 'equalized_odds_difference', op: '<=', value: 0.1 }).success).toBe(true);
  });
});
