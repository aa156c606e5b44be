import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { groupFeatures, looksOneHot, oneHotSource, permutationImportance, scoreOutputs } from './permutation';
import { denseModel, mlp, randomRows } from './test-models';
import { predictRows } from './model-io';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Labels the model itself predicts, so the baseline accuracy is 1. */
function ownLabels(model: tf.LayersModel, x: Float32Array, n: number, d: number): Int32Array {
  const { values, width } = predictRows(model, { x, n, inputShape: [d] });
  return Int32Array.from({ length: n }, (_, i) => {
    if (width === 1) return values[i]! >= 0.5 ? 1 : 0;
    let best = 0;
    for (let c = 1; c < width; c++) if (values[i * width + c]! > values[i * width + best]!) best = c;
    return best;
  });
}

describe('feature groups', () => {
  it('groups one-hot columns and missing indicators under their source column', () => {
    expect(oneHotSource('sex=Male')).toBe('sex');
    expect(oneHotSource('city=New=York')).toBe('city');
    expect(oneHotSource('age__missing')).toBe('age');
    expect(oneHotSource('=odd')).toBe('=odd');
    const names = ['age', 'sex=Male', 'sex=Female', 'age__missing', 'income'];
    expect(groupFeatures(names)).toEqual([
      { name: 'age', columns: [0, 3] },
      { name: 'sex', columns: [1, 2] },
      { name: 'income', columns: [4] },
    ]);
    expect(groupFeatures(['a1', 'a2', 'b'], (name) => name[0]!)).toEqual([
      { name: 'a', columns: [0, 1] },
      { name: 'b', columns: [2] },
    ]);
    expect(looksOneHot(names)).toBe(true);
    expect(looksOneHot(['age', 'income'])).toBe(false);
  });
});

describe('scoreOutputs', () => {
  it('computes accuracy, negative MSE and negative log-loss', () => {
    const labels = Float64Array.from([1, 0, 1]);
    const sigmoid = Float32Array.from([0.9, 0.2, 0.4]);
    expect(scoreOutputs('accuracy', sigmoid, 1, labels)).toBeCloseTo(2 / 3, 10);
    expect(scoreOutputs('neg-log-loss', sigmoid, 1, labels)).toBeCloseTo((Math.log(0.9) + Math.log(0.8) + Math.log(0.4)) / 3, 6);
    expect(scoreOutputs('neg-mse', Float32Array.from([1, 2]), 1, Float64Array.from([0, 4]))).toBeCloseTo(-2.5, 10);
    const softmax = Float32Array.from([0.7, 0.2, 0.1, 0.1, 0.3, 0.6]);
    expect(scoreOutputs('accuracy', softmax, 3, Float64Array.from([0, 1]))).toBe(0.5);
  });
});

describe('permutationImportance', () => {
  const n = 400;
  const x = randomRows(n, 3, 21);

  it('gives an ignored input exactly zero and used inputs positive importance', () => {
    const model = denseModel([[4], [0], [-2]], [0], 'sigmoid');
    const y = ownLabels(model, x, n, 3);
    const result = permutationImportance(model, { x, n, inputShape: [3] }, y, { task: 'binary', seed: 1, repeats: 4, featureNames: ['a', 'b', 'c'] });
    expect(result.baselineScore).toBe(1);
    const [a, b, c] = result.features;
    expect(b!.name).toBe('b');
    expect(b!.drops).toEqual([0, 0, 0, 0]);
    expect(b!.mean).toBe(0);
    expect(b!.std).toBe(0);
    expect(a!.mean).toBeGreaterThan(0.2);
    expect(c!.mean).toBeGreaterThan(0.1);
    // The stronger weight matters more.
    expect(a!.mean).toBeGreaterThan(c!.mean);
    // Each repeat draws its own shuffle.
    expect(new Set(a!.drops).size).toBeGreaterThan(1);
    expect(a!.std).toBeGreaterThan(0);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const model = mlp(3, 3, 'softmax', { seed: 3 });
    const y = ownLabels(model, x, n, 3);
    const run = (seed: number) => permutationImportance(model, { x, n, inputShape: [3] }, y, { task: 'multiclass', seed, repeats: 3, score: 'neg-log-loss' });
    expect(run(5)).toEqual(run(5));
    expect(run(5).features[0]!.drops).not.toEqual(run(6).features[0]!.drops);
  });

  it('shuffles a one-hot group together and scores regression by negative MSE', () => {
    // Columns: a, colour=red, colour=blue; the model ignores colour entirely.
    const rows = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) {
      rows[i * 3] = x[i * 3]!;
      rows[i * 3 + 1 + (i % 2)] = 1;
    }
    const model = denseModel([[2], [0], [0]], [1]);
    const y = Float32Array.from({ length: n }, (_, i) => 2 * rows[i * 3]! + 1);
    const groups = groupFeatures(['a', 'colour=red', 'colour=blue']);
    const result = permutationImportance(model, { x: rows, n, inputShape: [3] }, y, { task: 'regression', seed: 2, groups, repeats: 2 });
    expect(result.score).toBe('neg-mse');
    expect(result.features.map((f) => f.name)).toEqual(['a', 'colour']);
    expect(result.features[1]!.mean).toBe(0);
    // Shuffling a standard normal column of weight 2: expected MSE 2·4·Var = 8.
    expect(result.features[0]!.mean).toBeGreaterThan(5);
  });

  it('caps the rows with a seeded sample and validates its inputs', () => {
    const model = denseModel([[1], [1], [1]], [0], 'sigmoid');
    const y = ownLabels(model, x, n, 3);
    const rows = { x, n, inputShape: [3] };
    expect(permutationImportance(model, rows, y, { task: 'binary', seed: 1, maxRows: 50, repeats: 1 }).rows).toBe(50);
    expect(() => permutationImportance(model, rows, y, { task: 'binary', seed: 1, groups: [{ name: 'z', columns: [3] }] })).toThrow(/column 3/);
    expect(() => permutationImportance(model, rows, y, { task: 'binary', seed: 1, score: 'neg-mse' })).toThrow(/regression/);
  });
});
