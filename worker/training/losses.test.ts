import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchMetrics, exampleLosses, reduceLoss } from './losses';
import { resolveClassWeights, exampleWeights } from './targets';
import { throttleBatches } from './hooks';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const values = (t: tf.Tensor) => Array.from(t.dataSync());
const close = (actual: number[], expected: number[], digits = 5) => actual.forEach((v, i) => expect(v, `index ${i}`).toBeCloseTo(expected[i]!, digits));

describe('per-example losses', () => {
  it('match tfjs-layers and hand-computed values', () => {
    const yBin = tf.tensor2d([[1], [0], [1]]);
    const pBin = tf.tensor2d([[0.9], [0.2], [0.3]]);
    close(values(exampleLosses('binaryCrossentropy', yBin, pBin)), [-Math.log(0.9), -Math.log(0.8), -Math.log(0.3)]);
    close(values(exampleLosses('binaryCrossentropy', yBin, pBin)), values(tf.metrics.binaryCrossentropy(yBin, pBin)));

    const yCat = tf.tensor2d([
      [0, 1, 0],
      [1, 0, 0],
    ]);
    const pCat = tf.tensor2d([
      [0.2, 0.7, 0.1],
      [0.5, 0.25, 0.25],
    ]);
    close(values(exampleLosses('categoricalCrossentropy', yCat, pCat)), [-Math.log(0.7), -Math.log(0.5)]);
    close(values(exampleLosses('sparseCategoricalCrossentropy', tf.tensor1d([1, 0], 'int32'), pCat)), [-Math.log(0.7), -Math.log(0.5)]);

    const y = tf.tensor2d([
      [1, 2],
      [0, -1],
    ]);
    const p = tf.tensor2d([
      [1.5, 2],
      [3, -1],
    ]);
    close(values(exampleLosses('meanSquaredError', y, p)), [0.125, 4.5]);
    close(values(exampleLosses('meanAbsoluteError', y, p)), [0.25, 1.5]);
    // Huber (δ = 1): 0.5·0.5² = 0.125 and 3 − 0.5 = 2.5, averaged over the two outputs.
    close(values(exampleLosses('huber', y, p)), [0.0625, 1.25]);
    close(values(exampleLosses('logCosh', y, p)), [Math.log(Math.cosh(0.5)) / 2, Math.log(Math.cosh(3)) / 2]);
  });

  it('stays finite where a naive formula overflows, and clips probabilities', () => {
    expect(values(exampleLosses('logCosh', tf.tensor2d([[0]]), tf.tensor2d([[200]])))[0]).toBeCloseTo(200 - Math.log(2), 4);
    expect(values(exampleLosses('binaryCrossentropy', tf.tensor2d([[1]]), tf.tensor2d([[0]])))[0]).toBeCloseTo(-Math.log(1e-7), 3);
  });

  it('averages image reconstructions over every pixel', () => {
    const y = tf.zeros([2, 2, 2, 1]);
    const p = tf.tensor4d([1, 1, 1, 1, 0, 0, 0, 2], [2, 2, 2, 1]);
    close(values(exampleLosses('meanSquaredError', y, p)), [1, 1]);
  });

  it('reduces with weights as Σ w·loss / batch size', () => {
    const losses = tf.tensor1d([1, 2, 3, 4]);
    expect(reduceLoss(losses).dataSync()[0]).toBeCloseTo(2.5, 6);
    expect(reduceLoss(losses, tf.tensor1d([0, 0, 2, 2])).dataSync()[0]).toBeCloseTo((6 + 8) / 4, 6);
  });
});

describe('batch metrics', () => {
  it('computes accuracy for each label encoding, and mae/mse', () => {
    const [bin] = batchMetrics(['accuracy'], 'binary', tf.tensor2d([[1], [0], [1], [0]]), tf.tensor2d([[0.8], [0.6], [0.4], [0.1]]));
    expect(bin!.dataSync()[0]).toBeCloseTo(0.5, 6);
    const p = tf.tensor2d([
      [0.1, 0.9],
      [0.7, 0.3],
      [0.4, 0.6],
    ]);
    expect(batchMetrics(['accuracy'], 'sparse', tf.tensor1d([1, 1, 1], 'int32'), p)[0]!.dataSync()[0]).toBeCloseTo(2 / 3, 6);
    expect(
      batchMetrics(
        ['accuracy'],
        'one-hot',
        tf.tensor2d([
          [0, 1],
          [1, 0],
          [1, 0],
        ]),
        p,
      )[0]!.dataSync()[0],
    ).toBeCloseTo(2 / 3, 6);
    const [mae, mse] = batchMetrics(['mae', 'mse'], 'none', tf.tensor2d([[1], [3]]), tf.tensor2d([[2], [1]]));
    expect([mae!.dataSync()[0], mse!.dataSync()[0]]).toEqual([1.5, 2.5]);
  });
});

describe('example weights', () => {
  it("uses scikit-learn's balanced class weights and multiplies in sample weights", () => {
    const classes = Int32Array.from([0, 0, 0, 1]);
    expect(resolveClassWeights('balanced', classes, 2)).toEqual([4 / 6, 2]);
    expect(resolveClassWeights('balanced', classes, 3)).toEqual([4 / 9, 4 / 3, 1]);
    expect(resolveClassWeights({ '1': 5 }, classes, 2)).toEqual([1, 5]);
    expect(Array.from(exampleWeights([1, 5], classes, Float32Array.from([1, 2, 0, 0.5]))!)).toEqual([1, 2, 0, 2.5]);
    expect(exampleWeights(null, classes, null)).toBeNull();
  });
});

describe('batch throttle', () => {
  it('passes one event per interval, and always a forced one', async () => {
    let now = 0;
    const seen: number[] = [];
    const report = throttleBatches(
      (e) => void seen.push(e.step),
      100,
      () => now,
    );
    for (let step = 1; step <= 10; step++) {
      now = step * 30;
      await report({ epoch: 1, batch: step - 1, step, logs: {} }, step === 10);
    }
    // t = 30 (first), 150, 270 (≥ 100 ms apart), then the forced last batch at 300.
    expect(seen).toEqual([1, 5, 9, 10]);
  });
});
