/**
 * Tabular encoding for training: a fitted, JSON-serialisable encoder (stored in
 * DatasetVersion.preprocessing) that turns rows into a dense float matrix, the label into
 * class ids or floats, and keeps the sensitive values alongside for fairness reports.
 *
 * Fitting reads the train split only, so validation and test rows never leak into the means,
 * deviations or category lists. Per model-input column (see modelInputColumns):
 * - numeric: (x − mean) / std, population std of the train rows (1 when constant); missing →
 *   the train mean, i.e. 0 after scaling;
 * - datetime: days since 1970-01-01, then as numeric;
 * - boolean: 1 / 0 (yes-words or the fitted true value); missing → the train share of true;
 * - categorical: one-hot over the most frequent train values (maxCategories), plus one
 *   `column=__other__` slot for values outside them; missing → all zeros;
 * - with missingIndicators 'auto', a `column__missing` 0/1 input follows every column that
 *   had missing values in train (so "missing" stays distinguishable from "average").
 * Text columns are refused here: text goes through the tokenizer (text.ts).
 */
import { z } from 'zod';
import { DatasetError } from './errors';
import { parseBooleanToken, parseDatetime, parseNumber } from './infer-types';
import { choosePositiveClass, effectiveType, modelInputColumns, ZTask, type DatasetColumn, type Task } from './schema';
import { MISSING_GROUP, columnIndex, rowLabel, type Cell, type Table } from './table';

export const OTHER_CATEGORY = '__other__';
const DAY_MS = 86_400_000;

const base = { column: z.string(), missingIndicator: z.boolean() };
export const ZFeatureEncoding = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('numeric'), ...base, mean: z.number(), std: z.number().positive() }),
  z.object({ kind: z.literal('datetime'), ...base, mean: z.number(), std: z.number().positive() }),
  z.object({
    kind: z.literal('boolean'),
    ...base,
    /** Null when the column holds yes/no words or 0/1; else its two values as fitted. */
    trueValue: z.string().nullable(),
    falseValue: z.string().nullable(),
    /** Train share of true, imputed for missing values. */
    mean: z.number(),
  }),
  z.object({ kind: z.literal('categorical'), ...base, categories: z.array(z.string()) }),
]);
export type FeatureEncoding = z.infer<typeof ZFeatureEncoding>;

export const ZTabularEncoder = z.object({
  version: z.literal(1),
  features: z.array(ZFeatureEncoding),
  /** One name per input column of x, in order: 'age', 'age__missing', 'workclass=Private', 'workclass=__other__' … */
  featureNames: z.array(z.string()),
  label: z.object({ column: z.string(), task: ZTask }).nullable(),
  sensitive: z.array(z.string()),
  trainRows: z.int().min(1),
});
export type TabularEncoder = z.infer<typeof ZTabularEncoder>;

export interface EncoderOptions {
  /** Row indices of the train split (default: every row). */
  trainRows?: ArrayLike<number>;
  /** Required when the columns include a label. */
  task?: Task;
  /** Categories kept per column, most frequent first (default 50). */
  maxCategories?: number;
  /** Train occurrences a category needs to get its own slot (default 1). */
  minCategoryCount?: number;
  missingIndicators?: 'auto' | 'never';
}

export interface EncodedTabular {
  /** rows × cols, row-major. */
  x: Float32Array;
  rows: number;
  cols: number;
  featureNames: string[];
  /** Class ids (binary: 1 = positive class; multiclass: index in task.classes) or regression floats; null without a label. */
  y: Int32Array | Float32Array | null;
  /** sensitive[k][i]: row i's value of sensitiveColumns[k] (MISSING_GROUP when missing). */
  sensitive: string[][];
  sensitiveColumns: string[];
  /** The source row of each encoded row (rows without a label are dropped). */
  rowIndices: Int32Array;
  droppedMissingLabel: number;
}

export function fitEncoder(table: Table, columns: readonly DatasetColumn[], options: EncoderOptions = {}): TabularEncoder {
  const train = options.trainRows ? Array.from(options.trainRows) : table.rows.map((_, i) => i);
  if (train.length === 0) throw new DatasetError('the train split is empty');
  const maxCategories = options.maxCategories ?? 50;
  const minCount = options.minCategoryCount ?? 1;
  const indicators = options.missingIndicators ?? 'auto';
  const features: FeatureEncoding[] = [];
  for (const column of modelInputColumns(columns)) {
    const j = columnIndex(table.columns, column.name);
    const cells = train.map((i) => table.rows[i]![j] ?? null);
    const missingIndicator = indicators === 'auto' && cells.some((c) => c === null);
    const type = effectiveType(column);
    const where = (k: number) => `${rowLabel(table, train[k]!)}, column '${column.name}'`;
    if (type === 'numeric' || type === 'datetime') {
      const values = cells.flatMap((c, k) => (c === null ? [] : [toNumber(c, type, where(k))]));
      const { mean, std } = moments(values);
      features.push({ kind: type, column: column.name, missingIndicator, mean, std });
    } else if (type === 'boolean') {
      features.push(fitBoolean(column.name, cells, missingIndicator));
    } else if (type === 'categorical') {
      const counts = new Map<string, number>();
      for (const c of cells) if (c !== null) counts.set(c, (counts.get(c) ?? 0) + 1);
      const categories = [...counts]
        .filter(([, n]) => n >= minCount)
        .sort(([va, na], [vb, nb]) => nb - na || (va < vb ? -1 : va > vb ? 1 : 0))
        .slice(0, maxCategories)
        .map(([v]) => v);
      features.push({ kind: 'categorical', column: column.name, missingIndicator, categories });
    } else {
      throw new DatasetError(`column '${column.name}' is free text; tabular models cannot read it (set its role to ignored, or use a text dataset)`);
    }
  }
  if (features.length === 0) throw new DatasetError('choose at least one feature column');
  const labelColumn = columns.find((c) => c.role === 'label');
  if (labelColumn && !options.task) throw new DatasetError(`the label '${labelColumn.name}' needs a task (binary, multiclass or regression)`);
  return {
    version: 1,
    features,
    featureNames: features.flatMap(featureNames),
    label: labelColumn ? { column: labelColumn.name, task: options.task! } : null,
    sensitive: columns.filter((c) => c.role === 'sensitive').map((c) => c.name),
    trainRows: train.length,
  };
}

function fitBoolean(column: string, cells: Cell[], missingIndicator: boolean): FeatureEncoding {
  const values = new Map<string, number>();
  for (const c of cells) if (c !== null) values.set(c, (values.get(c) ?? 0) + 1);
  const words = [...values.keys()].every((v) => parseBooleanToken(v) !== null || v === '0' || v === '1');
  let trueValue: string | null = null;
  let falseValue: string | null = null;
  if (!words) {
    if (values.size > 2) throw new DatasetError(`column '${column}' has ${values.size} values in the train split; a boolean needs two`);
    const list = [...values].map(([value, count]) => ({ value, count }));
    trueValue = list.length === 2 ? choosePositiveClass(list).value : list[0]!.value;
    falseValue = list.find((v) => v.value !== trueValue)?.value ?? null;
  }
  const spec = { kind: 'boolean' as const, column, missingIndicator, trueValue, falseValue, mean: 0 };
  const bits = cells.flatMap((c) => (c === null ? [] : [booleanValue(spec, c, '')]));
  spec.mean = bits.length ? bits.reduce((a, b) => a + b, 0) / bits.length : 0;
  return spec;
}

function featureNames(f: FeatureEncoding): string[] {
  const names = f.kind === 'categorical' ? [...f.categories, OTHER_CATEGORY].map((c) => `${f.column}=${c}`) : [f.column];
  return f.missingIndicator ? [...names, `${f.column}__missing`] : names;
}

function width(f: FeatureEncoding): number {
  return (f.kind === 'categorical' ? f.categories.length + 1 : 1) + (f.missingIndicator ? 1 : 0);
}

/** Encodes the given rows (default: all) with a fitted encoder. */
export function applyEncoder(encoder: TabularEncoder, table: Table, rows?: ArrayLike<number>): EncodedTabular {
  const indices = rows ? Array.from(rows) : table.rows.map((_, i) => i);
  const at = encoder.features.map((f) => columnIndex(table.columns, f.column));
  const lookups = encoder.features.map((f) => (f.kind === 'categorical' ? new Map(f.categories.map((c, i) => [c, i])) : null));
  const labelAt = encoder.label ? columnIndex(table.columns, encoder.label.column) : -1;
  const sensitiveAt = encoder.sensitive.map((c) => columnIndex(table.columns, c));
  const task = encoder.label?.task;
  const kept = encoder.label ? indices.filter((i) => table.rows[i]![labelAt] !== null) : indices;
  const cols = encoder.features.reduce((n, f) => n + width(f), 0);
  const x = new Float32Array(kept.length * cols);
  const y = !task ? null : task.kind === 'regression' ? new Float32Array(kept.length) : new Int32Array(kept.length);
  const classIds = task?.kind === 'multiclass' ? new Map(task.classes.map((c, i) => [c, i])) : null;
  const sensitive = sensitiveAt.map(() => new Array<string>(kept.length));

  kept.forEach((source, r) => {
    const row = table.rows[source]!;
    let offset = r * cols;
    encoder.features.forEach((f, k) => {
      const cell = row[at[k]!] ?? null;
      const where = `${rowLabel(table, source)}, column '${f.column}'`;
      if (f.kind === 'categorical') {
        if (cell !== null) x[offset + (lookups[k]!.get(cell) ?? f.categories.length)] = 1;
        offset += f.categories.length + 1;
      } else if (f.kind === 'boolean') {
        x[offset++] = cell === null ? f.mean : booleanValue(f, cell, where);
      } else {
        x[offset++] = cell === null ? 0 : (toNumber(cell, f.kind, where) - f.mean) / f.std;
      }
      if (f.missingIndicator) x[offset++] = cell === null ? 1 : 0;
    });
    if (y && task) {
      const label = row[labelAt]!;
      const where = `${rowLabel(table, source)}, label '${encoder.label!.column}'`;
      if (task.kind === 'binary') {
        if (label !== task.positiveClass && label !== task.negativeClass) {
          throw new DatasetError(`${where}: '${label}' is neither '${task.positiveClass}' nor '${task.negativeClass}'`);
        }
        y[r] = label === task.positiveClass ? 1 : 0;
      } else if (task.kind === 'multiclass') {
        const id = classIds!.get(label!);
        if (id === undefined) throw new DatasetError(`${where}: '${label}' is not one of the ${task.classes.length} classes`);
        y[r] = id;
      } else {
        y[r] = toNumber(label!, 'numeric', where);
      }
    }
    sensitiveAt.forEach((j, k) => (sensitive[k]![r] = row[j] ?? MISSING_GROUP));
  });
  return {
    x,
    rows: kept.length,
    cols,
    featureNames: encoder.featureNames,
    y,
    sensitive,
    sensitiveColumns: encoder.sensitive,
    rowIndices: Int32Array.from(kept),
    droppedMissingLabel: indices.length - kept.length,
  };
}

function toNumber(cell: string, type: 'numeric' | 'datetime', where: string): number {
  if (type === 'datetime') {
    const ms = parseDatetime(cell);
    if (ms === null) throw new DatasetError(`${where}: '${cell}' is not a date`);
    return ms / DAY_MS;
  }
  const value = parseNumber(cell);
  if (value === null) throw new DatasetError(`${where}: '${cell}' is not a number`);
  return value;
}

function booleanValue(f: { trueValue: string | null; falseValue: string | null }, cell: string, where: string): number {
  if (f.trueValue !== null) {
    if (cell === f.trueValue) return 1;
    if (cell === f.falseValue) return 0;
  } else {
    if (cell === '1') return 1;
    if (cell === '0') return 0;
    const word = parseBooleanToken(cell);
    if (word !== null) return word ? 1 : 0;
  }
  throw new DatasetError(`${where}: '${cell}' is not a boolean value`);
}

function moments(values: readonly number[]): { mean: number; std: number } {
  if (values.length === 0) return { mean: 0, std: 1 };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
  const std = Math.sqrt(variance);
  // A constant column scales to all zeros instead of dividing by zero.
  return { mean, std: std > 1e-12 ? std : 1 };
}
