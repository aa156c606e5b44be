import { describe, expect, it } from 'vitest';
import { inferArchitecture } from './infer';
import { exportKerasModel, exportKerasModels, toCamelCase, toSnakeCase } from './keras';
import { importKerasJson, isKerasJson, KerasImportError } from './keras-import';
import { ZArchitectureSpec, type ArchitectureSpec } from './spec';

const keras3 = (className: string, config: Record<string, unknown>) => ({
  module: 'keras.layers',
  class_name: className,
  config: { trainable: true, dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' } }, ...config },
  registered_name: null,
});
const glorotUniform = { module: 'keras.initializers', class_name: 'GlorotUniform', config: { seed: null }, registered_name: null };

/** What Keras 3's `model.to_json()` writes for a small CNN. */
const KERAS3_CNN = {
  module: 'keras',
  class_name: 'Sequential',
  config: {
    name: 'mnist_cnn',
    trainable: true,
    layers: [
      { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 28, 28, 1], dtype: 'float32', sparse: false, name: 'input_layer' } },
      keras3('Conv2D', {
        name: 'conv2d',
        filters: 32,
        kernel_size: [3, 3],
        strides: [1, 1],
        padding: 'valid',
        data_format: 'channels_last',
        dilation_rate: [1, 1],
        groups: 1,
        activation: 'relu',
        use_bias: true,
        kernel_initializer: glorotUniform,
        bias_initializer: { module: 'keras.initializers', class_name: 'Zeros', config: {} },
        kernel_regularizer: null,
        bias_regularizer: null,
        activity_regularizer: null,
        kernel_constraint: null,
        bias_constraint: null,
      }),
      keras3('MaxPooling2D', { name: 'max_pooling2d', pool_size: [2, 2], padding: 'valid', strides: [2, 2], data_format: 'channels_last' }),
      keras3('BatchNormalization', { name: 'batch_normalization', axis: -1, momentum: 0.99, epsilon: 0.001, center: true, scale: true }),
      keras3('Flatten', { name: 'flatten', data_format: 'channels_last' }),
      keras3('Dropout', { name: 'dropout', rate: 0.5, seed: null, noise_shape: null }),
      keras3('Dense', {
        name: 'dense',
        units: 10,
        activation: 'softmax',
        use_bias: true,
        kernel_initializer: glorotUniform,
        kernel_regularizer: { module: 'keras.regularizers', class_name: 'L2', config: { l2: 0.001 } },
      }),
    ],
    build_input_shape: [null, 28, 28, 1],
  },
  registered_name: null,
  build_config: { input_shape: [null, 28, 28, 1] },
};

/** Keras 2's functional `Model.to_json()` for a text classifier, inside a tfjs model.json. */
const KERAS2_TEXT_MODEL_JSON = {
  format: 'layers-model',
  generatedBy: 'keras v2.12.0',
  modelTopology: {
    keras_version: '2.12.0',
    backend: 'tensorflow',
    model_config: {
      class_name: 'Functional',
      config: {
        name: 'text',
        layers: [
          { class_name: 'InputLayer', name: 'tokens', inbound_nodes: [], config: { batch_input_shape: [null, 100], dtype: 'float32', sparse: false, ragged: false, name: 'tokens' } },
          {
            class_name: 'Embedding',
            name: 'embedding',
            inbound_nodes: [[['tokens', 0, 0, {}]]],
            config: {
              name: 'embedding',
              trainable: true,
              input_dim: 5000,
              output_dim: 32,
              mask_zero: true,
              input_length: 100,
              embeddings_initializer: { class_name: 'RandomUniform', config: { minval: -0.05, maxval: 0.05, seed: null } },
            },
          },
          {
            class_name: 'GRU',
            name: 'gru',
            inbound_nodes: [[['embedding', 0, 0, {}]]],
            config: {
              name: 'gru',
              units: 16,
              activation: 'tanh',
              recurrent_activation: 'sigmoid',
              reset_after: true,
              return_sequences: false,
              return_state: false,
              stateful: false,
              unroll: false,
              dropout: 0.0,
              recurrent_dropout: 0.0,
            },
          },
          {
            class_name: 'Dense',
            name: 'out',
            inbound_nodes: [[['gru', 0, 0, {}]]],
            config: { name: 'out', units: 1, activation: 'sigmoid', kernel_initializer: 'glorot_uniform' },
          },
        ],
        input_layers: [['tokens', 0, 0]],
        output_layers: [['out', 0, 0]],
      },
    },
  },
  weightsManifest: [],
};

function keras3Functional(layers: unknown[], input: string, output: string) {
  return { class_name: 'Functional', config: { name: 'f', layers, input_layers: [input, 0, 0], output_layers: [output, 0, 0] } };
}

function k3node(from: string) {
  return [{ args: [{ class_name: '__keras_tensor__', config: { shape: [null, 8], dtype: 'float32', keras_history: [from, 0, 0] } }], kwargs: {} }];
}

function sequentialOf(...layers: unknown[]) {
  return { class_name: 'Sequential', config: { name: 's', layers } };
}

const input = (shape: number[], name = 'in') => ({ class_name: 'InputLayer', config: { batch_input_shape: [null, ...shape], name } });

describe('importKerasJson', () => {
  it('imports a Keras 3 Sequential model with its options and parameters', () => {
    const { spec, warnings, modelName } = importKerasJson(KERAS3_CNN);
    expect(warnings).toEqual([]);
    expect(modelName).toBe('mnist_cnn');
    const summary = inferArchitecture(spec);
    expect(summary.layers.map((l) => [l.name, l.type, l.outputShape, l.params])).toEqual([
      ['input_layer', 'input', [28, 28, 1], 0],
      ['conv2d', 'conv2d', [26, 26, 32], 320],
      ['max_pooling2d', 'maxPooling2d', [13, 13, 32], 0],
      ['batch_normalization', 'batchNormalization', [13, 13, 32], 128],
      ['flatten', 'flatten', [5408], 0],
      ['dropout', 'dropout', [5408], 0],
      ['dense', 'dense', [10], 54090],
    ]);
    expect(spec.kind === 'sequential' && spec.layers[1]).toMatchObject({ activation: 'relu', kernelInitializer: 'glorotUniform' });
    expect(spec.kind === 'sequential' && spec.layers[6]).toMatchObject({ kernelRegularizer: { l1: 0, l2: 0.001 } });
  });

  it('imports a Keras 2 functional chain from a model.json, with token input and a GRU warning', () => {
    expect(isKerasJson(KERAS2_TEXT_MODEL_JSON)).toBe(true);
    const { spec, warnings } = importKerasJson(KERAS2_TEXT_MODEL_JSON);
    expect(spec.kind === 'sequential' && spec.layers[0]).toMatchObject({ type: 'input', shape: [100], dtype: 'int32', name: 'tokens' });
    expect(warnings).toEqual([
      "layer 2 'gru' (GRU): uses reset_after=True (the Keras 2.3+ default), which TensorFlow.js does not support; imported with reset_after=False, which has one bias per gate instead of two",
    ]);
    // Keras counts 3·(32·16 + 16·16 + 2·16) = 2400 with reset_after; tfjs builds 2352.
    expect(inferArchitecture(spec).layers.map((l) => l.params)).toEqual([0, 160_000, 2352, 17]);
  });

  it('follows Keras 3 keras_history links and refuses branches', () => {
    const layer = (name: string, from: string) => ({ class_name: 'Dense', name, config: { name, units: 8 }, inbound_nodes: k3node(from) });
    const chain = keras3Functional([{ class_name: 'InputLayer', name: 'x', config: { batch_shape: [null, 8], name: 'x' }, inbound_nodes: [] }, layer('b', 'a'), layer('a', 'x')], 'x', 'b');
    expect(inferArchitecture(importKerasJson(chain).spec).layers.map((l) => l.name)).toEqual(['x', 'a', 'b']);

    const branching = keras3Functional([{ class_name: 'InputLayer', name: 'x', config: { batch_shape: [null, 8], name: 'x' }, inbound_nodes: [] }, layer('a', 'x'), layer('b', 'x')], 'x', 'b');
    expect(() => importKerasJson(branching)).toThrow("layer 'x' feeds 2 layers (a, b); only a single chain of layers can be imported");
  });

  it('maps activation layers and Keras 3 leaky_relu onto the spec’s activation layers', () => {
    const { spec, warnings } = importKerasJson(
      sequentialOf(
        input([4]),
        { class_name: 'Dense', config: { name: 'd', units: 3, activation: 'leaky_relu' } },
        { class_name: 'LeakyReLU', config: { name: 'k3', negative_slope: 0.1 } },
        { class_name: 'ReLU', config: { name: 'r6', max_value: 6 } },
        { class_name: 'Softmax', config: { name: 'sm', axis: -1 } },
        { class_name: 'TimeDistributed', config: { name: 'td', layer: { class_name: 'Dense', config: { name: 'inner', units: 2 } } } },
      ),
    );
    expect(spec.kind === 'sequential' && spec.layers.slice(1).map((l) => [l.name, l.type, 'activation' in l ? l.activation : null])).toEqual([
      ['d', 'dense', 'linear'],
      ['d_leaky_relu', 'activation', 'leakyRelu'],
      ['k3', 'activation', 'leakyRelu'],
      ['r6', 'activation', 'relu6'],
      ['sm', 'activation', 'softmax'],
      ['td', 'dense', 'linear'],
    ]);
    expect(warnings).toHaveLength(2);
  });

  it('checks a positive normalization axis against the input rank', () => {
    const bn = (axis: unknown) => ({ class_name: 'BatchNormalization', config: { name: 'bn', axis } });
    expect(() => importKerasJson(sequentialOf(input([8, 8, 3]), bn([3])))).not.toThrow();
    expect(() => importKerasJson(sequentialOf(input([8, 8, 3]), bn(1)))).toThrow("layer 1 'bn' (BatchNormalization) normalizes axis 1 of 3; only the last axis is supported");
  });

  it.each([
    [sequentialOf(input([4]), { class_name: 'Conv3D', config: { name: 'c3' } }), "layer 1 'c3' (Conv3D) is not a layer type Deepboard supports"],
    [
      sequentialOf(input([8, 8, 3]), { class_name: 'Conv2D', config: { name: 'c', filters: 2, kernel_size: 3, data_format: 'channels_first' } }),
      "layer 1 'c' (Conv2D) uses data_format channels_first; only channels_last is supported",
    ],
    [
      sequentialOf(input([8, 3]), { class_name: 'Conv1D', config: { name: 'c', filters: 2, kernel_size: 3, padding: 'causal' } }),
      "layer 1 'c' (Conv1D) uses padding 'causal'; only 'valid' and 'same' are supported",
    ],
    [sequentialOf(input([8, 3]), { class_name: 'LSTM', config: { name: 'l', units: 2, return_state: true } }), "layer 1 'l' (LSTM) returns its states; only the output can be imported"],
    [
      sequentialOf(input([4]), { class_name: 'Dense', config: { name: 'd', units: 2, activation: 'exponential' } }),
      "layer 1 'd' (Dense) uses activation 'exponential', which TensorFlow.js does not provide",
    ],
    [sequentialOf({ class_name: 'Dense', config: { name: 'd', units: 2 } }), "layer 0 'd' (Dense) has no input shape (batch_input_shape); the model cannot be built"],
    [sequentialOf(input([4]), { class_name: 'Dense', config: { name: 'd', units: 0 } }), 'the imported layers are not a valid spec: layers[1].units'],
  ])('refuses what the spec cannot express: %#', (json, message) => {
    expect(() => importKerasJson(json)).toThrow(KerasImportError);
    expect(() => importKerasJson(json)).toThrow(message);
  });

  it('does not mistake other JSON for a model', () => {
    expect(isKerasJson({ kind: 'sequential', layers: [] })).toBe(false);
    expect(() => importKerasJson({ hello: 'world' })).toThrow('not Keras or TensorFlow.js model JSON');
  });
});

describe('exportKerasModels', () => {
  const spec = (input: unknown): ArchitectureSpec => ZArchitectureSpec.parse(input);

  it('writes one tfjs Sequential per part, pythonic, with a named input for a derived part', () => {
    const autoencoder = spec({
      kind: 'autoencoder',
      encoder: [
        { type: 'input', shape: [4, 4] },
        { type: 'reshape', targetShape: [-1] },
        { type: 'dense', units: 2 },
      ],
      decoder: [
        { type: 'dense', units: 16, activation: 'hardSigmoid' },
        { type: 'reshape', targetShape: [4, 4] },
      ],
    });
    const models = exportKerasModels(autoencoder);
    expect(Object.keys(models)).toEqual(['encoder', 'decoder']);
    expect(models.decoder).toMatchObject({
      class_name: 'Sequential',
      keras_version: 'tfjs-layers 4.22.0',
      config: {
        name: 'decoder',
        layers: [
          { class_name: 'InputLayer', config: { batch_input_shape: [null, 2], dtype: 'float32', name: 'decoder_input' } },
          { class_name: 'Dense', config: { name: 'dense_1', units: 16, activation: 'hard_sigmoid', use_bias: true } },
          { class_name: 'Reshape', config: { target_shape: [4, 4] } },
        ],
      },
    });
    // tfjs would report a -1 size as unknown; the export writes the size inference resolved.
    expect(models.encoder!.config.layers[1]).toMatchObject({ class_name: 'Reshape', config: { target_shape: [16] } });
  });

  it('writes leaky ReLU as LeakyReLU and freezes a bidirectional layer’s wrapped layer too', () => {
    const model = exportKerasModel(
      spec({
        kind: 'sequential',
        layers: [
          { type: 'input', shape: [5, 3] },
          { type: 'bidirectional', trainable: false, layer: { type: 'lstm', units: 2, returnSequences: true } },
          { type: 'activation', activation: 'leakyRelu', alpha: 0.2 },
        ],
      }),
    );
    expect(model.config.layers.slice(1)).toMatchObject([
      {
        class_name: 'Bidirectional',
        config: { name: 'bidirectional', trainable: false, merge_mode: 'concat', layer: { class_name: 'LSTM', config: { name: 'bidirectional_lstm', trainable: false } } },
      },
      { class_name: 'LeakyReLU', config: { name: 'leaky_relu', alpha: 0.2 } },
    ]);
  });

  it('converts names between camelCase and snake_case as tfjs does', () => {
    expect(toSnakeCase('hardSigmoid')).toBe('hard_sigmoid');
    expect(toSnakeCase('batchInputShape')).toBe('batch_input_shape');
    expect(toCamelCase('log_softmax')).toBe('logSoftmax');
    expect(toCamelCase('channels_last')).toBe('channelsLast');
  });
});
