import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateModel, predictAll } from './evaluate';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A one-layer model with fixed weights, so its predictions are known. */
function fixed(units: number, activation: 'sigmoid' | 'softmax' | 'linear', kernel: number[][], bias: number[]): tf.Sequential {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [kernel.length], units, activation })] });
  model.setWeights([tf.tensor2d(kernel), tf.tensor1d(bias)]);
  return model;
}

describe('evaluateModel', () => {
  it('scores a binary classifier: confusion, ROC AUC and average precision', () => {
    // p = sigmoid(x): the scores rank the examples exactly as x does.
    const model = fixed(1, 'sigmoid', [[1]], [0]);
    const x = tf.tensor2d([[-2], [0.5], [-0.2], [3]]);
    const evaluation = evaluateModel(model, x, tf.tensor1d([0, 0, 1, 1]), 'binary');
    expect(evaluation.task).toBe('binary');
    if (evaluation.task === 'regression') throw new Error('unreachable');
    expect(evaluation.report.confusion).toEqual([
      [1, 1],
      [1, 1],
    ]);
    expect(evaluation.report.roc!.auc).toBeCloseTo(0.75, 10);
  });

  it('scores multiclass from class indices or one-hot labels, and regression', () => {
    const model = fixed(3, 'softmax', [[1, 0, -1]], [0, 0.5, 0]);
    const x = tf.tensor2d([[3], [0], [-3]]);
    const byIndex = evaluateModel(model, x, tf.tensor1d([0, 1, 1]), 'multiclass', 3);
    const byOneHot = evaluateModel(
      model,
      x,
      tf.tensor2d([
        [1, 0, 0],
        [0, 1, 0],
        [0, 1, 0],
      ]),
      'multiclass',
      3,
    );
    expect(byIndex).toEqual(byOneHot);
    if (byIndex.task !== 'multiclass') throw new Error('unreachable');
    expect(byIndex.report.accuracy).toBeCloseTo(2 / 3, 10);

    const identity = fixed(1, 'linear', [[1]], [0]);
    const regression = evaluateModel(identity, tf.tensor2d([[2.5], [0], [2], [8]]), tf.tensor1d([3, -0.5, 2, 7]), 'regression');
    expect(regression.report).toMatchObject({ mae: 0.5, mse: 0.375 });
  });

  it('predicts in chunks without changing the result', () => {
    const model = fixed(2, 'linear', [[1, 2]], [0, 1]);
    const x = tf.tensor2d([[1], [2], [3], [4], [5]]);
    expect(predictAll(model, x, 2)).toEqual(predictAll(model, x, 100));
  });
});
