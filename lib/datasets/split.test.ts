import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { largestRemainder, splitRows, stratumKeys, ZSplitSettings, type SplitSettings } from './split';
import type { Table } from './table';

const settings = (s: Partial<SplitSettings> = {}): SplitSettings => ({ train: 0.7, validation: 0.15, test: 0.15, seed: 1, stratify: 'label', ...s });

describe('largestRemainder', () => {
  it('rounds down and gives leftovers to the largest remainders, ties in order', () => {
    expect(largestRemainder(10, [0.7, 0.15, 0.15])).toEqual([7, 2, 1]);
    expect(largestRemainder(7, [0.5, 0.25, 0.25])).toEqual([3, 2, 2]);
    expect(largestRemainder(2, [0.5, 0.25, 0.25])).toEqual([1, 1, 0]);
    expect(largestRemainder(1, [0.7, 0.15, 0.15])).toEqual([1, 0, 0]);
    expect(largestRemainder(100, [0.8, 0, 0.2])).toEqual([80, 0, 20]);
  });
});

describe('splitRows', () => {
  it('partitions every row exactly once, in ascending order, deterministically per seed', () => {
    const a = splitRows(1000, settings({ stratify: 'none' }));
    const all = [...a.train, ...a.validation, ...a.test].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect([a.train.length, a.validation.length, a.test.length]).toEqual([700, 150, 150]);
    expect([...a.train]).toEqual([...a.train].sort((x, y) => x - y));
    expect(splitRows(1000, settings({ stratify: 'none' }))).toEqual(a);
    expect(splitRows(1000, settings({ stratify: 'none', seed: 2 })).train).not.toEqual(a.train);
  });

  it('keeps each stratum within one row of its exact share in every split', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 4 }),
        (labels, seed, trainTenths, validationTenths) => {
          const train = trainTenths / 10;
          const validation = Math.min(validationTenths / 10, 1 - train);
          const s = settings({ seed, train, validation, test: 1 - train - validation });
          const result = splitRows(labels.length, s, labels);
          for (const key of new Set(labels)) {
            const n = labels.filter((l) => l === key).length;
            const count = (rows: Int32Array) => [...rows].filter((i) => labels[i] === key).length;
            expect(Math.abs(count(result.train) - n * s.train)).toBeLessThan(1 + 1e-9);
            expect(Math.abs(count(result.validation) - n * s.validation)).toBeLessThan(1 + 1e-9);
            expect(Math.abs(count(result.test) - n * s.test)).toBeLessThan(1 + 1e-9);
          }
          const strata = new Set(labels).size;
          expect(Math.abs(result.train.length - labels.length * s.train)).toBeLessThanOrEqual(strata);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reports counts per stratum and ignores strata when not stratifying', () => {
    const labels = [...Array(30).fill('yes'), ...Array(70).fill('no')];
    expect(splitRows(100, settings(), labels).strata).toEqual([
      { key: 'no', train: 49, validation: 11, test: 10 },
      { key: 'yes', train: 21, validation: 5, test: 4 },
    ]);
    expect(splitRows(100, settings({ stratify: 'none' }), labels).strata).toEqual([{ key: '', train: 70, validation: 15, test: 15 }]);
  });

  it('validates the settings', () => {
    expect(ZSplitSettings.safeParse(settings({ test: 0.3 })).success).toBe(false);
    expect(ZSplitSettings.safeParse(settings({ train: 0, validation: 0.5, test: 0.5 })).success).toBe(false);
    expect(() => splitRows(3, settings(), ['a'])).toThrow('got 1 stratum keys for 3 rows');
  });
});

describe('stratumKeys', () => {
  const table: Table = {
    columns: ['y', 'sex', 'price'],
    rows: [
      ['1', 'f', '10'],
      ['0', 'm', '20'],
      [null, null, '30'],
      ['1', 'm', '40'],
      ['0', 'f', '50'],
    ],
  };

  it('keys rows by label, or label × sensitive values, missing as its own group', () => {
    expect(stratumKeys(table, { stratify: 'label', label: 'y' })).toEqual(['1', '0', '(missing)', '1', '0']);
    const both = stratumKeys(table, { stratify: 'label-and-sensitive', label: 'y', sensitive: ['sex'] });
    expect(new Set(both).size).toBe(5);
    expect(both[0]).toBe(stratumKeys({ ...table, rows: [table.rows[0]!] }, { stratify: 'label-and-sensitive', label: 'y', sensitive: ['sex'] })[0]);
    expect(stratumKeys(table, { stratify: 'none', label: 'y' })).toEqual(['', '', '', '', '']);
  });

  it('bins regression labels into quantile strata', () => {
    const keys = stratumKeys(table, { stratify: 'label', label: 'price', task: { kind: 'regression' } });
    expect(keys).toEqual(['q0', 'q1', 'q2', 'q3', 'q4']);
  });

  it('names unknown columns', () => {
    expect(() => stratumKeys(table, { stratify: 'label', label: 'nope' })).toThrow("unknown column 'nope'; the columns are: y, sex, price");
  });
});
