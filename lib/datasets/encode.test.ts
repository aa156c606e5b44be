import { describe, expect, it } from 'vitest';
import { applyEncoder, fitEncoder, ZTabularEncoder } from './encode';
import type { DatasetColumn, Task } from './schema';
import type { Table } from './table';

const columns: DatasetColumn[] = [
  { name: 'id', type: 'numeric', role: 'id', useAsFeature: false },
  { name: 'age', type: 'numeric', role: 'feature', useAsFeature: false },
  { name: 'job', type: 'categorical', role: 'feature', useAsFeature: false },
  { name: 'owner', type: 'boolean', role: 'feature', useAsFeature: false },
  { name: 'sex', type: 'categorical', role: 'sensitive', useAsFeature: false },
  { name: 'y', type: 'categorical', role: 'label', useAsFeature: false },
];
const task: Task = { kind: 'binary', positiveClass: '>50K', negativeClass: '<=50K' };
const table: Table = {
  columns: ['id', 'age', 'job', 'owner', 'sex', 'y'],
  rows: [
    ['1', '20', 'clerk', 'yes', 'F', '<=50K'],
    ['2', '40', 'clerk', 'no', 'M', '>50K'],
    ['3', null, 'sales', 'yes', 'M', '>50K'],
    ['4', '60', null, null, 'F', '<=50K'],
    // Test rows: an unseen job, a missing age, a missing label.
    ['5', '30', 'pilot', 'no', 'F', '>50K'],
    ['6', null, 'sales', 'yes', null, '<=50K'],
    ['7', '50', 'clerk', 'no', 'M', null],
  ],
  lines: [2, 3, 4, 5, 6, 7, 8],
};
const train = [0, 1, 2, 3];
const test = [4, 5, 6];

describe('tabular encoder', () => {
  const encoder = fitEncoder(table, columns, { trainRows: train, task });

  it('fits on the train rows only and lays out one-hot, indicators and names', () => {
    expect(encoder.featureNames).toEqual(['age', 'age__missing', 'job=clerk', 'job=sales', 'job=__other__', 'job__missing', 'owner', 'owner__missing']);
    const age = encoder.features[0]!;
    expect(age).toMatchObject({ kind: 'numeric', mean: 40, missingIndicator: true });
    expect(age.kind === 'numeric' && age.std).toBeCloseTo(Math.sqrt(800 / 3), 12);
    expect(encoder.features[2]).toMatchObject({ kind: 'boolean', mean: 2 / 3, trueValue: null });
    expect(encoder.sensitive).toEqual(['sex']);
    expect(encoder.trainRows).toBe(4);
  });

  it('survives a JSON round trip and encodes the test split the same way', () => {
    const restored = ZTabularEncoder.parse(JSON.parse(JSON.stringify(encoder)));
    expect(restored).toEqual(encoder);
    const a = applyEncoder(restored, table, test);
    const b = applyEncoder(encoder, table, test);
    expect(a).toEqual(b);
    const std = Math.sqrt(800 / 3);
    expect(a.rows).toBe(2);
    expect(a.cols).toBe(8);
    expect(a.droppedMissingLabel).toBe(1);
    expect([...a.rowIndices]).toEqual([4, 5]);
    // Row 5: age 30 standardised, unseen job → other, owner no.
    expect([...a.x.subarray(0, 8)]).toEqual([Math.fround((30 - 40) / std), 0, 0, 0, 1, 0, 0, 0]);
    // Row 6: missing age → mean (0) with its indicator, job sales, owner yes.
    expect([...a.x.subarray(8, 16)]).toEqual([0, 1, 0, 1, 0, 0, 1, 0]);
    expect(a.y).toEqual(Int32Array.from([1, 0]));
    expect(a.sensitive).toEqual([['F', '(missing)']]);
    expect(a.sensitiveColumns).toEqual(['sex']);
  });

  it('imputes missing categorical and boolean train values', () => {
    const encoded = applyEncoder(encoder, table, [3]);
    expect([...encoded.x]).toEqual([Math.fround(20 / Math.sqrt(800 / 3)), 0, 0, 0, 0, 1, Math.fround(2 / 3), 1]);
  });

  it('standardises train features to mean 0 and std 1', () => {
    const encoded = applyEncoder(fitEncoder(table, columns, { trainRows: [0, 1, 3], task, missingIndicators: 'never' }), table, [0, 1, 3]);
    const ages = [0, 1, 2].map((r) => encoded.x[r * encoded.cols]!);
    expect(ages.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 6);
    expect(ages.reduce((a, b) => a + b * b, 0) / 3).toBeCloseTo(1, 6);
  });

  it('uses sensitive columns as inputs only when opted in, and encodes multiclass and regression labels', () => {
    const opted = columns.map((c) => (c.name === 'sex' ? { ...c, useAsFeature: true } : c));
    const enc = fitEncoder(table, opted, { trainRows: train, task });
    expect(enc.featureNames.filter((n) => n.startsWith('sex'))).toEqual(['sex=F', 'sex=M', 'sex=__other__']);
    const multi = fitEncoder(table, columns, { trainRows: train, task: { kind: 'multiclass', classes: ['<=50K', '>50K', 'other'] } });
    expect(applyEncoder(multi, table, train).y).toEqual(Int32Array.from([0, 1, 1, 0]));
    const regression = fitEncoder(
      table,
      columns.map((c) => (c.name === 'y' ? { ...c, role: 'ignored' as const } : c.name === 'id' ? { ...c, role: 'label' as const } : c)),
      {
        trainRows: train,
        task: { kind: 'regression' },
      },
    );
    expect(applyEncoder(regression, table, train).y).toEqual(Float32Array.from([1, 2, 3, 4]));
  });

  it('caps categories by frequency and maps the rest to other', () => {
    const enc = fitEncoder(table, columns, { trainRows: train, task, maxCategories: 1 });
    expect(enc.featureNames.filter((n) => n.startsWith('job='))).toEqual(['job=clerk', 'job=__other__']);
  });

  it('fits two-valued non-word columns overridden to boolean', () => {
    const t: Table = {
      columns: ['g', 'y'],
      rows: [
        ['M', 'a'],
        ['F', 'b'],
        ['F', 'a'],
      ],
    };
    const enc = fitEncoder(
      t,
      [
        { name: 'g', type: 'categorical', typeOverride: 'boolean', role: 'feature', useAsFeature: false },
        { name: 'y', type: 'categorical', role: 'label', useAsFeature: false },
      ],
      { task: { kind: 'binary', positiveClass: 'b', negativeClass: 'a' } },
    );
    expect(enc.features[0]).toMatchObject({ kind: 'boolean', trueValue: 'M', falseValue: 'F' });
    expect([...applyEncoder(enc, t).x]).toEqual([1, 0, 0]);
  });

  it('names the line and column of values it cannot encode', () => {
    const bad: Table = { ...table, rows: table.rows.map((r, i) => (i === 4 ? ['5', 'thirty', 'clerk', 'no', 'F', '>50K'] : r)) };
    expect(() => applyEncoder(encoder, bad, test)).toThrow("line 6, column 'age': 'thirty' is not a number");
    const badLabel: Table = { ...table, rows: table.rows.map((r, i) => (i === 4 ? ['5', '30', 'clerk', 'no', 'F', 'rich'] : r)) };
    expect(() => applyEncoder(encoder, badLabel, test)).toThrow("line 6, label 'y': 'rich' is neither '>50K' nor '<=50K'");
    const text = columns.map((c) => (c.name === 'job' ? { ...c, type: 'text' as const } : c));
    expect(() => fitEncoder(table, text, { task })).toThrow("column 'job' is free text");
    expect(() => fitEncoder(table, columns)).toThrow("the label 'y' needs a task");
  });
});
