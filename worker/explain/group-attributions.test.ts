import { describe, expect, it } from 'vitest';
import { correlationRatio, cramersV, featureAttributions, meanAbsPerFeature, summariseGroupAttributions } from './group-attributions';

/** Pearson correlation, computed directly. */
function pearson(a: number[], b: number[]): number {
  const ma = a.reduce((s, v) => s + v, 0) / a.length;
  const mb = b.reduce((s, v) => s + v, 0) / b.length;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  a.forEach((v, i) => {
    ab += (v - ma) * (b[i]! - mb);
    aa += (v - ma) ** 2;
    bb += (b[i]! - mb) ** 2;
  });
  return ab / Math.sqrt(aa * bb);
}

describe('association statistics', () => {
  it('correlation ratio equals |point-biserial r| for two groups, and is 0 or 1 at the extremes', () => {
    const values = [1.5, 2, -0.3, 4, 0.7, 2.2, -1];
    const groups = ['a', 'b', 'a', 'b', 'a', 'b', 'b'];
    const indicator = groups.map((g) => (g === 'b' ? 1 : 0));
    expect(correlationRatio(values, groups)).toBeCloseTo(Math.abs(pearson(values, indicator)), 12);
    expect(correlationRatio([1, 1, 5, 5], ['x', 'x', 'y', 'y'])).toBeCloseTo(1, 12);
    expect(correlationRatio([1, 5, 1, 5], ['x', 'x', 'y', 'y'])).toBe(0);
    expect(correlationRatio([3, 3, 3], ['x', 'y', 'z'])).toBe(0);
  });

  it("computes Cramér's V: 1 for a perfect association, 0 for independence, a known value in between", () => {
    expect(cramersV(['r', 'r', 'b', 'b'], ['m', 'm', 'f', 'f'])).toBeCloseTo(1, 12);
    expect(cramersV(['r', 'b', 'r', 'b'], ['m', 'm', 'f', 'f'])).toBe(0);
    // Table [[3, 1], [1, 3]]: χ² = 2, n = 8, V = √(2 / 8) = 0.5.
    expect(cramersV(['r', 'r', 'r', 'b', 'r', 'b', 'b', 'b'], ['m', 'm', 'm', 'm', 'f', 'f', 'f', 'f'])).toBeCloseTo(0.5, 12);
    expect(cramersV(['r', 'r'], ['m', 'f'])).toBe(0);
  });
});

describe('summariseGroupAttributions', () => {
  // Columns: income, zip=A, zip=B, sex=F, sex=M (the sex columns form the feature 'sex').
  const features = [
    { name: 'income', columns: [0] },
    { name: 'zip', columns: [1, 2] },
    { name: 'sex', columns: [3, 4] },
  ];
  const sex = ['F', 'M', 'F', 'M', 'F', 'M'];
  // zip tracks sex exactly (a proxy); income does not.
  const x = [
    [1.0, 1, 0, 1, 0],
    [2.0, 0, 1, 0, 1],
    [2.0, 1, 0, 1, 0],
    [1.0, 0, 1, 0, 1],
    [1.5, 1, 0, 1, 0],
    [1.5, 0, 1, 0, 1],
  ];
  const attributions = [
    [0.2, 0.3, 0, 0.1, 0],
    [-0.4, 0, -0.5, 0, 0.2],
    [0.1, 0.2, 0.05, -0.3, 0],
    [0.3, 0, -0.1, 0, 0.1],
    [-0.2, 0.4, 0, 0.2, 0],
    [0.0, 0, -0.2, 0, -0.1],
  ];
  const input = { attributions: attributions.flat(), x: x.flat(), n: 6, rowSize: 5, features, sensitive: { sex } };

  it('matches a direct computation of group means, gaps and the overall mean', () => {
    const [summary] = summariseGroupAttributions(input);
    const perFeature = (row: number[]) => [Math.abs(row[0]!), Math.abs(row[1]! + row[2]!), Math.abs(row[3]! + row[4]!)];
    const mean = (rows: number[][]) => [0, 1, 2].map((f) => rows.reduce((s, r) => s + perFeature(r)[f]!, 0) / rows.length);
    const female = mean(attributions.filter((_, i) => sex[i] === 'F'));
    const male = mean(attributions.filter((_, i) => sex[i] === 'M'));
    expect(summary!.groups.map((g) => [g.value, g.count])).toEqual([
      ['F', 3],
      ['M', 3],
    ]);
    summary!.groups[0]!.meanAbs.forEach((v, f) => expect(v).toBeCloseTo(female[f]!, 12));
    summary!.groups[1]!.meanAbs.forEach((v, f) => expect(v).toBeCloseTo(male[f]!, 12));
    summary!.gaps.forEach((gap, f) => {
      expect(gap.difference).toBeCloseTo(Math.abs(female[f]! - male[f]!), 12);
      expect(gap.high).toBe(female[f]! >= male[f]! ? 'F' : 'M');
    });
    const overall = mean(attributions);
    summary!.overallMeanAbs.forEach((v, f) => expect(v).toBeCloseTo(overall[f]!, 12));
    expect(meanAbsPerFeature(input.attributions, 6, 5, features)).toEqual(summary!.overallMeanAbs);
    expect(Array.from(featureAttributions(input.attributions, 6, 5, features)[1]!)).toEqual(attributions.map((r) => r[1]! + r[2]!));
  });

  it('flags a used proxy, the attribute itself as direct, and leaves an unrelated feature alone', () => {
    const [summary] = summariseGroupAttributions(input);
    const byName = Object.fromEntries(summary!.proxies.map((p) => [p.feature, p]));
    expect(byName.zip!.valueStatistic).toBe('cramers-v');
    expect(byName.zip!.valueAssociation).toBeCloseTo(1, 12);
    expect(byName.zip!.flag).toBe('proxy');
    expect(byName.sex!.flag).toBe('direct');
    expect(byName.income!.valueStatistic).toBe('correlation-ratio');
    expect(byName.income!.valueAssociation).toBe(0);
    const incomeAttribution = attributions.map((r) => r[0]!);
    expect(byName.income!.attributionAssociation).toBeCloseTo(
      Math.abs(
        pearson(
          incomeAttribution,
          sex.map((s) => (s === 'M' ? 1 : 0)),
        ),
      ),
      12,
    );
    // Income is flagged only if its attributions differ by group beyond the threshold.
    expect(byName.income!.flag).toBe(byName.income!.attributionAssociation >= 0.3 ? 'proxy' : null);
    // A feature with almost no attribution is not flagged even when it is a perfect proxy.
    const unused = summariseGroupAttributions({ ...input, attributions: attributions.map((r) => [r[0]!, 0, 0, r[3]!, r[4]!]).flat() });
    expect(unused[0]!.proxies.find((p) => p.feature === 'zip')!.flag).toBeNull();
    expect(() => summariseGroupAttributions({ ...input, sensitive: { sex: ['F'] } })).toThrow(/1 values for 6 rows/);
  });
});
