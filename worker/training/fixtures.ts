/**
 * Small generated data sets and specs for the trainers' tests (seeded, so failures repeat).
 */
import * as tf from '@tensorflow/tfjs';
import { ZArchitectureSpec, type ArchitectureSpec } from '@/lib/arch/spec';
import { createRng } from '@/lib/random';
import { resolveRunConfig, ZRunConfig, type ResolvedRunConfig, type RunConfigInput, type TrainingTarget } from '@/lib/schemas/runs';

/** Two Gaussian blobs in `features` dimensions; label 1 when the first feature's mean is +1. */
export function blobs(n: number, features: number, seed: number, positiveShare = 0.5): { x: tf.Tensor2D; y: tf.Tensor1D; labels: number[] } {
  const rng = createRng(seed);
  const labels: number[] = [];
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const label = rng.next() < positiveShare ? 1 : 0;
    labels.push(label);
    rows.push(Array.from({ length: features }, (_, f) => (f === 0 ? (label ? 1 : -1) : 0) + 0.6 * rng.normal()));
  }
  return { x: tf.tensor2d(rows), y: tf.tensor1d(labels), labels };
}

/** Three classes around the corners of a triangle in 2-D, labels as indices. */
export function threeClasses(n: number, seed: number): { x: tf.Tensor2D; y: tf.Tensor1D } {
  const rng = createRng(seed);
  const centres = [
    [0, 1.5],
    [-1.3, -0.8],
    [1.3, -0.8],
  ];
  const labels: number[] = [];
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const c = rng.int(3);
    labels.push(c);
    rows.push([centres[c]![0]! + 0.5 * rng.normal(), centres[c]![1]! + 0.5 * rng.normal()]);
  }
  return { x: tf.tensor2d(rows), y: tf.tensor1d(labels, 'int32') };
}

/** y = 2·x₀ − x₁ + 0.5 + noise. */
export function linear(n: number, seed: number): { x: tf.Tensor2D; y: tf.Tensor1D } {
  const rng = createRng(seed);
  const rows: number[][] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = rng.normal();
    const b = rng.normal();
    rows.push([a, b]);
    ys.push(2 * a - b + 0.5 + 0.05 * rng.normal());
  }
  return { x: tf.tensor2d(rows), y: tf.tensor1d(ys) };
}

/** A dense network with no dropout (dropout masks cannot be seeded in tfjs). */
export function mlpSpec(inputs: number, outputs: number, activation: 'sigmoid' | 'softmax' | 'linear', hidden = 8): ArchitectureSpec {
  return ZArchitectureSpec.parse({
    kind: 'sequential',
    layers: [
      { type: 'input', shape: [inputs] },
      { type: 'dense', units: hidden, activation: 'tanh' },
      { type: 'dense', units: outputs, activation },
    ],
  });
}

export function runConfig(input: Omit<RunConfigInput, 'paradigm'> & { paradigm?: RunConfigInput['paradigm'] }, target: TrainingTarget = {}): ResolvedRunConfig {
  return resolveRunConfig(ZRunConfig.parse({ paradigm: 'supervised', batchMetricThrottleMs: 0, ...input }), target);
}
