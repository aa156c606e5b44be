/**
 * Keras / TensorFlow.js topology JSON: the shared format tables and the export of a spec.
 *
 * The export writes what tfjs's own `model.toJSON()` writes (a pythonic `Sequential` config
 * with snake_case keys), so `tf.models.modelFromJSON` loads it — the worker builds its models
 * exactly that way (worker/model/build.ts). A spec with several parts (autoencoder, GAN,
 * policy + value) exports one Sequential per part, keyed by part name; a part fed by another
 * part starts with an InputLayer named `<part>_input`. The import lives in keras-import.ts.
 */
import { derivedInputName, inferArchitecture, innerRecurrentName, type LayerSummary, type Shape } from './infer';
import { edges, pair, specParts, type ArchitectureSpec, type Initializer, type Layer, type LayerType, type PartName, type RecurrentCore, type Regularizer } from './spec';

export const TFJS_KERAS_VERSION = 'tfjs-layers 4.22.0';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

// Type aliases rather than interfaces, so that they are JsonValues themselves.
export type KerasLayerJson = {
  class_name: string;
  config: JsonObject;
};

export type KerasModelJson = {
  class_name: 'Sequential';
  config: { name: string; layers: KerasLayerJson[] };
  keras_version: string;
  backend: string;
};

/** Keras class per layer type (an `activation` layer with leakyRelu becomes LeakyReLU). */
export const KERAS_CLASS_NAMES: Record<LayerType, string> = {
  input: 'InputLayer',
  dense: 'Dense',
  conv1d: 'Conv1D',
  conv2d: 'Conv2D',
  conv2dTranspose: 'Conv2DTranspose',
  separableConv2d: 'SeparableConv2D',
  depthwiseConv2d: 'DepthwiseConv2D',
  maxPooling1d: 'MaxPooling1D',
  averagePooling1d: 'AveragePooling1D',
  maxPooling2d: 'MaxPooling2D',
  averagePooling2d: 'AveragePooling2D',
  globalAveragePooling1d: 'GlobalAveragePooling1D',
  globalMaxPooling1d: 'GlobalMaxPooling1D',
  globalAveragePooling2d: 'GlobalAveragePooling2D',
  globalMaxPooling2d: 'GlobalMaxPooling2D',
  upSampling2d: 'UpSampling2D',
  zeroPadding2d: 'ZeroPadding2D',
  cropping2d: 'Cropping2D',
  flatten: 'Flatten',
  reshape: 'Reshape',
  permute: 'Permute',
  repeatVector: 'RepeatVector',
  dropout: 'Dropout',
  spatialDropout1d: 'SpatialDropout1D',
  gaussianNoise: 'GaussianNoise',
  gaussianDropout: 'GaussianDropout',
  batchNormalization: 'BatchNormalization',
  layerNormalization: 'LayerNormalization',
  embedding: 'Embedding',
  simpleRNN: 'SimpleRNN',
  lstm: 'LSTM',
  gru: 'GRU',
  bidirectional: 'Bidirectional',
  activation: 'Activation',
  prelu: 'PReLU',
};

/**
 * Initializers as tfjs serializes them: the Glorot/He/LeCun family as VarianceScaling (which
 * Python Keras reads too), the rest with tfjs's default arguments.
 */
export const KERAS_INITIALIZERS: Record<Initializer, KerasLayerJson> = {
  glorotNormal: varianceScaling(1, 'fan_avg', 'normal'),
  glorotUniform: varianceScaling(1, 'fan_avg', 'uniform'),
  heNormal: varianceScaling(2, 'fan_in', 'normal'),
  heUniform: varianceScaling(2, 'fan_in', 'uniform'),
  leCunNormal: varianceScaling(1, 'fan_in', 'normal'),
  leCunUniform: varianceScaling(1, 'fan_in', 'uniform'),
  randomNormal: { class_name: 'RandomNormal', config: { mean: 0, stddev: 0.05, seed: null } },
  randomUniform: { class_name: 'RandomUniform', config: { minval: -0.05, maxval: 0.05, seed: null } },
  truncatedNormal: { class_name: 'TruncatedNormal', config: { mean: 0, stddev: 0.05, seed: null } },
  orthogonal: { class_name: 'Orthogonal', config: { gain: 1, seed: null } },
  zeros: { class_name: 'Zeros', config: {} },
  ones: { class_name: 'Ones', config: {} },
};

function varianceScaling(scale: number, mode: string, distribution: string): KerasLayerJson {
  return { class_name: 'VarianceScaling', config: { scale, mode, distribution, seed: null } };
}

/** camelCase → snake_case, as tfjs's toSnakeCase does for keys and string values. */
export function toSnakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/** snake_case → camelCase, as tfjs's toCamelCase does when it reads pythonic JSON. */
export function toCamelCase(name: string): string {
  return name.replace(/_+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function initializer(name: Initializer): KerasLayerJson {
  const { class_name, config } = KERAS_INITIALIZERS[name];
  return { class_name, config: { ...config } };
}

function regularizer(value: Regularizer | undefined): JsonValue {
  return value ? { class_name: 'L1L2', config: { l1: value.l1, l2: value.l2 } } : null;
}

function batchShape(shape: Shape): JsonValue[] {
  return [null, ...shape];
}

type Weighted = {
  useBias: boolean;
  kernelInitializer: Initializer;
  biasInitializer: Initializer;
  kernelRegularizer?: Regularizer | undefined;
  biasRegularizer?: Regularizer | undefined;
};

function weightConfig(layer: Weighted): JsonObject {
  return {
    use_bias: layer.useBias,
    kernel_initializer: initializer(layer.kernelInitializer),
    bias_initializer: initializer(layer.biasInitializer),
    kernel_regularizer: regularizer(layer.kernelRegularizer),
    bias_regularizer: regularizer(layer.biasRegularizer),
    activity_regularizer: null,
    kernel_constraint: null,
    bias_constraint: null,
  };
}

function recurrentConfig(layer: RecurrentCore, name: string, trainable: boolean): KerasLayerJson {
  const config: JsonObject = {
    name,
    trainable,
    units: layer.units,
    activation: toSnakeCase(layer.activation),
    use_bias: layer.useBias,
    kernel_initializer: initializer(layer.kernelInitializer),
    recurrent_initializer: initializer(layer.recurrentInitializer),
    bias_initializer: initializer(layer.biasInitializer),
    kernel_regularizer: regularizer(layer.kernelRegularizer),
    recurrent_regularizer: regularizer(layer.recurrentRegularizer),
    bias_regularizer: regularizer(layer.biasRegularizer),
    activity_regularizer: null,
    kernel_constraint: null,
    recurrent_constraint: null,
    bias_constraint: null,
    dropout: layer.dropout,
    recurrent_dropout: layer.recurrentDropout,
    return_sequences: layer.returnSequences,
    return_state: false,
    go_backwards: layer.goBackwards,
    stateful: false,
    unroll: false,
  };
  if (layer.type === 'lstm') {
    config.recurrent_activation = toSnakeCase(layer.recurrentActivation);
    config.unit_forget_bias = layer.unitForgetBias;
  }
  if (layer.type === 'gru') {
    config.recurrent_activation = toSnakeCase(layer.recurrentActivation);
    config.reset_after = false;
  }
  return { class_name: KERAS_CLASS_NAMES[layer.type], config };
}

const CHANNELS_LAST = 'channels_last';

/** One spec layer as a Keras layer entry, given its inferred summary row. */
export function layerToKeras(layer: Layer, row: LayerSummary): KerasLayerJson {
  const name = row.name;
  const base: JsonObject = { name, trainable: layer.trainable };
  const entry = (config: JsonObject, className: string = KERAS_CLASS_NAMES[layer.type]): KerasLayerJson => ({
    class_name: className,
    config: { ...base, ...config },
  });
  switch (layer.type) {
    case 'input':
      return { class_name: 'InputLayer', config: { batch_input_shape: batchShape(layer.shape), dtype: layer.dtype, sparse: false, name } };
    case 'dense':
      return entry({ units: layer.units, activation: toSnakeCase(layer.activation), ...weightConfig(layer) });
    case 'conv1d':
      return entry({
        filters: layer.filters,
        kernel_size: [layer.kernelSize],
        strides: [layer.strides],
        padding: layer.padding,
        dilation_rate: [layer.dilationRate],
        activation: toSnakeCase(layer.activation),
        ...weightConfig(layer),
      });
    case 'conv2d':
      return entry({
        filters: layer.filters,
        kernel_size: pair(layer.kernelSize),
        strides: pair(layer.strides),
        padding: layer.padding,
        data_format: CHANNELS_LAST,
        dilation_rate: pair(layer.dilationRate),
        activation: toSnakeCase(layer.activation),
        ...weightConfig(layer),
      });
    case 'conv2dTranspose':
      return entry({
        filters: layer.filters,
        kernel_size: pair(layer.kernelSize),
        strides: pair(layer.strides),
        padding: layer.padding,
        data_format: CHANNELS_LAST,
        activation: toSnakeCase(layer.activation),
        ...weightConfig(layer),
      });
    case 'separableConv2d':
      return entry({
        filters: layer.filters,
        kernel_size: pair(layer.kernelSize),
        strides: pair(layer.strides),
        padding: layer.padding,
        data_format: CHANNELS_LAST,
        dilation_rate: pair(layer.dilationRate),
        depth_multiplier: layer.depthMultiplier,
        activation: toSnakeCase(layer.activation),
        use_bias: layer.useBias,
      });
    case 'depthwiseConv2d':
      return entry({
        kernel_size: pair(layer.kernelSize),
        strides: pair(layer.strides),
        padding: layer.padding,
        data_format: CHANNELS_LAST,
        depth_multiplier: layer.depthMultiplier,
        activation: toSnakeCase(layer.activation),
        use_bias: layer.useBias,
      });
    case 'maxPooling1d':
    case 'averagePooling1d':
      return entry({ pool_size: [layer.poolSize], strides: [layer.strides ?? layer.poolSize], padding: layer.padding });
    case 'maxPooling2d':
    case 'averagePooling2d':
      return entry({
        pool_size: pair(layer.poolSize),
        strides: pair(layer.strides ?? layer.poolSize),
        padding: layer.padding,
        data_format: CHANNELS_LAST,
      });
    case 'globalAveragePooling1d':
    case 'globalMaxPooling1d':
    case 'flatten':
      return entry({});
    case 'globalAveragePooling2d':
    case 'globalMaxPooling2d':
      return entry({ data_format: CHANNELS_LAST });
    case 'upSampling2d':
      return entry({ size: pair(layer.size), data_format: CHANNELS_LAST, interpolation: layer.interpolation });
    case 'zeroPadding2d':
      return entry({ padding: edges(layer.padding), data_format: CHANNELS_LAST });
    case 'cropping2d':
      return entry({ cropping: edges(layer.cropping), data_format: CHANNELS_LAST });
    case 'reshape':
      // tfjs reports a -1 size as unknown even when the input size is known, which breaks a
      // dense layer after it; with a known input the resolved sizes are written instead.
      return entry({ target_shape: row.outputShape.includes(null) ? [...layer.targetShape] : [...row.outputShape] });
    case 'permute':
      return entry({ dims: [...layer.dims] });
    case 'repeatVector':
      return entry({ n: layer.n });
    case 'dropout':
      return entry({ rate: layer.rate, noise_shape: null, seed: null });
    case 'spatialDropout1d':
    case 'gaussianDropout':
      return entry({ rate: layer.rate });
    case 'gaussianNoise':
      return entry({ stddev: layer.stddev });
    case 'batchNormalization':
      return entry({
        axis: -1,
        momentum: layer.momentum,
        epsilon: layer.epsilon,
        center: true,
        scale: true,
        beta_initializer: initializer('zeros'),
        gamma_initializer: initializer('ones'),
        moving_mean_initializer: initializer('zeros'),
        moving_variance_initializer: initializer('ones'),
      });
    case 'layerNormalization':
      return entry({ axis: -1, epsilon: layer.epsilon, center: layer.center, scale: layer.scale });
    case 'embedding':
      return entry({
        input_dim: layer.inputDim,
        output_dim: layer.outputDim,
        embeddings_initializer: initializer(layer.embeddingsInitializer),
        embeddings_regularizer: regularizer(layer.embeddingsRegularizer),
        activity_regularizer: null,
        embeddings_constraint: null,
        mask_zero: layer.maskZero,
        input_length: null,
      });
    case 'simpleRNN':
    case 'lstm':
    case 'gru':
      return recurrentConfig(layer, name, layer.trainable);
    case 'bidirectional':
      // tfjs's Bidirectional ignores its own `trainable: false` when it clones the wrapped
      // layer, so the flag is written on the wrapped layer as well.
      return entry({
        layer: recurrentConfig(layer.layer, innerRecurrentName(name, layer.layer), layer.trainable),
        merge_mode: layer.mergeMode,
      });
    case 'activation':
      if (layer.activation === 'leakyRelu') return entry({ alpha: layer.alpha ?? 0.3 }, 'LeakyReLU');
      return entry({ activation: toSnakeCase(layer.activation) });
    case 'prelu':
      return entry({
        alpha_initializer: initializer('zeros'),
        alpha_regularizer: null,
        alpha_constraint: null,
        shared_axes: layer.sharedAxes ? [...layer.sharedAxes] : null,
      });
  }
}

/**
 * The spec as tfjs-loadable model JSON, one Sequential per part, keyed by part name:
 * `{ model }`, `{ encoder, decoder }`, `{ generator, discriminator }` or `{ policy, value? }`.
 * Throws ArchitectureError when the spec cannot be built.
 */
export function exportKerasModels(spec: ArchitectureSpec): Partial<Record<PartName, KerasModelJson>> {
  const summary = inferArchitecture(spec);
  const models: Partial<Record<PartName, KerasModelJson>> = {};
  specParts(spec).forEach(({ part, layers, source }, i) => {
    const partSummary = summary.parts[i]!;
    const keras: KerasLayerJson[] = [];
    if (source.from !== 'input-layer') {
      keras.push({
        class_name: 'InputLayer',
        config: {
          batch_input_shape: batchShape(partSummary.inputShape),
          dtype: partSummary.inputDtype,
          sparse: false,
          name: derivedInputName(part),
        },
      });
    }
    layers.forEach((layer, index) => {
      const row = partSummary.layers.find((l) => l.index === index)!;
      keras.push(layerToKeras(layer, row));
    });
    models[part] = {
      class_name: 'Sequential',
      config: { name: part, layers: keras },
      keras_version: TFJS_KERAS_VERSION,
      backend: 'tensor_flow.js',
    };
  });
  return models;
}

/** The JSON of one part (the first one by default: model, encoder, generator or policy). */
export function exportKerasModel(spec: ArchitectureSpec, part?: PartName): KerasModelJson {
  const models = exportKerasModels(spec);
  const chosen = part ?? specParts(spec)[0]!.part;
  const model = models[chosen];
  if (!model) throw new Error(`a ${spec.kind} spec has no part '${chosen}'`);
  return model;
}
