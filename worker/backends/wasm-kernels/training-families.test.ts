/**
 * End to end: one training step of each model family gives the same loss and gradients on the
 * wasm backend as on the cpu backend (same weights, same batch), and a CNN run trains on wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ZArchitectureSpec, type ArchitectureSpec, type PartName } from '@/lib/arch/spec';
import { getTemplate, type DatasetShape } from '@/lib/arch/templates';
import { createRng } from '@/lib/random';
import { ZRunConfig } from '@/lib/schemas/runs';
import { buildArchitecture } from '../../model/build';
import { trainRun } from '../../training/train-run';
import { loadWasm, relativeError } from './kernel-test-helpers';

beforeAll(loadWasm);

type Models = Partial<Record<PartName, tf.LayersModel>>;

interface Family {
  name: string;
  spec: ArchitectureSpec;
  /** The batch, made on the current backend from seeded host values. */
  batch(): Record<string, tf.Tensor>;
  /** One loss per optimizer: the variables it trains and the scalar it minimises. */
  losses(models: Models, batch: Record<string, tf.Tensor>): { variables: tf.LayersModel[]; loss: () => tf.Scalar }[];
}

/** Dropout masks cannot be seeded alike on two backends: the checked specs leave dropout out. */
function withoutDropout(spec: ArchitectureSpec): ArchitectureSpec {
  const strip = (layers: unknown[]) => layers.filter((l) => (l as { type: string }).type !== 'dropout');
  const copy = structuredClone(spec) as unknown as Record<string, unknown>;
  for (const key of ['layers', 'encoder', 'decoder', 'generator', 'discriminator']) {
    if (Array.isArray(copy[key])) copy[key] = strip(copy[key]);
  }
  return ZArchitectureSpec.parse(copy);
}

function normal(seed: number, shape: number[]): tf.Tensor {
  const rng = createRng(seed);
  return tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
    shape,
  );
}

function labels(seed: number, n: number, classes: number): tf.Tensor {
  const rng = createRng(seed);
  return tf.oneHot(
    tf.tensor1d(
      Array.from({ length: n }, () => rng.int(classes)),
      'int32',
    ),
    classes,
  );
}

const apply = (model: tf.LayersModel, x: tf.Tensor) => model.apply(x, { training: true }) as tf.Tensor;

function supervised(name: string, spec: ArchitectureSpec, x: () => tf.Tensor, classes: number): Family {
  return {
    name,
    spec: withoutDropout(spec),
    batch: () => ({ x: x(), y: classes === 1 ? tf.tensor2d([[1], [0], [1], [1]]) : labels(7, 4, classes) }),
    losses: ({ model }, { x, y }) => [
      {
        variables: [model!],
        loss: () => (classes === 1 ? tf.losses.sigmoidCrossEntropy(y!, apply(model!, x!)) : tf.losses.softmaxCrossEntropy(y!, apply(model!, x!))) as tf.Scalar,
      },
    ],
  };
}

const image: DatasetShape = { inputShape: [8, 8], task: 'multiclass', numClasses: 3 };
const families: Family[] = [
  supervised('MLP', getTemplate('mlp-classifier').build({ inputShape: [10], task: 'multiclass', numClasses: 3 }), () => normal(1, [4, 10]), 3),
  supervised('CNN (two conv layers, max pooling, dense)', getTemplate('cnn-classifier').build(image), () => normal(2, [4, 8, 8]), 3),
  // The recurrent templates' shapes (64 units) with fewer units: their orthogonal initializer
  // takes seconds per build on the cpu backend at full size.
  supervised(
    'LSTM (stacked, as the LSTM template)',
    ZArchitectureSpec.parse({
      kind: 'sequential',
      layers: [
        { type: 'input', shape: [5, 3] },
        { type: 'lstm', units: 8, returnSequences: true },
        { type: 'lstm', units: 4 },
        { type: 'dense', units: 1, activation: 'sigmoid' },
      ],
    }),
    () => normal(3, [4, 5, 3]),
    1,
  ),
  supervised(
    'embedding + GRU (as the text template)',
    ZArchitectureSpec.parse({
      kind: 'sequential',
      layers: [
        { type: 'input', shape: [6], dtype: 'int32' },
        { type: 'embedding', inputDim: 20, outputDim: 8, maskZero: true },
        { type: 'gru', units: 8 },
        { type: 'dense', units: 1, activation: 'sigmoid' },
      ],
    }),
    () =>
      tf.tensor2d(
        [
          [1, 4, 4, 9, 0, 0],
          [3, 19, 2, 2, 2, 7],
          [5, 0, 0, 0, 0, 0],
          [11, 12, 13, 14, 15, 16],
        ],
        [4, 6],
        'int32',
      ),
    1,
  ),
  supervised(
    'embedding + pooling',
    ZArchitectureSpec.parse({
      kind: 'sequential',
      layers: [
        { type: 'input', shape: [6], dtype: 'int32' },
        { type: 'embedding', inputDim: 30, outputDim: 5 },
        { type: 'globalAveragePooling1d' },
        { type: 'dense', units: 3, activation: 'softmax' },
      ],
    }),
    () =>
      tf.tensor2d(
        [
          [1, 4, 4, 9, 0, 0],
          [3, 29, 2, 2, 2, 7],
          [5, 0, 0, 0, 0, 0],
          [11, 12, 13, 14, 15, 16],
        ],
        [4, 6],
        'int32',
      ),
    3,
  ),
  supervised(
    'separable, depthwise and strided 1-D convolutions',
    ZArchitectureSpec.parse({
      kind: 'sequential',
      layers: [
        { type: 'input', shape: [8, 8, 2] },
        { type: 'separableConv2d', filters: 4, kernelSize: 3, depthMultiplier: 2, padding: 'same' },
        { type: 'depthwiseConv2d', kernelSize: 3, strides: 2, depthMultiplier: 2 },
        { type: 'reshape', targetShape: [9, 8] },
        { type: 'conv1d', filters: 3, kernelSize: 2, strides: 2 },
        { type: 'flatten' },
        { type: 'dense', units: 3, activation: 'softmax' },
      ],
    }),
    () => normal(4, [4, 8, 8, 2]),
    3,
  ),
  ...(['autoencoder', 'conv-autoencoder'] as const).map((id): Family => ({
    name: id,
    spec: getTemplate(id).build(image),
    batch: () => ({ x: tf.sigmoid(normal(5, [4, 8, 8])) }),
    losses: ({ encoder, decoder }, { x }) => [{ variables: [encoder!, decoder!], loss: () => tf.losses.meanSquaredError(x!, apply(decoder!, apply(encoder!, x!))) as tf.Scalar }],
  })),
  {
    // The DCGAN template's layers with fewer filters (the cpu backend is slow at 64 and 128).
    name: 'DCGAN step (discriminator and generator)',
    spec: ZArchitectureSpec.parse({
      kind: 'gan',
      latentDim: 6,
      generator: [
        { type: 'dense', units: 2 * 2 * 8, useBias: false },
        { type: 'batchNormalization' },
        { type: 'activation', activation: 'leakyRelu', alpha: 0.2 },
        { type: 'reshape', targetShape: [2, 2, 8] },
        { type: 'conv2dTranspose', filters: 4, kernelSize: 5, strides: 2, padding: 'same', useBias: false },
        { type: 'batchNormalization' },
        { type: 'activation', activation: 'leakyRelu', alpha: 0.2 },
        { type: 'conv2dTranspose', filters: 1, kernelSize: 5, strides: 2, padding: 'same', activation: 'tanh' },
        { type: 'reshape', targetShape: [8, 8] },
      ],
      discriminator: [
        { type: 'reshape', targetShape: [8, 8, 1] },
        { type: 'conv2d', filters: 4, kernelSize: 5, strides: 2, padding: 'same' },
        { type: 'activation', activation: 'leakyRelu', alpha: 0.2 },
        { type: 'conv2d', filters: 8, kernelSize: 5, strides: 2, padding: 'same' },
        { type: 'activation', activation: 'leakyRelu', alpha: 0.2 },
        { type: 'flatten' },
        { type: 'dense', units: 1, activation: 'sigmoid' },
      ],
    }),
    batch: () => ({ real: tf.tanh(normal(6, [4, 8, 8])), z: normal(8, [4, 6]) }),
    losses: ({ generator, discriminator }, { real, z }) => {
      const ones = tf.ones([4, 1]);
      const zeros = tf.zeros([4, 1]);
      return [
        {
          variables: [discriminator!],
          loss: () => tf.add(tf.losses.sigmoidCrossEntropy(ones, apply(discriminator!, real!)), tf.losses.sigmoidCrossEntropy(zeros, apply(discriminator!, apply(generator!, z!)))) as tf.Scalar,
        },
        { variables: [generator!], loss: () => tf.losses.sigmoidCrossEntropy(ones, apply(discriminator!, apply(generator!, z!))) as tf.Scalar },
      ];
    },
  },
];

interface StepResult {
  losses: number[];
  gradients: Map<string, Float32Array>;
}

/** Builds the family on `backend` with `weights` (from the first build) and takes one step's gradients. */
async function step(family: Family, backend: 'cpu' | 'wasm', weights?: Map<string, Float32Array>): Promise<StepResult & { weights: Map<string, Float32Array> }> {
  await tf.setBackend(backend);
  const built = await buildArchitecture(family.spec, { seed: 11 });
  try {
    const all = Object.values(built.models).flatMap((m) => m!.weights);
    if (weights) for (const w of all) w.write(tf.tensor(weights.get(w.originalName)!, w.shape as number[]));
    const initial = new Map(all.map((w) => [w.originalName, w.read().dataSync() as Float32Array]));
    const batch = family.batch();
    const losses: number[] = [];
    const gradients = new Map<string, Float32Array>();
    for (const { variables, loss } of family.losses(built.models, batch)) {
      const trainable = variables.flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable));
      const { value, grads } = tf.variableGrads(loss, trainable);
      losses.push(value.dataSync()[0]!);
      for (const v of trainable) gradients.set(`${losses.length}:${v.name}`, grads[v.name]!.dataSync() as Float32Array);
      tf.dispose([value, grads]);
    }
    tf.dispose(batch);
    // Variable names carry a per-build suffix; the order of the weights is what matches.
    return { losses, gradients: renumber(gradients), weights: initial };
  } finally {
    built.dispose();
  }
}

function renumber(gradients: Map<string, Float32Array>): Map<string, Float32Array> {
  return new Map([...gradients.values()].map((g, i) => [String(i), g]));
}

describe('one training step on wasm equals the cpu backend', () => {
  for (const family of families) {
    it(family.name, async () => {
      const cpu = await step(family, 'cpu');
      const wasm = await step(family, 'wasm', cpu.weights);
      expect(wasm.losses.length).toBe(cpu.losses.length);
      wasm.losses.forEach((loss, i) => expect(relativeError([loss], [cpu.losses[i]!])).toBeLessThanOrEqual(1e-4));
      expect(wasm.gradients.size).toBe(cpu.gradients.size);
      for (const [key, g] of cpu.gradients) {
        expect(relativeError(wasm.gradients.get(key)!, g), `gradient ${key}`).toBeLessThanOrEqual(1e-4);
      }
    });
  }
});

describe('trainRun on the wasm backend', () => {
  it('trains a CNN on wasm (no cpu fallback) and its loss falls', async () => {
    await tf.setBackend('wasm');
    const rng = createRng(12);
    const labels = Array.from({ length: 32 }, (_, i) => i % 2);
    // Class 1 images are bright in the top half: learnable in a few epochs.
    const pixels = labels.flatMap((label) => Array.from({ length: 16 }, (_, p) => (label && p < 8 ? 1 : 0) + 0.1 * rng.normal()));
    const run = await trainRun({
      spec: getTemplate('cnn-classifier').build({ inputShape: [4, 4], task: 'binary' }),
      config: ZRunConfig.parse({ paradigm: 'supervised', epochs: 5, batchSize: 8, learningRate: 0.01 }),
      target: { task: 'binary' },
      data: { x: tf.tensor3d(pixels, [32, 4, 4]), y: tf.tensor1d(labels) },
    });
    expect(run.backend).toBe('wasm');
    const loss = run.history.logs.loss!;
    expect(loss[loss.length - 1]!).toBeLessThan(loss[0]!);
    run.dispose();
  });
});
