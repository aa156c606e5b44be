import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { arbitraryBuildableSpec } from '@/lib/arch/arbitrary';
import { inferArchitecture } from '@/lib/arch/infer';
import { exportKerasModels } from '@/lib/arch/keras';
import { importKerasJson } from '@/lib/arch/keras-import';
import type { ArchitectureSpec } from '@/lib/arch/spec';
import { ARCHITECTURE_TEMPLATES, type DatasetShape } from '@/lib/arch/templates';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

interface Row {
  name: string;
  outputShape: (number | null)[];
  params: number;
}

/** The model's layers as a Keras summary lists them (tfjs's explicit InputLayer included). */
function tfjsRows(model: tf.LayersModel): Row[] {
  return model.layers.map((layer) => ({
    name: layer.name,
    outputShape: (layer.outputShape as (number | null)[]).slice(1),
    params: layer.countParams(),
  }));
}

function inferredRows(spec: ArchitectureSpec): Row[] {
  return inferArchitecture(spec).layers.map(({ name, outputShape, params }) => ({ name, outputShape, params }));
}

async function loaded<T>(json: unknown, use: (model: tf.LayersModel) => T): Promise<T> {
  const model = await tf.models.modelFromJSON(json as Parameters<typeof tf.models.modelFromJSON>[0]);
  try {
    return use(model);
  } finally {
    model.dispose();
  }
}

/**
 * Export → modelFromJSON gives the layers inference predicts, part by part; importing the
 * exported JSON gives a spec that infers to those same layers.
 */
async function expectRoundTrip(spec: ArchitectureSpec): Promise<void> {
  const exported = exportKerasModels(spec);
  for (const part of inferArchitecture(spec).parts) {
    const json = JSON.parse(JSON.stringify(exported[part.part]));
    const fromJson = await loaded(json, tfjsRows);
    // A part fed by another part starts with its own input layer, `<part>_input`.
    const own = fromJson[0]!.name === part.inputName && part.layers[0]?.type !== 'input' ? fromJson.slice(1) : fromJson;
    expect(own).toEqual(part.layers.map(({ name, outputShape, params }) => ({ name, outputShape, params })));

    const imported = importKerasJson(json);
    expect(imported.warnings).toEqual([]);
    expect(inferredRows(imported.spec)).toEqual(fromJson);
  }
}

describe('Keras JSON round trip', () => {
  it('exports every template to JSON that tfjs loads, and imports it back unchanged', async () => {
    const datasets: DatasetShape[] = [
      { inputShape: [10], task: 'binary' },
      { inputShape: [10], task: 'regression' },
      { inputShape: [12, 12, 1], task: 'multiclass', numClasses: 3 },
      { inputShape: [6, 2], task: 'multiclass', numClasses: 3 },
      { inputShape: [8], task: 'binary', vocabSize: 50 },
    ];
    for (const template of ARCHITECTURE_TEMPLATES) {
      const dataset = datasets.find((d) => template.misfit(d) === null)!;
      await expectRoundTrip(template.build(dataset));
    }
  });

  it('round-trips random specs', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryBuildableSpec({ maxLayers: 4 }), (spec) => expectRoundTrip(spec)),
      { seed: 7_031, numRuns: 60, endOnFailure: true },
    );
  });

  it('imports the JSON of a model built directly with tf.layers', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
        tf.layers.batchNormalization(),
        tf.layers.leakyReLU({ alpha: 0.1 }),
        tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2 }),
        tf.layers.separableConv2d({ filters: 4, kernelSize: 2, padding: 'same' }),
        tf.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2 }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.zeroPadding2d({
          padding: [
            [1, 0],
            [0, 2],
          ],
        }),
        tf.layers.upSampling2d({ size: [2, 1] }),
        tf.layers.cropping2D({
          cropping: [
            [1, 1],
            [0, 1],
          ],
        }),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.repeatVector({ n: 5 }),
        tf.layers.bidirectional({ layer: tf.layers.gru({ units: 4, returnSequences: true }) as tf.RNN, mergeMode: 'ave' }),
        tf.layers.conv1d({ filters: 6, kernelSize: 2, dilationRate: 2 }),
        tf.layers.lstm({ units: 5, returnSequences: true, dropout: 0.1 }),
        tf.layers.layerNormalization(),
        tf.layers.simpleRNN({ units: 3 }),
        tf.layers.dense({ units: 7, activation: 'softmax', kernelRegularizer: tf.regularizers.l2({ l2: 0.01 }) }),
      ],
    });
    const json = model.toJSON(null, false);
    const expected = tfjsRows(model);
    model.dispose();

    const { spec, warnings } = importKerasJson(json);
    expect(warnings).toEqual([]);
    // tfjs's Sequential creates its input layer implicitly; the import makes it explicit.
    const rows = inferredRows(spec);
    expect(rows[0]).toMatchObject({ outputShape: [16, 16, 3], params: 0 });
    expect(rows.slice(1)).toEqual(expected);
    expect(spec.kind === 'sequential' && spec.layers.at(-1)).toMatchObject({
      type: 'dense',
      units: 7,
      activation: 'softmax',
      kernelInitializer: 'glorotNormal',
      kernelRegularizer: { l1: 0, l2: 0.01 },
    });

    // And what the import gives exports back to the same model.
    const reexported = exportKerasModels(spec).model!;
    expect(await loaded(reexported, tfjsRows)).toEqual(rows);
  });

  it('imports a functional model whose layers form a chain, including a model.json wrapper', async () => {
    const input = tf.input({ shape: [12], name: 'features' });
    const hidden = tf.layers.dense({ units: 8, activation: 'relu', name: 'hidden' }).apply(input) as tf.SymbolicTensor;
    const dropped = tf.layers.dropout({ rate: 0.5, name: 'drop' }).apply(hidden) as tf.SymbolicTensor;
    const output = tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'score' }).apply(dropped) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    const json = { format: 'layers-model', modelTopology: model.toJSON(null, false), weightsManifest: [] };
    model.dispose();

    const { spec } = importKerasJson(json);
    expect(inferredRows(spec)).toEqual([
      { name: 'features', outputShape: [12], params: 0 },
      { name: 'hidden', outputShape: [8], params: 104 },
      { name: 'drop', outputShape: [8], params: 0 },
      { name: 'score', outputShape: [1], params: 9 },
    ]);
  });

  it('refuses a functional model that is not a chain, naming the merging layer', () => {
    const input = tf.input({ shape: [4], name: 'x' });
    const a = tf.layers.dense({ units: 3, name: 'a' }).apply(input) as tf.SymbolicTensor;
    const b = tf.layers.dense({ units: 3, name: 'b' }).apply(input) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: 'sum' }).apply([a, b]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: sum });
    const json = model.toJSON(null, false);
    model.dispose();
    expect(() => importKerasJson(json)).toThrow("layer 'sum' (Add) merges 2 inputs (a, b); only a single chain of layers can be imported");
  });
});
