import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { arbitraryBuildableSpec } from '@/lib/arch/arbitrary';
import { checkArchitecture, inferArchitecture, type PartSummary } from '@/lib/arch/infer';
import { LAYER_TYPES, ZArchitectureSpec, type ArchitectureSpec, type LayerType } from '@/lib/arch/spec';
import { ARCHITECTURE_TEMPLATES, type DatasetShape } from '@/lib/arch/templates';
import { buildArchitecture, buildModel } from './build';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function size(weights: tf.LayerVariable[]): number {
  return weights.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? Number.NaN), 1), 0);
}

/** Replaces variable lengths in input layers with `length`, so a batch can be fed. */
function withLength(spec: ArchitectureSpec, length: number): ArchitectureSpec {
  const json = JSON.stringify(spec, (key, value: unknown) => (key === 'shape' && Array.isArray(value) ? value.map((d) => d ?? length) : value));
  return ZArchitectureSpec.parse(JSON.parse(json));
}

function feed(part: PartSummary, spec: ArchitectureSpec): tf.Tensor {
  const shape = [2, ...part.inputShape.map((d) => d ?? 1)];
  if (part.inputDtype === 'float32') return tf.randomNormal(shape);
  const layers = spec.kind === 'sequential' ? spec.layers : spec.kind === 'policy' ? spec.policy : [];
  const embedding = layers.find((l) => l.type === 'embedding');
  const vocab = embedding?.type === 'embedding' ? embedding.inputDim : 1;
  return tf.fill(shape, Math.min(1, vocab - 1), 'int32');
}

/**
 * Builds the spec in tfjs and checks every layer against inference: output shape, trainable
 * and non-trainable weights. Then runs a batch through each part and checks the output shape.
 */
async function expectTfjsAgrees(spec: ArchitectureSpec): Promise<void> {
  const built = await buildArchitecture(spec);
  try {
    for (const part of built.summary.parts) {
      const model = built.models[part.part]!;
      const actual = part.layers.map((row) => {
        const layer = model.getLayer(row.name);
        return {
          name: layer.name,
          outputShape: layer.outputShape,
          trainable: size(layer.trainableWeights),
          nonTrainable: size(layer.nonTrainableWeights),
        };
      });
      const expected = part.layers.map((row) => ({
        name: row.name,
        outputShape: [null, ...row.outputShape],
        trainable: row.trainableParams,
        nonTrainable: row.nonTrainableParams,
      }));
      expect(actual, `${part.part} of ${JSON.stringify(spec)}`).toEqual(expected);
      expect(model.countParams()).toBe(part.totalParams);
      expect(model.outputs[0]!.shape).toEqual([null, ...part.outputShape]);
    }

    // Variable lengths become concrete for the forward pass; the concrete spec must still work.
    const concrete = checkArchitecture(withLength(spec, 6));
    if (!concrete.ok) return;
    for (const part of concrete.summary.parts) {
      const model = built.models[part.part]!;
      const shape = tf.tidy(() => (model.predict(feed(part, spec)) as tf.Tensor).shape);
      expect(shape, `${part.part} forward pass of ${JSON.stringify(spec)}`).toEqual([2, ...part.outputShape.map((d) => d ?? 1)]);
    }
  } finally {
    built.dispose();
  }
}

const DATASETS: DatasetShape[] = [
  { inputShape: [12], task: 'binary' },
  { inputShape: [12], task: 'regression' },
  { inputShape: [12], task: 'multiclass', numClasses: 4 },
  { inputShape: [8, 3], task: 'regression' },
  { inputShape: [28, 28, 1], task: 'multiclass', numClasses: 10 },
  { inputShape: [16, 16], task: 'binary' },
  { inputShape: [32, 32, 3], task: 'multiclass', numClasses: 10 },
  { inputShape: [20, 6], task: 'multiclass', numClasses: 3 },
  { inputShape: [30], task: 'binary', vocabSize: 500 },
  { inputShape: [4], task: 'multiclass', numClasses: 2 },
];

describe('buildArchitecture against shape inference', () => {
  it('builds every template on two datasets it fits, matching inference layer by layer', async () => {
    for (const template of ARCHITECTURE_TEMPLATES) {
      // Two datasets per template keep the LSTM templates' orthogonal initializers affordable.
      const fitting = DATASETS.filter((dataset) => template.misfit(dataset) === null).slice(0, 2);
      expect(fitting.length, template.id).toBeGreaterThan(0);
      for (const dataset of fitting) await expectTfjsAgrees(template.build(dataset));
    }
  });

  it('leaves no tensors behind once the models are disposed', async () => {
    const before = tf.memory().numTensors;
    for (const template of ARCHITECTURE_TEMPLATES) {
      const dataset = DATASETS.find((d) => template.misfit(d) === null)!;
      (await buildArchitecture(template.build(dataset))).dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('matches inference on 400 random buildable specs, covering every layer type', async () => {
    const seen = new Set<LayerType>();
    await fc.assert(
      fc.asyncProperty(arbitraryBuildableSpec(), async (spec) => {
        for (const row of inferArchitecture(spec).layers) seen.add(row.type);
        await expectTfjsAgrees(spec);
      }),
      { seed: 20_250_611, numRuns: 400, endOnFailure: true },
    );
    expect(LAYER_TYPES.filter((type) => !seen.has(type))).toEqual([]);
  });

  it('builds one part on request and names the layers as the summary does', async () => {
    const spec = ZArchitectureSpec.parse({
      kind: 'autoencoder',
      encoder: [{ type: 'input', name: 'pixels', shape: [6, 6, 1] }, { type: 'flatten' }, { type: 'dense', name: 'code', units: 4 }],
      decoder: [
        { type: 'dense', units: 36, activation: 'sigmoid' },
        { type: 'reshape', targetShape: [6, 6, 1] },
      ],
    });
    const decoder = await buildModel(spec, 'decoder');
    try {
      expect(decoder.layers.map((l) => l.name)).toEqual(['decoder_input', 'dense', 'reshape']);
      expect(decoder.inputs[0]!.shape).toEqual([null, 4]);
      expect(decoder.countParams()).toBe(4 * 36 + 36);
    } finally {
      decoder.dispose();
    }
  });

  it('refuses an impossible spec before touching tfjs', async () => {
    const spec = ZArchitectureSpec.parse({
      kind: 'sequential',
      layers: [
        { type: 'input', shape: [8] },
        { type: 'conv2d', name: 'c1', filters: 2, kernelSize: 3 },
      ],
    });
    await expect(buildArchitecture(spec)).rejects.toThrow("layer 1 'c1' (conv2d) needs a 3-D input");
  });
});

describe('seeded initialisation', () => {
  const spec = ZArchitectureSpec.parse({
    kind: 'gan',
    latentDim: 4,
    generator: [
      { type: 'dense', units: 6, activation: 'relu', biasInitializer: 'randomNormal' },
      { type: 'reshape', targetShape: [3, 2] },
      { type: 'bidirectional', layer: { type: 'lstm', units: 2 } },
      { type: 'dense', units: 3, kernelInitializer: 'orthogonal' },
    ],
    discriminator: [
      { type: 'dense', units: 5, kernelInitializer: 'heUniform' },
      { type: 'dense', units: 1, activation: 'sigmoid' },
    ],
  });

  async function weightsOf(seed: number | undefined): Promise<number[][]> {
    const built = await buildArchitecture(spec, { seed });
    try {
      return [built.models.generator!, built.models.discriminator!].flatMap((m) => m.getWeights().map((w) => Array.from(w.dataSync())));
    } finally {
      built.dispose();
    }
  }

  it('builds bit-identical weights from the same seed, and different ones from another seed', async () => {
    const a = await weightsOf(7);
    const b = await weightsOf(7);
    const c = await weightsOf(8);
    expect(a).toEqual(b);
    // Every randomly initialised weight (zero biases aside) differs under another seed.
    const random = a.flatMap((w, i) => (w.some((v) => v !== 0) ? [i] : []));
    expect(random.length).toBeGreaterThanOrEqual(8);
    for (const i of random) expect(c[i], `weight ${i}`).not.toEqual(a[i]);
  });

  it('starts the two directions of a bidirectional layer apart and leaves unseeded builds random', async () => {
    const before = tf.memory().numTensors;
    const built = await buildArchitecture(spec, { seed: 7 });
    const bidirectional = built.models.generator!.layers.find((l) => l.getClassName() === 'Bidirectional')!;
    const [fKernel, fRecurrent, , bKernel, bRecurrent] = bidirectional.getWeights().map((w) => Array.from(w.dataSync()));
    built.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(bKernel).not.toEqual(fKernel);
    expect(bRecurrent).not.toEqual(fRecurrent);
    expect(await weightsOf(undefined)).not.toEqual(await weightsOf(undefined));
  });
});
