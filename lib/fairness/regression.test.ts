import { describe, expect, it } from 'vitest';
import { FairnessInputError } from './metrics';
import { regressionFairness } from './regression';

describe('regressionFairness', () => {
  // a: errors [1, -3] → MAE 2, RMSE √5; b: errors [2, 2, -2] → MAE 2, RMSE 2; c: error [0.5]
  const yTrue = [10, 10, 0, 0, 0, 4];
  const yPred = [11, 7, 2, 2, -2, 4.5];
  const g = ['a', 'a', 'b', 'b', 'b', 'c'];

  it('computes group MAE and RMSE and their gaps by hand', () => {
    const r = regressionFairness(yTrue, yPred, [{ name: 'g', values: g }]);
    const s = r.attributes[0]!;
    expect(s.groups.map((x) => [x.group, x.count, x.mae, x.rmse])).toEqual([
      ['a', 2, 2, Math.sqrt(5)],
      ['b', 3, 2, 2],
      ['c', 1, 0.5, 0.5],
    ]);
    expect(s.mae_difference).toBe(1.5);
    expect(s.mae_ratio).toBe(0.25);
    expect(s.rmse_difference).toBeCloseTo(Math.sqrt(5) - 0.5, 15);
    expect(s.rmse_ratio).toBeCloseTo(0.5 / Math.sqrt(5), 15);
    expect(r.overall.mae).toBeCloseTo((1 + 3 + 2 + 2 + 2 + 0.5) / 6, 15);
    expect(r.overall.rmse).toBeCloseTo(Math.sqrt((1 + 9 + 4 + 4 + 4 + 0.25) / 6), 15);
  });

  it('reports intersections, an empty one with nulls left out of the gaps', () => {
    const r = regressionFairness(yTrue, yPred, [
      { name: 'g', values: g },
      { name: 'h', values: ['x', 'y', 'x', 'x', 'x', 'x'] },
    ]);
    expect(r.attributes.map((s) => s.attribute)).toEqual(['g', 'h', 'g & h']);
    const cells = r.attributes[2]!.groups;
    expect(cells.find((c) => c.group === 'c | y')).toEqual({ group: 'c | y', values: { g: 'c', h: 'y' }, count: 0, mae: null, rmse: null });
    expect(cells.find((c) => c.group === 'a | y')).toMatchObject({ count: 1, mae: 3, rmse: 3 });
    expect(r.attributes[2]!.mae_difference).toBe(2.5);
    expect(r.attributes[0]!.groups).toEqual(regressionFairness(yTrue, yPred, [{ name: 'g', values: g }]).attributes[0]!.groups);
  });

  it('refuses non-numeric targets, naming the row', () => {
    expect(() => regressionFairness([1, Number.NaN], [1, 2], [{ name: 'g', values: ['a', 'b'] }])).toThrow(FairnessInputError);
    expect(() => regressionFairness([1, Number.NaN], [1, 2], [{ name: 'g', values: ['a', 'b'] }])).toThrow(/row 2/);
  });
});
