/**
 * Permutation importance (Breiman 2001; as in scikit-learn's permutation_importance): shuffle one
 * feature across the rows of a held-out split, re-score, and call the drop in score that feature's
 * importance. Repeats draw independent shuffles; the result is their mean and population std.
 *
 * A feature can span several encoded columns (a one-hot group, a missing indicator, one channel of
 * a sequence across time): its columns are shuffled with one shared row permutation, so each
 * shuffled row stays a valid encoding. A feature the model ignores gets exactly zero: the shuffled
 * predictions are bit-identical, so the two scores are too.
 */
import type * as tf from '@tensorflow/tfjs';
import { createRng, deriveSeed } from '@/lib/random';
import type { TaskKind } from '@/lib/schemas/runs';
import { EXPLAIN_STREAMS, labelsOf, predictRows, predictedClasses, rowSize, type FlatRows } from './model-io';

/** Higher is better for all three, so importance = baseline − shuffled is positive when a feature helps. */
export type PermutationScore = 'accuracy' | 'neg-mse' | 'neg-log-loss';

/** One source feature and the encoded columns (indices into a flattened row) it owns. */
export interface FeatureGroup {
  name: string;
  columns: number[];
}

export interface PermutationOptions {
  task: TaskKind;
  /** Default: accuracy for classification, neg-mse for regression. */
  score?: PermutationScore;
  /** Default: one group per column, named by featureNames when given. */
  groups?: FeatureGroup[];
  featureNames?: string[];
  /** Independent shuffles per feature (default 5). */
  repeats?: number;
  seed: number;
  /** Rows used at most; a larger split is sub-sampled with the seed (default 2 000). */
  maxRows?: number;
}

export interface FeatureImportance {
  name: string;
  columns: number[];
  /** Mean over repeats of baseline score − shuffled score. */
  mean: number;
  /** Population standard deviation over repeats. */
  std: number;
  /** One value per repeat. */
  drops: number[];
}

export interface PermutationImportance {
  score: PermutationScore;
  baselineScore: number;
  rows: number;
  repeats: number;
  features: FeatureImportance[];
}

export const DEFAULT_PERMUTATION_ROWS = 2_000;

/** The source column of an encoded name: `sex=Male` → `sex`, `age__missing` → `age`, `age` → `age`. */
export function oneHotSource(name: string): string {
  const eq = name.indexOf('=');
  if (eq > 0) return name.slice(0, eq);
  return name.endsWith('__missing') ? name.slice(0, -'__missing'.length) : name;
}

/** Groups encoded columns by source feature, in order of first appearance. */
export function groupFeatures(featureNames: string[], sourceOf: (name: string) => string = oneHotSource): FeatureGroup[] {
  const groups = new Map<string, number[]>();
  featureNames.forEach((name, column) => {
    const source = sourceOf(name);
    const columns = groups.get(source);
    if (columns) columns.push(column);
    else groups.set(source, [column]);
  });
  return [...groups].map(([name, columns]) => ({ name, columns }));
}

/** True when some names look like `column=value` one-hot columns. */
export function looksOneHot(featureNames: string[]): boolean {
  return featureNames.some((name) => name.indexOf('=') > 0);
}

/** Scores model outputs (n × width) against labels; higher is better. */
export function scoreOutputs(score: PermutationScore, values: Float32Array, width: number, labels: Float64Array): number {
  const n = labels.length;
  if (n === 0) return 0;
  if (score === 'accuracy') {
    const predicted = predictedClasses(values, width);
    let hits = 0;
    for (let i = 0; i < n; i++) if (predicted[i] === labels[i]) hits++;
    return hits / n;
  }
  if (score === 'neg-mse') {
    // A model with several regression outputs is scored over all values together, as evaluateModel does.
    let sum = 0;
    for (let i = 0; i < values.length; i++) sum += (values[i]! - labels[i]!) ** 2;
    return -sum / values.length;
  }
  const eps = 1e-7;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const p = width === 1 ? (labels[i] === 1 ? values[i]! : 1 - values[i]!) : values[i * width + labels[i]!]!;
    sum -= Math.log(Math.min(1 - eps, Math.max(eps, p)));
  }
  return -sum / n;
}

/** Permutation importance of every feature group on (rows, y). Deterministic for a seed. */
export function permutationImportance(model: tf.LayersModel, rows: FlatRows, y: ArrayLike<number>, options: PermutationOptions): PermutationImportance {
  const size = rowSize(rows.inputShape);
  const score = options.score ?? (options.task === 'regression' ? 'neg-mse' : 'accuracy');
  if (options.task === 'regression' && score !== 'neg-mse') throw new Error(`score '${score}' needs a classification task`);
  if (options.task !== 'regression' && score === 'neg-mse') throw new Error("score 'neg-mse' needs a regression task");
  const repeats = options.repeats ?? 5;
  if (!Number.isInteger(repeats) || repeats < 1) throw new RangeError(`repeats must be a positive integer, got ${repeats}`);
  const groups = options.groups ?? Array.from({ length: size }, (_, column) => ({ name: options.featureNames?.[column] ?? `x${column}`, columns: [column] }));
  for (const group of groups) {
    for (const column of group.columns) {
      if (!Number.isInteger(column) || column < 0 || column >= size) throw new RangeError(`feature '${group.name}': column ${column} is outside a row of ${size}`);
    }
  }

  const allLabels = labelsOf(y, rows.n, options.task);
  const labelWidth = allLabels.length / Math.max(1, rows.n);
  const sample = sampleRows(rows, allLabels, labelWidth, options.maxRows ?? DEFAULT_PERMUTATION_ROWS, options.seed);
  const base = predictRows(model, sample.rows);
  const baselineScore = scoreOutputs(score, base.values, base.width, sample.labels);

  const n = sample.rows.n;
  const shuffled = new Float32Array(sample.rows.x);
  const features = groups.map((group, g) => {
    const drops: number[] = [];
    for (let r = 0; r < repeats; r++) {
      // A stream per (feature, repeat): one feature's numbers do not depend on which others run.
      const order = new Int32Array(n);
      for (let i = 0; i < n; i++) order[i] = i;
      createRng(deriveSeed(options.seed, EXPLAIN_STREAMS.permutation, g, r)).shuffle(order);
      for (let i = 0; i < n; i++) {
        for (const c of group.columns) shuffled[i * size + c] = sample.rows.x[order[i]! * size + c]!;
      }
      const out = predictRows(model, { ...sample.rows, x: shuffled });
      drops.push(baselineScore - scoreOutputs(score, out.values, out.width, sample.labels));
    }
    for (let i = 0; i < n; i++) for (const c of group.columns) shuffled[i * size + c] = sample.rows.x[i * size + c]!;
    const mean = drops.reduce((a, b) => a + b, 0) / repeats;
    const std = Math.sqrt(drops.reduce((a, d) => a + (d - mean) ** 2, 0) / repeats);
    return { name: group.name, columns: [...group.columns], mean, std, drops };
  });
  return { score, baselineScore, rows: n, repeats, features };
}

/** At most `maxRows` rows, chosen with the seed (kept in split order) when the split is larger. */
export function sampleRows(rows: FlatRows, labels: Float64Array, labelWidth: number, maxRows: number, seed: number): { rows: FlatRows; labels: Float64Array; indices: Int32Array } {
  if (rows.n <= maxRows) return { rows, labels, indices: Int32Array.from({ length: rows.n }, (_, i) => i) };
  const order = new Int32Array(rows.n);
  for (let i = 0; i < rows.n; i++) order[i] = i;
  createRng(deriveSeed(seed, EXPLAIN_STREAMS.rowSample)).shuffle(order);
  const indices = order.slice(0, maxRows).sort();
  const size = rowSize(rows.inputShape);
  const x = new Float32Array(maxRows * size);
  const picked = new Float64Array(maxRows * labelWidth);
  indices.forEach((row, i) => {
    x.set(rows.x.subarray(row * size, (row + 1) * size), i * size);
    picked.set(labels.subarray(row * labelWidth, (row + 1) * labelWidth), i * labelWidth);
  });
  return { rows: { x, n: maxRows, inputShape: rows.inputShape }, labels: picked, indices };
}
