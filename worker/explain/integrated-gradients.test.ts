import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { baselineVector, integratedGradients, integratedGradientsAllOutputs, quadrature } from './integrated-gradients';
import { denseModel, mlp, randomRows } from './test-models';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Every |delta| within `tolerance` × |f(x) − f(baseline)|. */
function expectComplete(ig: ReturnType<typeof integratedGradients>, tolerance: number): void {
  ig.deltas.forEach((delta, i) => {
    const change = Math.abs(ig.outputs[i]! - ig.baselineOutput);
    expect(change).toBeGreaterThan(1e-3);
    expect(Math.abs(delta)).toBeLessThanOrEqual(tolerance * change);
  });
}

describe('quadrature', () => {
  it('has weights summing to 1 and integrates polynomials exactly (Gauss-Legendre)', () => {
    for (const rule of ['gauss-legendre', 'trapezoid'] as const) {
      const { weights } = quadrature(rule, 7);
      expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    }
    // 5 nodes are exact up to degree 9: ∫₀¹ α⁹ dα = 1/10.
    const { alphas, weights } = quadrature('gauss-legendre', 5);
    expect(alphas.reduce((s, a, k) => s + weights[k]! * a ** 9, 0)).toBeCloseTo(0.1, 13);
    expect(quadrature('trapezoid', 4).alphas).toEqual(Float64Array.from([0, 0.25, 0.5, 0.75, 1]));
  });
});

describe('integratedGradients', () => {
  it('is exact on a linear model: attributions are (x − b)·w and the delta is float rounding', () => {
    const w = [0.5, -2, 3];
    const model = denseModel(
      w.map((v) => [v]),
      [0.25],
    );
    const x = Float32Array.from([1, 2, 3, -1, 0.5, 4]);
    const baseline = [0.5, 0.5, -1];
    for (const rule of ['gauss-legendre', 'trapezoid'] as const) {
      const ig = integratedGradients(model, { x, n: 2, inputShape: [3] }, { baseline, rule, steps: 50 });
      for (let i = 0; i < 2; i++) {
        for (let j = 0; j < 3; j++) expect(ig.attributions[i * 3 + j]).toBeCloseTo((x[i * 3 + j]! - baseline[j]!) * w[j]!, 4);
      }
      expectComplete(ig, 1e-5);
    }
  });

  it('is complete within 1% on tanh MLPs at the default steps (sigmoid, regression, every softmax class)', () => {
    const x = randomRows(12, 5, 7);
    const rows = { x, n: 12, inputShape: [5] };
    expectComplete(integratedGradients(mlp(5, 1, 'sigmoid', { seed: 2 }), rows), 0.01);
    expectComplete(integratedGradients(mlp(5, 1, 'linear', { seed: 3 }), rows, { rule: 'trapezoid' }), 0.01);
    const softmax = mlp(5, 3, 'softmax', { seed: 4 });
    const perClass = integratedGradientsAllOutputs(softmax, rows, { baseline: baselineVector('mean', [5], { x: randomRows(50, 5, 9), n: 50, inputShape: [5] }) });
    expect(perClass.map((ig) => ig.output)).toEqual([0, 1, 2]);
    for (const ig of perClass) expectComplete(ig, 0.01);
  });

  it('reaches 1% on a ReLU MLP by refining the examples a 50-point rule misses', () => {
    const rows = { x: randomRows(12, 4, 11), n: 12, inputShape: [4] };
    const model = mlp(4, 1, 'linear', { seed: 5, hiddenActivation: 'relu', hidden: 16 });
    const fixed = integratedGradients(model, rows);
    const worst = Math.max(...Array.from(fixed.deltas, (d, i) => Math.abs(d) / Math.abs(fixed.outputs[i]! - fixed.baselineOutput)));
    // The path gradient of a ReLU net jumps, so a fixed rule misses here (this is why refine exists).
    expect(worst).toBeGreaterThan(0.01);
    const refined = integratedGradients(model, rows, { refine: { tolerance: 0.01, maxSteps: 1600 } });
    expectComplete(refined, 0.01);
    expect(Math.max(...refined.stepsUsed)).toBeGreaterThan(50);
    expect(Math.min(...refined.stepsUsed)).toBe(50);
  });

  it('gives exactly zero attribution to an input the model ignores', () => {
    const model = mlp(4, 3, 'softmax', { ignored: [2], seed: 6 });
    for (const ig of integratedGradientsAllOutputs(model, { x: randomRows(6, 4, 3), n: 6, inputShape: [4] })) {
      for (let i = 0; i < 6; i++) {
        expect(ig.attributions[i * 4 + 2]!).toBe(0);
        expect(Math.abs(ig.attributions[i * 4]!)).toBeGreaterThan(0);
      }
    }
  });

  it('does not depend on how the path points are batched', () => {
    const model = mlp(3, 1, 'sigmoid', { seed: 8 });
    const rows = { x: randomRows(5, 3, 1), n: 5, inputShape: [3] };
    const whole = integratedGradients(model, rows, { pathBatch: 1000 });
    const pieces = integratedGradients(model, rows, { pathBatch: 7 });
    for (let i = 0; i < 15; i++) expect(pieces.attributions[i]).toBeCloseTo(whole.attributions[i]!, 6);
  });

  it('rejects a missing output and a baseline of the wrong length', () => {
    const model = denseModel([[1], [1]], [0]);
    const rows = { x: Float32Array.from([1, 1]), n: 1, inputShape: [2] };
    expect(() => integratedGradients(model, rows, { output: 1 })).toThrow(/1 output/);
    expect(() => integratedGradients(model, rows, { baseline: [0] })).toThrow(/2 values/);
  });
});
