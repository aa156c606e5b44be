/**
 * Reading a policy network: what its output means (probabilities, logits or one sigmoid) and a
 * fast way to run it one observation at a time.
 *
 * Acting calls the network once per environment step with a single observation. Through tfjs
 * that costs ~0.4 ms on the cpu backend (0.12 ms on wasm), mostly per-op overhead, which would
 * dominate training. For the dense networks policy templates use, the forward pass is instead
 * done in plain JavaScript from a snapshot of the weights taken after each update (~2 µs);
 * other architectures fall back to tfjs.
 */
import * as tf from '@tensorflow/tfjs';
import { TrainingDataError } from '../training/hooks';

/** How the output layer encodes the action distribution. */
export type PolicyHead = 'softmax' | 'logits' | 'sigmoid';

function lastActivation(model: tf.LayersModel): string {
  const last = model.layers[model.layers.length - 1]!;
  const config = last.getConfig() as { activation?: string };
  if (last.getClassName() === 'Softmax') return 'softmax';
  return config.activation ?? 'linear';
}

export function policyHead(model: tf.LayersModel, actions: number): PolicyHead {
  const units = model.outputs[0]!.shape[1];
  const activation = lastActivation(model);
  if (model.outputs[0]!.shape.length === 2 && units === actions && activation === 'softmax') return 'softmax';
  if (model.outputs[0]!.shape.length === 2 && units === actions && activation === 'linear') return 'logits';
  if (actions === 2 && units === 1 && activation === 'sigmoid') return 'sigmoid';
  throw new TrainingDataError(
    `the policy must output one score per action (${actions} units, softmax or linear)` +
      `${actions === 2 ? ' or one sigmoid unit' : ''}; it outputs [${model.outputs[0]!.shape.slice(1).join(', ')}] with ${activation}`,
  );
}

/** log π(a | s) for every action: [T, actions] from the network's [T, units] output. */
export function actionLogProbs(output: tf.Tensor, head: PolicyHead): tf.Tensor2D {
  return tf.tidy(() => {
    switch (head) {
      case 'softmax':
        return tf.log(tf.clipByValue(output, 1e-8, 1)) as tf.Tensor2D;
      case 'logits':
        return tf.logSoftmax(output) as tf.Tensor2D;
      case 'sigmoid': {
        const p = tf.clipByValue(output, 1e-8, 1 - 1e-8);
        return tf.concat([tf.log(tf.sub(1, p)), tf.log(p)], 1) as tf.Tensor2D;
      }
    }
  });
}

/** Action probabilities from one output row. */
export function probabilities(row: ArrayLike<number>, head: PolicyHead): number[] {
  if (head === 'sigmoid') return [1 - row[0]!, row[0]!];
  if (head === 'softmax') return Array.from(row);
  const max = Math.max(...Array.from(row));
  const exps = Array.from(row, (v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

type Activation = (v: Float64Array) => void;

const ACTIVATIONS: Record<string, Activation> = {
  linear: () => {},
  relu: (v) => v.forEach((x, i) => (v[i] = x > 0 ? x : 0)),
  tanh: (v) => v.forEach((x, i) => (v[i] = Math.tanh(x))),
  sigmoid: (v) => v.forEach((x, i) => (v[i] = 1 / (1 + Math.exp(-x)))),
  elu: (v) => v.forEach((x, i) => (v[i] = x > 0 ? x : Math.exp(x) - 1)),
  softplus: (v) => v.forEach((x, i) => (v[i] = Math.log1p(Math.exp(-Math.abs(x))) + Math.max(x, 0))),
  softmax: (v) => {
    const max = Math.max(...v);
    let sum = 0;
    v.forEach((x, i) => (sum += v[i] = Math.exp(x - max)));
    v.forEach((x, i) => (v[i] = x / sum));
  },
};

interface DenseStep {
  kernel: Float32Array;
  bias: Float32Array | null;
  inputs: number;
  units: number;
  activation: Activation;
}

/**
 * A plain-JavaScript forward pass for one observation, or null when the network has layers
 * other than Dense (with the activations above), Flatten, or such activations (and leaky ReLU)
 * as their own layers. Call it again after the weights change: it copies them.
 */
export function denseForward(model: tf.LayersModel): ((input: ArrayLike<number>) => Float64Array) | null {
  const steps: (DenseStep | Activation)[] = [];
  for (const layer of model.layers) {
    const name = layer.getClassName();
    const config = layer.getConfig() as { activation?: string; alpha?: number };
    // Observations arrive flat and row-major, which is what Flatten produces.
    if (name === 'InputLayer' || name === 'Flatten') continue;
    if (name === 'Activation' && config.activation && ACTIVATIONS[config.activation]) {
      steps.push(ACTIVATIONS[config.activation]!);
      continue;
    }
    if (name === 'LeakyReLU') {
      const alpha = config.alpha ?? 0.3;
      steps.push((v) => v.forEach((x, i) => (v[i] = x > 0 ? x : alpha * x)));
      continue;
    }
    if (name !== 'Dense' || !ACTIVATIONS[config.activation ?? 'linear']) return null;
    const [kernel, bias] = layer.getWeights();
    steps.push({
      kernel: kernel!.dataSync() as Float32Array,
      bias: bias ? (bias.dataSync() as Float32Array) : null,
      inputs: kernel!.shape[0]!,
      units: kernel!.shape[1]!,
      activation: ACTIVATIONS[config.activation ?? 'linear']!,
    });
  }
  return (input) => {
    let v = Float64Array.from(input as ArrayLike<number>);
    for (const step of steps) {
      if (typeof step === 'function') {
        step(v);
        continue;
      }
      const out = new Float64Array(step.units);
      for (let j = 0; j < step.units; j++) out[j] = step.bias ? step.bias[j]! : 0;
      for (let i = 0; i < step.inputs; i++) {
        const x = v[i]!;
        if (x === 0) continue;
        const row = i * step.units;
        for (let j = 0; j < step.units; j++) out[j]! += x * step.kernel[row + j]!;
      }
      step.activation(out);
      v = out;
    }
    return v;
  };
}

/** One observation in, one output row out: the fast path when possible, else tfjs. */
export function policyRunner(model: tf.LayersModel): { run: (input: ArrayLike<number>) => ArrayLike<number>; fast: boolean } {
  const fast = denseForward(model);
  if (fast) return { run: fast, fast: true };
  const shape = [1, ...(model.inputs[0]!.shape.slice(1) as number[])];
  return { run: (input) => tf.tidy(() => (model.predict(tf.tensor(Array.from(input), shape)) as tf.Tensor).dataSync()), fast: false };
}
