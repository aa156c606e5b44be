import { describe, expect, it } from 'vitest';
import { choosePositiveClass, columnsFromProfile, inferTask, modelInputColumns, sortClasses, TaskError, ZDatasetColumns, ZSupervisedColumns, type DatasetColumn, type LabelSummary } from './schema';

const col = (name: string, role: DatasetColumn['role'], type: DatasetColumn['type'] = 'categorical', extra: Partial<DatasetColumn> = {}) => ({
  name,
  type,
  role,
  ...extra,
});

function issues(schema: typeof ZDatasetColumns | typeof ZSupervisedColumns, columns: unknown): string[] {
  const result = schema.safeParse(columns);
  return result.success ? [] : result.error.issues.map((i) => i.message);
}

describe('column roles', () => {
  it('accepts a supervised schema with one label, features and a sensitive column', () => {
    const parsed = ZSupervisedColumns.parse([col('age', 'feature', 'numeric'), col('sex', 'sensitive'), col('income', 'label'), col('id', 'id', 'numeric')]);
    expect(parsed[1]!.useAsFeature).toBe(false);
    expect(modelInputColumns(parsed).map((c) => c.name)).toEqual(['age']);
  });

  it('lets a sensitive column opt in as a model input', () => {
    const parsed = ZSupervisedColumns.parse([col('age', 'feature', 'numeric'), col('sex', 'sensitive', 'categorical', { useAsFeature: true }), col('y', 'label')]);
    expect(modelInputColumns(parsed).map((c) => c.name)).toEqual(['age', 'sex']);
  });

  it('requires exactly one label and a model input for supervised data', () => {
    expect(issues(ZSupervisedColumns, [col('a', 'feature')])).toEqual(['choose the label column']);
    expect(issues(ZSupervisedColumns, [col('a', 'feature'), col('b', 'label'), col('c', 'label')])).toEqual(["only one label column is allowed, got 'b', 'c'"]);
    expect(issues(ZSupervisedColumns, [col('a', 'sensitive'), col('b', 'label')])).toEqual(['choose at least one feature column']);
    expect(issues(ZDatasetColumns, [col('a', 'feature')])).toEqual([]);
  });

  it('refuses duplicate names, text labels, free-text sensitive columns and misplaced useAsFeature', () => {
    expect(issues(ZDatasetColumns, [col('a', 'feature'), col('a', 'feature')])).toEqual(["column 'a' appears twice"]);
    expect(issues(ZDatasetColumns, [col('note', 'label', 'text')])[0]).toContain("column 'note' is text; a label must be");
    expect(issues(ZDatasetColumns, [col('when', 'label', 'categorical', { typeOverride: 'datetime' })])[0]).toContain('is datetime');
    expect(issues(ZDatasetColumns, [col('bio', 'sensitive', 'text')])[0]).toContain('a sensitive attribute must be');
    expect(issues(ZDatasetColumns, [col('a', 'feature', 'numeric', { useAsFeature: true })])[0]).toContain('only sensitive columns take useAsFeature');
  });
});

const summary = (values: [string, number][], extra: Partial<LabelSummary> = {}): LabelSummary => ({
  column: 'y',
  type: 'categorical',
  values: values.map(([value, count]) => ({ value, count })),
  distinct: values.length,
  integer: false,
  ...extra,
});

describe('columnsFromProfile', () => {
  const profile = [
    { name: 'id', type: 'numeric' as const, suggestedRole: 'id' as const },
    { name: 'sex', type: 'categorical' as const, suggestedRole: 'feature' as const },
    { name: 'y', type: 'boolean' as const, suggestedRole: 'feature' as const },
  ];

  it('starts from suggested roles and applies the chosen label and sensitive columns', () => {
    const columns = columnsFromProfile(profile, { label: 'y', sensitive: ['sex'] });
    expect(columns.map((c) => c.role)).toEqual(['id', 'sensitive', 'label']);
    expect(ZDatasetColumns.parse(columns)).toEqual(columns);
    expect(() => columnsFromProfile(profile, { label: 'income' })).toThrow("unknown column 'income'; the columns are: id, sex, y");
  });
});

describe('task inference', () => {
  it('picks the positive class by the documented rules', () => {
    const pick = (values: [string, number][]) => choosePositiveClass(values.map(([value, count]) => ({ value, count }))).value;
    expect(
      pick([
        ['<=50K', 24720],
        ['>50K', 7841],
      ]),
    ).toBe('>50K');
    expect(
      pick([
        ['0', 10],
        ['1', 90],
      ]),
    ).toBe('1');
    expect(
      pick([
        ['No', 5],
        ['Yes', 50],
      ]),
    ).toBe('Yes');
    expect(
      pick([
        ['FALSE', 5],
        ['TRUE', 5],
      ]),
    ).toBe('TRUE');
    expect(
      pick([
        ['approved', 10],
        ['no', 90],
      ]),
    ).toBe('approved');
    expect(
      pick([
        ['1', 700],
        ['2', 300],
      ]),
    ).toBe('2');
    expect(
      pick([
        ['cat', 70],
        ['dog', 30],
      ]),
    ).toBe('dog');
    expect(
      pick([
        ['cat', 50],
        ['dog', 50],
      ]),
    ).toBe('dog');
  });

  it('infers binary, multiclass and regression', () => {
    expect(
      inferTask(
        summary([
          ['<=50K', 3],
          ['>50K', 1],
        ]),
      ).task,
    ).toEqual({ kind: 'binary', positiveClass: '>50K', negativeClass: '<=50K' });
    expect(
      inferTask(
        summary(
          [
            ['1', 3],
            ['0', 1],
          ],
          { type: 'boolean', integer: true },
        ),
      ).task,
    ).toEqual({ kind: 'binary', positiveClass: '1', negativeClass: '0' });
    expect(
      inferTask(
        summary([
          ['b', 3],
          ['a', 1],
          ['c', 1],
        ]),
      ).task,
    ).toEqual({ kind: 'multiclass', classes: ['a', 'b', 'c'] });
    expect(
      inferTask(
        summary(
          [
            ['10', 1],
            ['9', 1],
            ['3', 1],
          ],
          { type: 'numeric', integer: true },
        ),
      ).task,
    ).toEqual({ kind: 'multiclass', classes: ['3', '9', '10'] });
    expect(inferTask({ column: 'price', type: 'numeric', values: null, distinct: 900, integer: false }).task).toEqual({ kind: 'regression' });
    const many = Array.from({ length: 30 }, (_, i): [string, number] => [String(i), 1]);
    expect(inferTask(summary(many, { type: 'numeric', integer: true })).task.kind).toBe('regression');
  });

  it('applies overrides and refuses impossible ones', () => {
    const quality = summary(
      [
        ['3', 1],
        ['5', 1],
        ['7', 1],
      ],
      { type: 'numeric', integer: true },
    );
    expect(inferTask(quality, { kind: 'regression' }).task).toEqual({ kind: 'regression' });
    expect(
      inferTask(
        summary([
          ['a', 1],
          ['b', 9],
        ]),
        { positiveClass: 'b' },
      ),
    ).toEqual({
      task: { kind: 'binary', positiveClass: 'b', negativeClass: 'a' },
      reason: "positive class 'b': chosen by you",
    });
    expect(() =>
      inferTask(
        summary([
          ['a', 1],
          ['b', 9],
        ]),
        { positiveClass: 'c' },
      ),
    ).toThrow("positive class 'c' is not a value of label 'y'");
    expect(() => inferTask(quality, { kind: 'binary' })).toThrow('binary needs exactly two');
    expect(() =>
      inferTask(
        summary([
          ['a', 1],
          ['b', 2],
        ]),
        { kind: 'regression' },
      ),
    ).toThrow('regression needs a numeric label');
    expect(() => inferTask(summary([['a', 5]]))).toThrow(TaskError);
    expect(() => inferTask(summary([['a', 5]], { type: 'text' }))).toThrow("label 'y' is text");
    expect(() => inferTask({ column: 'y', type: 'categorical', values: null, distinct: 500, integer: false })).toThrow('too many classes');
  });

  it('orders classes numerically when they are numbers', () => {
    expect(sortClasses(['10', '9', '-1'])).toEqual(['-1', '9', '10']);
    expect(sortClasses(['b', 'B', 'a'])).toEqual(['B', 'a', 'b']);
  });
});
