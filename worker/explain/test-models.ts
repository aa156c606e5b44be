/**
 * Small models with known weights and seeded random rows for the explainers' tests.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '@/lib/random';

/** One dense layer with the given kernel (inputs × units) and bias. */
export function denseModel(kernel: number[][], bias: number[], activation: 'linear' | 'sigmoid' | 'softmax' = 'linear'): tf.Sequential {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [kernel.length], units: bias.length, activation })] });
  model.setWeights([tf.tensor2d(kernel), tf.tensor1d(bias)]);
  return model;
}

/**
 * inputs → hidden (tanh or relu) → outputs, with seeded weights; inputs listed in `ignored` get
 * zero weights into the hidden layer, so the model cannot see them.
 */
export function mlp(
  inputs: number,
  outputs: number,
  activation: 'linear' | 'sigmoid' | 'softmax',
  options: { hidden?: number; hiddenActivation?: 'tanh' | 'relu'; ignored?: number[]; seed?: number } = {},
): tf.Sequential {
  const hidden = options.hidden ?? 8;
  const rng = createRng(options.seed ?? 1);
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [inputs], units: hidden, activation: options.hiddenActivation ?? 'tanh' }), tf.layers.dense({ units: outputs, activation })],
  });
  const k1 = Array.from({ length: inputs }, (_, i) => Array.from({ length: hidden }, () => (options.ignored?.includes(i) ? 0 : rng.normal() * 1.2)));
  const b1 = Array.from({ length: hidden }, () => rng.normal() * 0.3);
  const k2 = Array.from({ length: hidden }, () => Array.from({ length: outputs }, () => rng.normal()));
  const b2 = Array.from({ length: outputs }, () => rng.normal() * 0.1);
  model.setWeights([tf.tensor2d(k1), tf.tensor1d(b1), tf.tensor2d(k2), tf.tensor1d(b2)]);
  return model;
}

/** n × d standard-normal rows. */
export function randomRows(n: number, d: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n * d }, () => rng.normal());
}
