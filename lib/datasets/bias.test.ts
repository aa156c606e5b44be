import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeBiasProfile, createBiasAccumulator, rangeNames, type BiasProfile } from './bias';
import type { Task } from './schema';
import type { DataRow } from './table';

const columns = ['sex', 'race', 'age', 'income'];
const binary: Task = { kind: 'binary', positiveClass: '>50K', negativeClass: '<=50K' };

/** The same numbers, the slow obvious way. */
function direct(rows: DataRow[], filter: (r: DataRow) => boolean) {
  const group = rows.filter(filter);
  const labelled = group.filter((r) => r[3] !== null);
  return {
    count: group.length,
    share: group.length / rows.length,
    labelled: labelled.length,
    baseRate: labelled.length ? labelled.filter((r) => r[3] === '>50K').length / labelled.length : null,
  };
}

const rowArb = fc.tuple(fc.constantFrom('Female', 'Male', null), fc.constantFrom('Black', 'White', 'Asian'), fc.integer({ min: 18, max: 80 }).map(String), fc.constantFrom('>50K', '<=50K', null));

describe('bias profile', () => {
  it('equals a direct computation for every group and intersection', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 1, maxLength: 200 }), (rows) => {
        const profile = computeBiasProfile(columns, rows, { label: 'income', task: binary, sensitive: ['sex', 'race'] });
        expect(profile.rowCount).toBe(rows.length);
        expect(profile.tables.map((t) => t.columns)).toEqual([['sex'], ['race'], ['sex', 'race']]);
        const sexes = [...new Set(rows.map((r) => r[0] ?? '(missing)'))];
        const races = [...new Set(rows.map((r) => r[1]))];
        for (const g of profile.tables[0]!.groups) {
          expect(g).toMatchObject(direct(rows, (r) => (r[0] ?? '(missing)') === g.values[0]));
        }
        // Intersection: the full cartesian product of observed values, empty cells included.
        const cross = profile.tables[2]!;
        expect(cross.groups).toHaveLength(sexes.length * races.length);
        for (const g of cross.groups) {
          expect(g).toMatchObject(direct(rows, (r) => (r[0] ?? '(missing)') === g.values[0] && r[1] === g.values[1]));
          if (g.count === 0) expect(g).toMatchObject({ baseRate: null, inGap: false });
        }
        // Gap: max − min over groups with labelled rows.
        for (const t of profile.tables) {
          const rates = t.groups.filter((g) => g.labelled > 0).map((g) => g.baseRate!);
          if (rates.length < 2) expect(t.gap).toBeNull();
          else {
            expect(t.gap!.difference).toBeCloseTo(Math.max(...rates) - Math.min(...rates), 12);
            const ratio = Math.max(...rates) === 0 ? 1 : Math.min(...rates) / Math.max(...rates);
            expect(t.gap!.ratio).toBeCloseTo(ratio, 12);
          }
        }
        const largest = Math.max(...profile.tables.map((t) => t.gap?.difference ?? -1));
        if (largest >= 0) expect(profile.largestGap!.gap.difference).toBe(largest);
      }),
      { numRuns: 100 },
    );
  });

  it('reports a worked example with names, shares, the gap and the flagged table', () => {
    const rows: DataRow[] = [
      ['Female', 'White', '30', '>50K'],
      ['Female', 'White', '40', '<=50K'],
      ['Female', 'Black', '50', '<=50K'],
      ['Male', 'White', '30', '>50K'],
      ['Male', 'White', '60', '>50K'],
      ['Male', 'White', '25', '<=50K'],
    ];
    const p: BiasProfile = computeBiasProfile(columns, rows, { label: 'income', task: binary, sensitive: ['sex', 'race'] });
    expect(p.overallRate).toBe(0.5);
    expect(p.tables[0]!.groups.map((g) => [g.name, g.count, g.baseRate])).toEqual([
      ['Female', 3, 1 / 3],
      ['Male', 3, 2 / 3],
    ]);
    expect(p.tables[2]!.groups.map((g) => [g.name, g.count])).toEqual([
      ['Female × Black', 1],
      ['Female × White', 2],
      ['Male × Black', 0],
      ['Male × White', 3],
    ]);
    expect(p.tables[2]!.gap).toEqual({
      difference: 2 / 3,
      ratio: 0,
      highest: { group: 'Male × White', rate: 2 / 3 },
      lowest: { group: 'Female × Black', rate: 0 },
    });
    expect(p.largestGap!.columns).toEqual(['sex', 'race']);
  });

  it('bins numeric sensitive columns by edges', () => {
    const rows: DataRow[] = [
      ['F', 'W', '20', '>50K'],
      ['F', 'W', '35', '<=50K'],
      ['F', 'W', '50', '>50K'],
      ['F', 'W', null, '>50K'],
    ];
    const p = computeBiasProfile(columns, rows, { label: 'income', task: binary, sensitive: [{ column: 'age', edges: [30, 45] }] });
    expect(p.tables[0]!.groups.map((g) => [g.name, g.count])).toEqual([
      ['< 30', 1],
      ['30–45', 1],
      ['≥ 45', 1],
      ['(missing)', 1],
    ]);
    expect(rangeNames([0.5])).toEqual(['< 0.5', '≥ 0.5']);
  });

  it('gives multiclass distributions and regression means', () => {
    const rows: DataRow[] = [
      ['a', 'x', '1', 'red'],
      ['a', 'x', '2', 'green'],
      ['b', 'x', '3', 'red'],
      ['b', 'x', '4', 'red'],
    ];
    const multi = computeBiasProfile(columns, rows, { label: 'income', task: { kind: 'multiclass', classes: ['blue', 'green', 'red'] }, sensitive: ['sex'] });
    expect(multi.tables[0]!.groups.map((g) => g.distribution)).toEqual([
      [0, 0.5, 0.5],
      [0, 0, 1],
    ]);
    expect(multi.tables[0]!.gap).toMatchObject({ difference: 0.5, class: 'green' });
    expect(multi.overallDistribution).toEqual([0, 0.25, 0.75]);
    const regression = computeBiasProfile(columns, rows, { label: 'age', task: { kind: 'regression' }, sensitive: ['sex'] });
    expect(regression.tables[0]!.groups.map((g) => g.baseRate)).toEqual([1.5, 3.5]);
    expect(regression.tables[0]!.gap).toMatchObject({ difference: 2, ratio: 1.5 / 3.5 });
  });

  it('leaves groups below minGroupSize out of the gap', () => {
    const rows: DataRow[] = [
      ['a', 'x', '1', '>50K'],
      ['a', 'x', '1', '>50K'],
      ['b', 'x', '1', '<=50K'],
      ['b', 'x', '1', '>50K'],
      ['c', 'x', '1', '<=50K'],
    ];
    const p = computeBiasProfile(columns, rows, { label: 'income', task: binary, sensitive: ['sex'], minGroupSize: 2 });
    expect(p.tables[0]!.groups.map((g) => g.inGap)).toEqual([true, true, false]);
    expect(p.tables[0]!.gap!.difference).toBe(0.5);
  });

  it('refuses unknown labels, unknown columns and label-as-sensitive, naming them', () => {
    const acc = createBiasAccumulator(columns, { label: 'income', task: binary, sensitive: ['sex'] });
    expect(() => acc.add(['F', 'W', '1', 'maybe'], 'line 9')).toThrow("line 9: label 'maybe' is neither '>50K' nor '<=50K'");
    expect(() => createBiasAccumulator(columns, { label: 'income', task: binary, sensitive: ['gender'] })).toThrow("unknown column 'gender'");
    expect(() => createBiasAccumulator(columns, { label: 'income', task: binary, sensitive: ['income'] })).toThrow('it cannot also be a sensitive attribute');
    const ages = createBiasAccumulator(columns, { label: 'income', task: binary, sensitive: ['age'] });
    expect(() => {
      for (let i = 0; i < 200; i++) ages.add(['F', 'W', String(i), '>50K']);
    }).toThrow("sensitive column 'age' has more than 100 distinct values");
  });
});
