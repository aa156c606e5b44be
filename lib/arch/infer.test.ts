import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitrarySchemaValidSpec } from './arbitrary';
import { ArchitectureError, checkArchitecture, inferArchitecture, type ArchitectureIssueCode } from './infer';
import { ZArchitectureSpec, type ArchitectureSpecInput, type LayerInput } from './spec';

function seq(...layers: LayerInput[]) {
  return ZArchitectureSpec.parse({ kind: 'sequential', layers });
}

function spec(input: ArchitectureSpecInput) {
  return ZArchitectureSpec.parse(input);
}

/** [output shape, params] of the last layer after an input of the given shape. */
function last(shape: (number | null)[], ...layers: LayerInput[]) {
  const row = inferArchitecture(seq({ type: 'input', shape }, ...layers)).layers.at(-1)!;
  return [row.outputShape, row.params];
}

describe('inferArchitecture: shapes and parameters as TensorFlow.js builds them', () => {
  it('counts dense and convolution weights', () => {
    expect(last([784], { type: 'dense', units: 10 })).toEqual([[10], 7850]);
    expect(last([784], { type: 'dense', units: 10, useBias: false })).toEqual([[10], 7840]);
    // Like tfjs, dense applies to the last axis of a 2-D input.
    expect(last([5, 7], { type: 'dense', units: 3 })).toEqual([[5, 3], 24]);
    expect(last([28, 28, 1], { type: 'conv2d', filters: 32, kernelSize: 3 })).toEqual([[26, 26, 32], 320]);
    expect(last([28, 28, 3], { type: 'conv2d', filters: 16, kernelSize: 3, strides: 2, padding: 'same' })).toEqual([[14, 14, 16], 448]);
    expect(last([10, 12, 1], { type: 'conv2d', filters: 2, kernelSize: [3, 1], dilationRate: 2 })).toEqual([[6, 12, 2], 8]);
    expect(last([9, 9, 2], { type: 'conv2d', filters: 1, kernelSize: 2, strides: [2, 3] })).toEqual([[4, 3, 1], 9]);
    expect(last([20, 4], { type: 'conv1d', filters: 8, kernelSize: 5, strides: 2 })).toEqual([[8, 8], 168]);
    expect(last([null, 4], { type: 'conv1d', filters: 8, kernelSize: 3, padding: 'same' })).toEqual([[null, 8], 104]);
  });

  it('computes transposed, separable and depthwise convolutions', () => {
    // Valid padding: size·stride + max(kernel − stride, 0); same padding: size·stride.
    expect(last([7, 7, 32], { type: 'conv2dTranspose', filters: 16, kernelSize: 3, strides: 2 })).toEqual([[15, 15, 16], 4624]);
    expect(last([7, 7, 32], { type: 'conv2dTranspose', filters: 16, kernelSize: 3, strides: 2, padding: 'same' })).toEqual([[14, 14, 16], 4624]);
    expect(last([4, 4, 2], { type: 'conv2dTranspose', filters: 1, kernelSize: 1, strides: 3 })).toEqual([[12, 12, 1], 3]);
    expect(last([32, 32, 16], { type: 'separableConv2d', filters: 64, kernelSize: 3 })).toEqual([[30, 30, 64], 144 + 1024 + 64]);
    expect(last([8, 8, 4], { type: 'depthwiseConv2d', kernelSize: 3, depthMultiplier: 2 })).toEqual([[6, 6, 8], 80]);
  });

  it('counts batch normalization statistics as non-trainable', () => {
    const row = inferArchitecture(seq({ type: 'input', shape: [6272] }, { type: 'batchNormalization' })).layers[1]!;
    expect(row).toMatchObject({ params: 25088, trainableParams: 12544, nonTrainableParams: 12544 });
    expect(last([10, 8], { type: 'layerNormalization' })).toEqual([[10, 8], 16]);
    expect(last([10, 8], { type: 'layerNormalization', center: false })).toEqual([[10, 8], 8]);
  });

  it('counts recurrent layers the way tfjs builds them (GRU without reset_after)', () => {
    expect(last([10, 8], { type: 'lstm', units: 64 })).toEqual([[64], 18688]);
    expect(last([10, 8], { type: 'lstm', units: 64, returnSequences: true })).toEqual([[10, 64], 18688]);
    expect(last([null, 16], { type: 'gru', units: 32, returnSequences: true })).toEqual([[null, 32], 4704]);
    expect(last([5, 3], { type: 'simpleRNN', units: 8, useBias: false })).toEqual([[8], 88]);
    const lstm = { type: 'lstm', units: 16, returnSequences: true } as const;
    expect(last([20, 8], { type: 'bidirectional', layer: lstm })).toEqual([[20, 32], 3200]);
    expect(last([20, 8], { type: 'bidirectional', layer: lstm, mergeMode: 'sum' })).toEqual([[20, 16], 3200]);
    expect(last([20, 8], { type: 'bidirectional', layer: { type: 'gru', units: 4 } })).toEqual([[8], 2 * 3 * (32 + 16 + 4)]);
  });

  it('embeds token ids and keeps variable lengths unknown', () => {
    const summary = inferArchitecture(seq({ type: 'input', shape: [null], dtype: 'int32' }, { type: 'embedding', inputDim: 1000, outputDim: 64 }, { type: 'globalAveragePooling1d' }));
    expect(summary.layers.map((l) => [l.outputShape, l.params])).toEqual([
      [[null], 0],
      [[null, 64], 64000],
      [[64], 0],
    ]);
  });

  it('reshapes, pools, pads and crops', () => {
    expect(last([12], { type: 'reshape', targetShape: [3, -1] })).toEqual([[3, 4], 0]);
    expect(last([null, 4], { type: 'reshape', targetShape: [-1, 2] })).toEqual([[null, 2], 0]);
    expect(last([3, 4, 5], { type: 'flatten' })).toEqual([[60], 0]);
    expect(last([3, 5], { type: 'permute', dims: [2, 1] })).toEqual([[5, 3], 0]);
    expect(last([6], { type: 'repeatVector', n: 4 })).toEqual([[4, 6], 0]);
    expect(last([7, 7, 3], { type: 'maxPooling2d' })).toEqual([[3, 3, 3], 0]);
    expect(last([7, 7, 3], { type: 'averagePooling2d', padding: 'same' })).toEqual([[4, 4, 3], 0]);
    expect(last([7, 8, 3], { type: 'maxPooling2d', poolSize: [3, 2], strides: 1 })).toEqual([[5, 7, 3], 0]);
    expect(last([9, 2], { type: 'averagePooling1d' })).toEqual([[4, 2], 0]);
    expect(last([9, 2], { type: 'globalMaxPooling1d' })).toEqual([[2], 0]);
    expect(last([5, 5, 7], { type: 'globalAveragePooling2d' })).toEqual([[7], 0]);
    expect(last([3, 4, 2], { type: 'upSampling2d', size: [2, 3] })).toEqual([[6, 12, 2], 0]);
    expect(
      last([3, 3, 1], {
        type: 'zeroPadding2d',
        padding: [
          [1, 2],
          [3, 4],
        ],
      }),
    ).toEqual([[6, 10, 1], 0]);
    expect(last([6, 6, 1], { type: 'cropping2d', cropping: [1, 2] })).toEqual([[4, 2, 1], 0]);
  });

  it('counts PReLU slopes per value unless axes are shared', () => {
    expect(last([4, 4, 3], { type: 'prelu' })).toEqual([[4, 4, 3], 48]);
    expect(last([4, 4, 3], { type: 'prelu', sharedAxes: [1, 2] })).toEqual([[4, 4, 3], 3]);
  });

  it('moves a frozen layer’s weights to non-trainable', () => {
    const summary = inferArchitecture(seq({ type: 'input', shape: [4] }, { type: 'dense', units: 3, trainable: false }, { type: 'dense', units: 2 }));
    expect(summary).toMatchObject({ totalParams: 23, trainableParams: 8, nonTrainableParams: 15 });
  });

  it('names layers like Keras, skipping names already taken', () => {
    const summary = inferArchitecture(
      seq({ type: 'input', shape: [4] }, { type: 'dense', units: 3 }, { type: 'dense', units: 3, name: 'dense_1' }, { type: 'dense', units: 3 }, { type: 'activation', activation: 'leakyRelu' }),
    );
    expect(summary.layers.map((l) => l.name)).toEqual(['input', 'dense', 'dense_1', 'dense_2', 'leaky_relu']);
  });

  it('feeds each part of a multi-part spec from the right place', () => {
    const gan = inferArchitecture(
      spec({
        kind: 'gan',
        latentDim: 8,
        generator: [
          { type: 'dense', units: 12 },
          { type: 'reshape', targetShape: [3, 4] },
        ],
        discriminator: [{ type: 'flatten' }, { type: 'dense', units: 1, activation: 'sigmoid' }],
      }),
    );
    expect(gan.parts.map((p) => [p.part, p.inputShape, p.inputName, p.outputShape, p.totalParams])).toEqual([
      ['generator', [8], 'generator_input', [3, 4], 108],
      ['discriminator', [3, 4], 'discriminator_input', [1], 13],
    ]);
    expect(gan.totalParams).toBe(121);

    const policy = inferArchitecture(
      spec({
        kind: 'policy',
        policy: [
          { type: 'input', shape: [4] },
          { type: 'dense', units: 2, activation: 'softmax' },
        ],
        value: [{ type: 'dense', units: 1 }],
      }),
    );
    expect(policy.parts[1]).toMatchObject({ part: 'value', inputShape: [4], outputShape: [1], totalParams: 5 });
  });
});

interface Case {
  code: ArchitectureIssueCode;
  spec: ArchitectureSpecInput;
  message: string;
  at: [string, number, (number | null)[] | null];
}

const input = (shape: (number | null)[], extra: Partial<LayerInput> = {}): LayerInput => ({ type: 'input', shape, ...extra }) as LayerInput;
const model = (...layers: LayerInput[]): ArchitectureSpecInput => ({ kind: 'sequential', layers });

const INVALID: Case[] = [
  {
    code: 'input-rank',
    spec: model(input([4]), { type: 'dense', units: 8 }, { type: 'conv2d', name: 'c1', filters: 4, kernelSize: 3 }),
    message: "layer 2 'c1' (conv2d) needs a 3-D input [height, width, channels] but gets [8]",
    at: ['c1', 2, [8]],
  },
  {
    code: 'input-rank',
    spec: model(input([10, 3]), { type: 'lstm', units: 4 }, { type: 'gru', units: 4 }),
    message: "layer 2 'gru' (gru) needs a 2-D input [steps, features] but gets [4]; set returnSequences: true on layer 1 'lstm' (lstm) to pass on every time step",
    at: ['gru', 2, [4]],
  },
  {
    code: 'input-rank',
    spec: model(input([8]), { type: 'flatten' }),
    message: "layer 1 'flatten' (flatten) needs an input with at least 2 dimensions but gets [8], which is already flat",
    at: ['flatten', 1, [8]],
  },
  {
    code: 'input-rank',
    spec: model(input([4, 4]), { type: 'upSampling2d' }),
    message: "layer 1 'up_sampling2d' (upSampling2d) needs a 3-D input [height, width, channels] but gets [4, 4]",
    at: ['up_sampling2d', 1, [4, 4]],
  },
  {
    code: 'window-too-large',
    spec: model(input([3, 3, 1]), { type: 'conv2d', filters: 2, kernelSize: 5 }),
    message: "layer 1 'conv2d' (conv2d) with kernel 5 and 'valid' padding needs at least 5 along height but gets [3, 3, 1]",
    at: ['conv2d', 1, [3, 3, 1]],
  },
  {
    code: 'window-too-large',
    spec: model(input([8, 4]), { type: 'conv1d', filters: 2, kernelSize: 3, dilationRate: 4 }),
    message: "layer 1 'conv1d' (conv1d) with kernel 3 dilated by 4 (spanning 9) and 'valid' padding needs at least 9 along steps but gets [8, 4]",
    at: ['conv1d', 1, [8, 4]],
  },
  {
    code: 'window-too-large',
    spec: model(input([6, 2, 1]), { type: 'maxPooling2d', poolSize: 3 }),
    message: "layer 1 'max_pooling2d' (maxPooling2d) with pool size 3 and 'valid' padding needs at least 3 along width but gets [6, 2, 1]",
    at: ['max_pooling2d', 1, [6, 2, 1]],
  },
  {
    code: 'strides-with-dilation',
    spec: model(input([16, 16, 1]), { type: 'conv2d', filters: 2, kernelSize: 3, strides: 2, dilationRate: 2 }),
    message: "layer 1 'conv2d' (conv2d) cannot combine strides 2 with dilationRate 2: TensorFlow.js needs one of them to be 1",
    at: ['conv2d', 1, [16, 16, 1]],
  },
  {
    code: 'reshape-size',
    spec: model(input([4, 4]), { type: 'reshape', targetShape: [3, 5] }),
    message: "layer 1 'reshape' (reshape) cannot reshape [4, 4] (16 values) into [3, 5] (15 values)",
    at: ['reshape', 1, [4, 4]],
  },
  {
    code: 'reshape-size',
    spec: model(input([12]), { type: 'reshape', targetShape: [5, -1] }),
    message: "layer 1 'reshape' (reshape) cannot reshape [12] (12 values) into [5, -1]: 12 is not a multiple of 5",
    at: ['reshape', 1, [12]],
  },
  {
    code: 'permute-dims',
    spec: model(input([3, 4]), { type: 'permute', dims: [2, 3, 1] }),
    message: "layer 1 'permute' (permute) has dims [2, 3, 1], which must list each axis 1..2 once for its input [3, 4]",
    at: ['permute', 1, [3, 4]],
  },
  {
    code: 'embedding-position',
    spec: model(input([5], { dtype: 'int32' }), { type: 'embedding', inputDim: 10, outputDim: 4 }, { type: 'embedding', name: 'second', inputDim: 10, outputDim: 4 }),
    message: "layer 2 'second' (embedding) must come right after the input: it reads integer token ids, but gets the float output of layer 1 'embedding' (embedding)",
    at: ['second', 2, [5, 4]],
  },
  {
    code: 'embedding-dtype',
    spec: model(input([5], { name: 'tokens' }), { type: 'embedding', inputDim: 10, outputDim: 4 }),
    message: "layer 1 'embedding' (embedding) reads integer token ids, so its input must be int32; set dtype: 'int32' on layer 0 'tokens' (input)",
    at: ['embedding', 1, [5]],
  },
  {
    code: 'int32-input',
    spec: model(input([5], { dtype: 'int32' }), { type: 'dense', units: 2 }),
    message: "layer 1 'dense' (dense) gets int32 token ids, which only an embedding layer can read; start with an embedding layer or use dtype: 'float32'",
    at: ['dense', 1, [5]],
  },
  {
    code: 'softmax-single-unit',
    spec: model(input([5]), { type: 'dense', name: 'out', units: 1, activation: 'softmax' }),
    message: "layer 1 'out' (dense) applies softmax over a single value, which is constant (softmax of one value is always 1); use sigmoid for one unit",
    at: ['out', 1, [5]],
  },
  {
    code: 'alpha-without-leaky-relu',
    spec: model(input([5]), { type: 'activation', activation: 'relu', alpha: 0.2 }),
    message: "layer 1 'activation' (activation) sets alpha, which only applies to leakyRelu, but its activation is 'relu'",
    at: ['activation', 1, [5]],
  },
  {
    code: 'missing-input',
    spec: model({ type: 'dense', units: 2 }),
    message: "layer 0 'dense' (dense) comes first, but the model must start with an input layer ({ type: 'input', shape: [...] })",
    at: ['dense', 0, null],
  },
  {
    code: 'misplaced-input',
    spec: model(input([5]), { type: 'dense', units: 2 }, input([2])),
    message: "layer 2 'input_1' (input) can only be the first layer of the model",
    at: ['input_1', 2, [2]],
  },
  {
    code: 'misplaced-input',
    spec: {
      kind: 'autoencoder',
      encoder: [input([4]), { type: 'dense', units: 2 }],
      decoder: [input([2]), { type: 'dense', units: 4 }],
    },
    message: "decoder layer 0 'input_1' (input) is not allowed here: the decoder's input comes from the encoder's output",
    at: ['input_1', 0, [2]],
  },
  {
    code: 'no-layers',
    spec: model(input([5])),
    message: "layer 0 'input' (input) is the only layer of the model; add at least one layer after it",
    at: ['input', 0, [5]],
  },
  {
    code: 'duplicate-name',
    spec: model(input([5]), { type: 'dense', name: 'h', units: 2 }, { type: 'dense', name: 'h', units: 2 }),
    message: "layer 2 'h' (dense) uses the name 'h', already taken by layer 1 'h' (dense); layer names must be unique",
    at: ['h', 2, null],
  },
  {
    code: 'duplicate-name',
    spec: {
      kind: 'gan',
      latentDim: 4,
      generator: [{ type: 'dense', units: 3 }],
      discriminator: [{ type: 'dense', name: 'discriminator_input', units: 1 }],
    },
    message: "discriminator layer 0 'discriminator_input' (dense) uses the name 'discriminator_input', already taken by the discriminator's input; layer names must be unique",
    at: ['discriminator_input', 0, null],
  },
  {
    code: 'unknown-dimension',
    spec: model(input([null]), { type: 'dense', units: 2 }),
    message: "layer 1 'dense' (dense) needs a known last dimension (features) but gets [null]",
    at: ['dense', 1, [null]],
  },
  {
    code: 'unknown-dimension',
    spec: model(input([null, 3]), { type: 'flatten' }),
    message: "layer 1 'flatten' (flatten) needs every dimension known to flatten but gets [null, 3]",
    at: ['flatten', 1, [null, 3]],
  },
  {
    code: 'unknown-dimension',
    spec: model(input([8, 8, null]), { type: 'batchNormalization' }),
    message: "layer 1 'batch_normalization' (batchNormalization) needs a known last dimension (the normalized axis) but gets [8, 8, null]",
    at: ['batch_normalization', 1, [8, 8, null]],
  },
  {
    code: 'empty-output',
    spec: model(input([3, 3, 1]), {
      type: 'cropping2d',
      cropping: [
        [1, 2],
        [0, 0],
      ],
    }),
    message: "layer 1 'cropping2d' (cropping2d) crops 3 rows and 0 columns from [3, 3, 1], which leaves nothing",
    at: ['cropping2d', 1, [3, 3, 1]],
  },
  {
    code: 'prelu-axes',
    spec: model(input([4]), { type: 'prelu', sharedAxes: [2] }),
    message: "layer 1 'prelu' (prelu) shares axis 2 but its input [4] has axes 1..1",
    at: ['prelu', 1, [4]],
  },
  {
    code: 'too-large',
    spec: model(input([100_000, 100_000]), { type: 'flatten' }),
    message: "layer 1 'flatten' (flatten) outputs [10000000000], larger than a tensor dimension can be (2147483647)",
    at: ['flatten', 1, [100_000, 100_000]],
  },
  {
    code: 'reconstruction-shape',
    spec: {
      kind: 'autoencoder',
      encoder: [input([8]), { type: 'dense', units: 2 }],
      decoder: [{ type: 'dense', name: 'out', units: 6 }],
    },
    message: "decoder layer 0 'out' (dense) outputs [6] but the decoder must rebuild the encoder's input shape [8]",
    at: ['out', 0, [2]],
  },
  {
    code: 'discriminator-output',
    spec: {
      kind: 'gan',
      latentDim: 4,
      generator: [{ type: 'dense', units: 6 }],
      discriminator: [{ type: 'dense', units: 2, activation: 'softmax' }],
    },
    message: "discriminator layer 0 'dense_1' (dense) outputs [2] but a discriminator must output one real/fake score [1]",
    at: ['dense_1', 0, [6]],
  },
  {
    code: 'policy-output',
    spec: { kind: 'policy', policy: [input([4, 3]), { type: 'dense', units: 2 }] },
    message: "policy network layer 1 'dense' (dense) outputs [4, 2] but a policy network must output one score per action [actions]",
    at: ['dense', 1, [4, 3]],
  },
  {
    code: 'value-output',
    spec: {
      kind: 'policy',
      policy: [input([4]), { type: 'dense', units: 2 }],
      value: [{ type: 'dense', units: 2 }],
    },
    message: "value network layer 0 'dense_1' (dense) outputs [2] but a value network must output one state value [1]",
    at: ['dense_1', 0, [4]],
  },
];

describe('inferArchitecture: impossible specs', () => {
  it.each(INVALID.map((c) => [c.message, c] as const))('%s', (_, c) => {
    const result = checkArchitecture(spec(c.spec));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issue.message).toBe(c.message);
    expect(result.issue.code).toBe(c.code);
    expect([result.issue.layerName, result.issue.layerIndex, result.issue.inputShape]).toEqual(c.at);
    expect(() => inferArchitecture(spec(c.spec))).toThrow(ArchitectureError);
  });

  it('covers at least 20 kinds of impossible spec', () => {
    expect(new Set(INVALID.map((c) => c.code)).size).toBeGreaterThanOrEqual(20);
  });

  it('rejects schema-valid random specs only with ArchitectureError, naming the layer', () => {
    let rejected = 0;
    fc.assert(
      fc.property(arbitrarySchemaValidSpec(), (s) => {
        // checkArchitecture rethrows anything that is not an ArchitectureError.
        const result = checkArchitecture(s);
        if (result.ok) return;
        rejected++;
        const { part, layerIndex, layerName, layerType, message } = result.issue;
        expect(message).toContain(`layer ${layerIndex} '${layerName}' (${layerType})`);
        // Multi-part specs say which part first ("decoder layer 2 ...", "policy network layer 0 ...").
        expect(message.split(' ')[0]).toBe(s.kind === 'sequential' ? 'layer' : part);
      }),
      { seed: 4242, numRuns: 1000 },
    );
    expect(rejected).toBeGreaterThan(500);
  });
});
