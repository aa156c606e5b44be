/**
 * Import of Keras / TensorFlow.js model topology JSON into a sequential spec.
 *
 * Reads what tfjs's `model.toJSON()` writes, a model.json file (`modelTopology`, with or without
 * `model_config`), and Keras 2 / Keras 3 `to_json()` output: `Sequential`, or a functional
 * `Model`/`Functional` whose layers form one chain. Anything the spec cannot express exactly is
 * refused with a KerasImportError naming the layer, except settings that do not change shapes or
 * parameters of the model tfjs would build (constraints, custom initializer arguments, ...),
 * which are dropped with a warning.
 */
import { InvalidInputError } from '../errors';
import { checkArchitecture } from './infer';
import { toCamelCase } from './keras';
import { ACTIVATIONS, ZArchitectureSpec, ZLayerName, formatSpecIssues, type Activation, type ArchitectureSpec, type Initializer, type LayerInput } from './spec';

export class KerasImportError extends InvalidInputError {
  constructor(message: string) {
    super(message);
    this.name = 'KerasImportError';
  }
}

export interface KerasImportResult {
  spec: ArchitectureSpec;
  /** Settings that were dropped or changed, one sentence each. */
  warnings: string[];
  /** The model's name in the JSON, when it has one. */
  modelName: string | undefined;
}

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Converts keys to camelCase (values are left alone), so pythonic and tfjs JSON read alike. */
function camelKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelKeys);
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [toCamelCase(k), camelKeys(v)]));
}

/** The `{ className, config }` model object inside any of the accepted wrappers, or undefined. */
function findModel(json: unknown): Obj | undefined {
  let current = camelKeys(json);
  for (let depth = 0; depth < 3 && isObject(current); depth++) {
    if (typeof current.className === 'string' && 'config' in current) return current;
    current = current.modelTopology ?? current.modelConfig;
  }
  return undefined;
}

/** Whether the value looks like Keras / tfjs topology JSON (as opposed to a Deepboard spec). */
export function isKerasJson(json: unknown): boolean {
  return findModel(json) !== undefined;
}

const ACTIVATION_ALIASES: Record<string, Activation | 'leakyRelu'> = {
  ...Object.fromEntries(ACTIVATIONS.map((a) => [a.toLowerCase(), a])),
  hardsigmoid: 'hardSigmoid',
  logsoftmax: 'logSoftmax',
  silu: 'swish',
  leakyrelu: 'leakyRelu',
};

const INITIALIZER_CLASSES: Record<string, Initializer> = {
  glorotnormal: 'glorotNormal',
  glorotuniform: 'glorotUniform',
  henormal: 'heNormal',
  heuniform: 'heUniform',
  lecunnormal: 'leCunNormal',
  lecununiform: 'leCunUniform',
  randomnormal: 'randomNormal',
  randomuniform: 'randomUniform',
  truncatednormal: 'truncatedNormal',
  orthogonal: 'orthogonal',
  zeros: 'zeros',
  zero: 'zeros',
  ones: 'ones',
  one: 'ones',
};

/** Default arguments each parameterized initializer must have to map onto a plain name. */
const INITIALIZER_DEFAULTS: Partial<Record<Initializer, Obj>> = {
  randomNormal: { mean: 0, stddev: 0.05 },
  randomUniform: { minval: -0.05, maxval: 0.05 },
  truncatedNormal: { mean: 0, stddev: 0.05 },
  orthogonal: { gain: 1 },
};

interface ImportContext {
  warnings: string[];
  /** Normalization axes given as positive indices, checked against the input rank once shapes are known. */
  axes: Array<{ specIndex: number; axis: number; where: string }>;
  /** Index in the spec's layer list that the layer being read will get. */
  specIndex: number;
}

/** Reads one layer's config, recording what cannot be carried over. */
class LayerReader {
  constructor(
    readonly className: string,
    readonly config: Obj,
    readonly where: string,
    readonly context: ImportContext,
  ) {}

  get warnings(): string[] {
    return this.context.warnings;
  }

  fail(reason: string): never {
    throw new KerasImportError(`${this.where} (${this.className}) ${reason}`);
  }

  warn(reason: string): void {
    this.warnings.push(`${this.where} (${this.className}): ${reason}`);
  }

  has(key: string): boolean {
    return this.config[key] !== undefined && this.config[key] !== null;
  }

  number(key: string): number | undefined {
    const value = this.config[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number') this.fail(`has ${key} ${JSON.stringify(value)}, expected a number`);
    return value;
  }

  boolean(key: string): boolean | undefined {
    const value = this.config[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') this.fail(`has ${key} ${JSON.stringify(value)}, expected true or false`);
    return value;
  }

  string(key: string): string | undefined {
    const value = this.config[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') this.fail(`has ${key} ${JSON.stringify(value)}, expected a string`);
    return toCamelCase(value);
  }

  /** An int or a 1–2 element list, as Keras writes kernel sizes and strides. */
  ints(key: string): number[] | undefined {
    const value = this.config[key];
    if (value === undefined || value === null) return undefined;
    const list = typeof value === 'number' ? [value] : value;
    if (!Array.isArray(list) || !list.every((v) => typeof v === 'number')) {
      this.fail(`has ${key} ${JSON.stringify(value)}, expected integers`);
    }
    return list as number[];
  }

  one(key: string): number | undefined {
    const list = this.ints(key);
    if (list && list.length !== 1) this.fail(`has ${key} ${JSON.stringify(list)}, expected one integer`);
    return list?.[0];
  }

  /** A 2-D window: `n` stays a number, `[a, b]` stays a pair (`[a, a]` is written as `a`). */
  pair(key: string): number | [number, number] | undefined {
    const list = this.ints(key);
    if (!list) return undefined;
    if (list.length === 1 || (list.length === 2 && list[0] === list[1])) return list[0];
    if (list.length !== 2) this.fail(`has ${key} ${JSON.stringify(list)}, expected one or two integers`);
    return [list[0]!, list[1]!];
  }

  activation(key = 'activation'): Activation | 'leakyRelu' | undefined {
    const value = this.config[key];
    if (value === undefined || value === null) return undefined;
    const name = typeof value === 'string' ? value : isObject(value) ? value.className : undefined;
    if (typeof name !== 'string') this.fail(`has ${key} ${JSON.stringify(value)}, which is not an activation name`);
    const found = ACTIVATION_ALIASES[toCamelCase(name).toLowerCase()];
    if (!found) this.fail(`uses activation '${name}', which TensorFlow.js does not provide`);
    return found;
  }

  initializer(key: string): Initializer | undefined {
    const value = this.config[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') {
      const found = INITIALIZER_CLASSES[toCamelCase(value).toLowerCase()];
      if (!found) this.warn(`initializer ${key} '${value}' is not supported; the default is used`);
      return found;
    }
    if (!isObject(value) || typeof value.className !== 'string') {
      this.warn(`initializer ${key} ${JSON.stringify(value)} is not understood; the default is used`);
      return undefined;
    }
    const args = isObject(value.config) ? value.config : {};
    if (value.className === 'VarianceScaling') return this.varianceScaling(key, args);
    const found = INITIALIZER_CLASSES[value.className.toLowerCase()];
    if (!found) {
      this.warn(`initializer ${key} ${value.className} is not supported; the default is used`);
      return undefined;
    }
    const defaults = INITIALIZER_DEFAULTS[found] ?? {};
    const changed = Object.keys(defaults).filter((k) => args[k] !== undefined && args[k] !== defaults[k]);
    if (changed.length > 0) {
      this.warn(`initializer ${key} ${value.className} loses its ${changed.join(', ')} (tfjs defaults are used)`);
    }
    return found;
  }

  private varianceScaling(key: string, args: Obj): Initializer | undefined {
    const scale = args.scale ?? 1;
    const mode = toCamelCase(String(args.mode ?? 'fan_in'));
    const distribution = toCamelCase(String(args.distribution ?? 'normal'));
    const uniform = distribution === 'uniform';
    const normal = distribution === 'normal' || distribution === 'truncatedNormal';
    const family = scale === 1 && mode === 'fanAvg' ? 'glorot' : scale === 2 && mode === 'fanIn' ? 'he' : scale === 1 && mode === 'fanIn' ? 'leCun' : null;
    if (family && (uniform || normal)) return `${family}${uniform ? 'Uniform' : 'Normal'}` as Initializer;
    this.warn(`initializer ${key} VarianceScaling(scale=${String(scale)}, mode=${String(args.mode)}, distribution=${String(args.distribution)}) has no named equivalent; the default is used`);
    return undefined;
  }

  regularizer(key: string): { l1: number; l2: number } | undefined {
    const value = this.config[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') {
      const name = value.toLowerCase().replace(/_/g, '');
      if (name === 'l1') return { l1: 0.01, l2: 0 };
      if (name === 'l2') return { l1: 0, l2: 0.01 };
      if (name === 'l1l2') return { l1: 0.01, l2: 0.01 };
    }
    if (isObject(value) && isObject(value.config)) {
      const { l1, l2 } = value.config;
      const factor = (v: unknown) => (typeof v === 'number' ? v : 0);
      if (['L1L2', 'L1', 'L2'].includes(String(value.className))) return { l1: factor(l1), l2: factor(l2) };
    }
    this.warn(`regularizer ${key} ${JSON.stringify(value)} is not supported and was dropped`);
    return undefined;
  }

  /** Initializers the spec does not offer for this layer: fine when they are tfjs's defaults. */
  expectInitializers(defaults: Record<string, Initializer>): void {
    for (const [key, expected] of Object.entries(defaults)) {
      if (!this.has(key)) continue;
      const warnings = this.warnings.length;
      const found = this.initializer(key);
      this.warnings.length = warnings;
      if (found !== expected) this.warn(`${toSnakeKey(key)} is not supported and was dropped (tfjs's default is used)`);
    }
  }

  /** Settings with no effect on shapes or parameters that the spec cannot hold. */
  dropUnsupported(keys: string[]): void {
    for (const key of keys) {
      if (this.has(key)) this.warn(`${toSnakeKey(key)} is not supported and was dropped`);
    }
  }

  requireChannelsLast(): void {
    const format = this.string('dataFormat');
    if (format !== undefined && format !== 'channelsLast') {
      this.fail(`uses data_format ${String(this.config.dataFormat)}; only channels_last is supported`);
    }
  }

  padding(): 'valid' | 'same' | undefined {
    const padding = this.string('padding');
    if (padding === undefined || padding === 'valid' || padding === 'same') return padding;
    this.fail(`uses padding '${String(this.config.padding)}'; only 'valid' and 'same' are supported`);
  }
}

function toSnakeKey(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function defined<T extends Obj>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}

function weightOptions(r: LayerReader) {
  r.dropUnsupported(['kernelConstraint', 'biasConstraint', 'activityRegularizer']);
  return defined({
    useBias: r.boolean('useBias'),
    kernelInitializer: r.initializer('kernelInitializer'),
    biasInitializer: r.initializer('biasInitializer'),
    kernelRegularizer: r.regularizer('kernelRegularizer'),
    biasRegularizer: r.regularizer('biasRegularizer'),
  });
}

/** An activation option; leakyRelu (a Keras 3 activation) becomes a separate layer after it. */
function withActivation(r: LayerReader, name: string | undefined, layer: Obj): LayerInput[] {
  const activation = r.activation();
  if (activation !== 'leakyRelu') return [{ ...layer, ...defined({ activation }) } as LayerInput];
  r.warn(`activation leaky_relu became a separate leakyRelu activation layer (alpha 0.2, Keras's default)`);
  return [layer as LayerInput, { type: 'activation', activation: 'leakyRelu', alpha: 0.2, ...(name ? { name: `${name}_leaky_relu` } : {}) }];
}

function recurrentOptions(r: LayerReader, type: 'simpleRNN' | 'lstm' | 'gru'): Obj {
  if (r.boolean('returnState')) r.fail('returns its states; only the output can be imported');
  if (r.boolean('stateful')) r.fail('is stateful, which is not supported');
  r.dropUnsupported(['kernelConstraint', 'recurrentConstraint', 'biasConstraint', 'activityRegularizer']);
  if (r.boolean('unroll')) r.warn('unroll is ignored by TensorFlow.js and was dropped');
  const activation = r.activation();
  if (activation === 'leakyRelu') r.fail('uses activation leaky_relu, which a recurrent layer cannot take');
  const options: Obj = {
    type,
    units: r.number('units'),
    activation,
    useBias: r.boolean('useBias'),
    kernelInitializer: r.initializer('kernelInitializer'),
    recurrentInitializer: r.initializer('recurrentInitializer'),
    biasInitializer: r.initializer('biasInitializer'),
    kernelRegularizer: r.regularizer('kernelRegularizer'),
    recurrentRegularizer: r.regularizer('recurrentRegularizer'),
    biasRegularizer: r.regularizer('biasRegularizer'),
    dropout: r.number('dropout'),
    recurrentDropout: r.number('recurrentDropout'),
    returnSequences: r.boolean('returnSequences'),
    goBackwards: r.boolean('goBackwards'),
  };
  if (type !== 'simpleRNN') {
    const recurrentActivation = r.activation('recurrentActivation');
    if (recurrentActivation === 'leakyRelu') r.fail('uses recurrent_activation leaky_relu, which is not supported');
    options.recurrentActivation = recurrentActivation;
  }
  if (type === 'lstm') options.unitForgetBias = r.boolean('unitForgetBias');
  if (type === 'gru' && r.boolean('resetAfter')) {
    r.warn('uses reset_after=True (the Keras 2.3+ default), which TensorFlow.js does not support; imported with reset_after=False, which has one bias per gate instead of two');
  }
  return defined(options);
}

/** One Keras layer as spec layers (usually one; a dense layer with leaky_relu makes two). */
function importLayer(r: LayerReader, name: string | undefined): LayerInput[] {
  const common = defined({ name, trainable: r.boolean('trainable') });
  const one = (layer: Obj): LayerInput[] => [{ ...common, ...defined(layer) } as LayerInput];
  switch (r.className) {
    case 'Dense':
      return withActivation(r, name, { ...common, type: 'dense', units: r.number('units'), ...weightOptions(r) });
    case 'Conv1D':
      if (r.number('groups') !== undefined && r.number('groups') !== 1) r.fail('uses groups, which is not supported');
      r.requireChannelsLast();
      return withActivation(r, name, {
        ...common,
        type: 'conv1d',
        filters: r.number('filters'),
        kernelSize: r.one('kernelSize'),
        ...defined({ strides: r.one('strides'), padding: r.padding(), dilationRate: r.one('dilationRate') }),
        ...weightOptions(r),
      });
    case 'Conv2D':
      if (r.number('groups') !== undefined && r.number('groups') !== 1) r.fail('uses groups, which is not supported');
      r.requireChannelsLast();
      return withActivation(r, name, {
        ...common,
        type: 'conv2d',
        filters: r.number('filters'),
        kernelSize: r.pair('kernelSize'),
        ...defined({ strides: r.pair('strides'), padding: r.padding(), dilationRate: r.pair('dilationRate') }),
        ...weightOptions(r),
      });
    case 'Conv2DTranspose': {
      r.requireChannelsLast();
      const dilation = r.pair('dilationRate');
      if (dilation !== undefined && dilation !== 1) r.fail('uses dilation_rate, which tfjs’s Conv2DTranspose does not support');
      if (r.has('outputPadding')) r.fail('uses output_padding, which tfjs does not support');
      return withActivation(r, name, {
        ...common,
        type: 'conv2dTranspose',
        filters: r.number('filters'),
        kernelSize: r.pair('kernelSize'),
        ...defined({ strides: r.pair('strides'), padding: r.padding() }),
        ...weightOptions(r),
      });
    }
    case 'SeparableConv2D':
      r.requireChannelsLast();
      r.expectInitializers({ depthwiseInitializer: 'glorotUniform', pointwiseInitializer: 'glorotUniform', biasInitializer: 'zeros' });
      r.dropUnsupported(['depthwiseRegularizer', 'pointwiseRegularizer', 'biasRegularizer', 'depthwiseConstraint', 'pointwiseConstraint', 'biasConstraint', 'activityRegularizer']);
      return withActivation(r, name, {
        ...common,
        type: 'separableConv2d',
        filters: r.number('filters'),
        kernelSize: r.pair('kernelSize'),
        ...defined({
          strides: r.pair('strides'),
          padding: r.padding(),
          dilationRate: r.pair('dilationRate'),
          depthMultiplier: r.number('depthMultiplier'),
          useBias: r.boolean('useBias'),
        }),
      });
    case 'DepthwiseConv2D': {
      r.requireChannelsLast();
      const dilation = r.pair('dilationRate');
      if (dilation !== undefined && dilation !== 1) r.fail('uses dilation_rate, which tfjs’s DepthwiseConv2D does not apply');
      r.expectInitializers({ depthwiseInitializer: 'glorotNormal', biasInitializer: 'zeros' });
      r.dropUnsupported(['depthwiseRegularizer', 'biasRegularizer', 'biasConstraint', 'activityRegularizer']);
      return withActivation(r, name, {
        ...common,
        type: 'depthwiseConv2d',
        kernelSize: r.pair('kernelSize'),
        ...defined({
          strides: r.pair('strides'),
          padding: r.padding(),
          depthMultiplier: r.number('depthMultiplier'),
          useBias: r.boolean('useBias'),
        }),
      });
    }
    case 'MaxPooling1D':
    case 'MaxPool1D':
    case 'AveragePooling1D':
    case 'AvgPool1D':
      r.requireChannelsLast();
      return one({
        type: r.className.startsWith('Max') ? 'maxPooling1d' : 'averagePooling1d',
        poolSize: r.one('poolSize'),
        strides: r.one('strides'),
        padding: r.padding(),
      });
    case 'MaxPooling2D':
    case 'MaxPool2D':
    case 'AveragePooling2D':
    case 'AvgPool2D':
      r.requireChannelsLast();
      return one({
        type: r.className.startsWith('Max') ? 'maxPooling2d' : 'averagePooling2d',
        poolSize: r.pair('poolSize'),
        strides: r.pair('strides'),
        padding: r.padding(),
      });
    case 'GlobalAveragePooling1D':
    case 'GlobalAvgPool1D':
    case 'GlobalMaxPooling1D':
    case 'GlobalMaxPool1D':
    case 'GlobalAveragePooling2D':
    case 'GlobalAvgPool2D':
    case 'GlobalMaxPooling2D':
    case 'GlobalMaxPool2D': {
      r.requireChannelsLast();
      if (r.boolean('keepdims')) r.fail('keeps the pooled dimensions (keepdims), which tfjs does not support');
      const max = r.className.startsWith('GlobalMax');
      const twoD = r.className.endsWith('2D');
      return one({
        type: `global${max ? 'Max' : 'Average'}Pooling${twoD ? '2d' : '1d'}` as 'globalMaxPooling2d',
      });
    }
    case 'UpSampling2D':
      r.requireChannelsLast();
      return one({ type: 'upSampling2d', size: r.pair('size'), interpolation: r.string('interpolation') });
    case 'ZeroPadding2D':
      r.requireChannelsLast();
      return one({ type: 'zeroPadding2d', padding: r.config.padding ?? undefined });
    case 'Cropping2D':
      r.requireChannelsLast();
      return one({ type: 'cropping2d', cropping: r.config.cropping ?? undefined });
    case 'Flatten':
      r.requireChannelsLast();
      return one({ type: 'flatten' });
    case 'Reshape': {
      const target = r.ints('targetShape') ?? r.fail('has no target_shape');
      return one({ type: 'reshape', targetShape: target.map((d) => (d < 0 ? -1 : d)) });
    }
    case 'Permute':
      return one({ type: 'permute', dims: r.ints('dims') });
    case 'RepeatVector':
      return one({ type: 'repeatVector', n: r.number('n') });
    case 'Dropout':
      r.dropUnsupported(['noiseShape']);
      return one({ type: 'dropout', rate: r.number('rate') });
    case 'SpatialDropout1D':
      return one({ type: 'spatialDropout1d', rate: r.number('rate') });
    case 'GaussianNoise':
      return one({ type: 'gaussianNoise', stddev: r.number('stddev') });
    case 'GaussianDropout':
      return one({ type: 'gaussianDropout', rate: r.number('rate') });
    case 'BatchNormalization': {
      readLastAxis(r);
      if (r.boolean('center') === false || r.boolean('scale') === false) {
        r.warn('has center or scale off, which tfjs cannot train; imported with both on (adds gamma/beta parameters)');
      }
      r.dropUnsupported(['betaRegularizer', 'gammaRegularizer', 'betaConstraint', 'gammaConstraint']);
      return one({ type: 'batchNormalization', momentum: r.number('momentum'), epsilon: r.number('epsilon') });
    }
    case 'LayerNormalization': {
      readLastAxis(r);
      r.dropUnsupported(['betaRegularizer', 'gammaRegularizer']);
      return one({
        type: 'layerNormalization',
        epsilon: r.number('epsilon'),
        center: r.boolean('center'),
        scale: r.boolean('scale'),
      });
    }
    case 'Embedding':
      r.dropUnsupported(['embeddingsConstraint', 'activityRegularizer']);
      return one({
        type: 'embedding',
        inputDim: r.number('inputDim'),
        outputDim: r.number('outputDim'),
        maskZero: r.boolean('maskZero'),
        embeddingsInitializer: r.initializer('embeddingsInitializer'),
        embeddingsRegularizer: r.regularizer('embeddingsRegularizer'),
      });
    case 'SimpleRNN':
      return one(recurrentOptions(r, 'simpleRNN'));
    case 'LSTM':
      return one(recurrentOptions(r, 'lstm'));
    case 'GRU':
      return one(recurrentOptions(r, 'gru'));
    case 'Bidirectional': {
      const inner = r.config.layer;
      if (!isObject(inner) || typeof inner.className !== 'string' || !isObject(inner.config)) r.fail('has no wrapped layer');
      const types: Record<string, 'simpleRNN' | 'lstm' | 'gru'> = { SimpleRNN: 'simpleRNN', LSTM: 'lstm', GRU: 'gru' };
      const type = types[inner.className] ?? r.fail(`wraps ${inner.className}; only SimpleRNN, LSTM and GRU can be bidirectional`);
      const innerReader = new LayerReader(inner.className, inner.config, `${r.where} > wrapped layer`, r.context);
      const { trainable: _ignored, ...layer } = recurrentOptions(innerReader, type);
      const mergeMode = r.string('mergeMode');
      if (r.config.mergeMode === null) r.fail('has merge_mode None (two outputs), which a sequential model cannot pass on');
      if (r.has('backwardLayer')) r.fail('has a custom backward_layer, which is not supported');
      return one({ type: 'bidirectional', layer, mergeMode });
    }
    case 'Activation': {
      const activation = r.activation() ?? 'linear';
      return one({ type: 'activation', activation, ...(activation === 'leakyRelu' ? { alpha: 0.2 } : {}) });
    }
    case 'LeakyReLU':
      // tfjs and Keras 2 call the slope alpha, Keras 3 negative_slope.
      return one({ type: 'activation', activation: 'leakyRelu', alpha: r.number('alpha') ?? r.number('negativeSlope') ?? 0.3 });
    case 'ReLU': {
      const max = r.number('maxValue');
      if ((r.number('negativeSlope') ?? 0) !== 0 || (r.number('threshold') ?? 0) !== 0 || (max !== undefined && max !== 6)) {
        r.fail('has a slope, threshold or max_value other than 6, which no tfjs activation matches');
      }
      return one({ type: 'activation', activation: max === 6 ? 'relu6' : 'relu' });
    }
    case 'ELU':
      if ((r.number('alpha') ?? 1) !== 1) r.fail('has alpha other than 1, which tfjs does not support');
      return one({ type: 'activation', activation: 'elu' });
    case 'Softmax': {
      const axis = r.config.axis;
      if (axis !== undefined && axis !== null && axis !== -1) r.fail(`applies softmax on axis ${JSON.stringify(axis)}; only the last axis is supported`);
      return one({ type: 'activation', activation: 'softmax' });
    }
    case 'PReLU':
      r.dropUnsupported(['alphaRegularizer', 'alphaConstraint']);
      return one({ type: 'prelu', sharedAxes: r.ints('sharedAxes') });
    case 'TimeDistributed': {
      // A dense layer already applies to the last axis, which is what TimeDistributed(Dense) does.
      const inner = r.config.layer;
      if (!isObject(inner) || inner.className !== 'Dense' || !isObject(inner.config)) {
        r.fail('wraps a layer other than Dense, which is not supported');
      }
      r.warn('TimeDistributed(Dense) became a dense layer, which applies to the last axis the same way');
      return importLayer(new LayerReader('Dense', { ...inner.config, trainable: r.config.trainable }, r.where, r.context), name);
    }
    default:
      r.fail('is not a layer type Deepboard supports');
  }
}

/**
 * Reads a normalization axis. Keras also writes the last axis as a positive index (3 for
 * images); whether that is the last one depends on the input rank, checked after import.
 */
function readLastAxis(r: LayerReader): void {
  const axis = r.config.axis;
  const axes = Array.isArray(axis) ? axis : [axis ?? -1];
  const [only] = axes;
  if (axes.length === 1 && only === -1) return;
  if (axes.length === 1 && typeof only === 'number' && Number.isInteger(only) && only > 0) {
    r.context.axes.push({ specIndex: r.context.specIndex, axis: only, where: `${r.where} (${r.className})` });
    return;
  }
  r.fail(`normalizes axis ${JSON.stringify(axis)}; only the last axis is supported`);
}

/** Layer entries of the model in order, checking that a functional model is one chain. */
function orderedLayers(model: Obj): Obj[] {
  const className = model.className;
  const config = model.config;
  if (className === 'Sequential') {
    const layers = Array.isArray(config) ? config : isObject(config) ? config.layers : undefined;
    if (!Array.isArray(layers)) throw new KerasImportError('the Sequential model has no layers list');
    return layers.filter(isObject);
  }
  if (className !== 'Model' && className !== 'Functional') {
    throw new KerasImportError(`the model class ${String(className)} is not supported; expected Sequential, Model or Functional`);
  }
  if (!isObject(config) || !Array.isArray(config.layers)) throw new KerasImportError(`the ${className} model has no layers list`);
  const layers = config.layers.filter(isObject);
  const byName = new Map(layers.map((l) => [String(l.name ?? (isObject(l.config) ? l.config.name : '')), l]));
  const ends = (key: string): string[] => {
    const list = config[key];
    const refs = Array.isArray(list) && list.length > 0 && !Array.isArray(list[0]) ? [list] : list;
    return Array.isArray(refs) ? refs.map((ref) => String(Array.isArray(ref) ? ref[0] : ref)) : [];
  };
  const inputs = ends('inputLayers');
  const outputs = ends('outputLayers');
  if (inputs.length !== 1 || outputs.length !== 1) {
    throw new KerasImportError(`the ${className} model has ${inputs.length} inputs and ${outputs.length} outputs; only a single chain of layers (one input, one output) can be imported`);
  }
  const consumers = new Map<string, string[]>();
  for (const [name, layer] of byName) {
    const nodes = Array.isArray(layer.inboundNodes) ? layer.inboundNodes : [];
    if (nodes.length > 1) throw new KerasImportError(`layer '${name}' is used ${nodes.length} times (shared); only a single chain of layers can be imported`);
    const sources = nodes.length === 1 ? inboundNames(nodes[0]) : [];
    if (sources.length > 1) {
      throw new KerasImportError(`layer '${name}' (${String(layer.className)}) merges ${sources.length} inputs (${sources.join(', ')}); only a single chain of layers can be imported`);
    }
    for (const source of sources) consumers.set(source, [...(consumers.get(source) ?? []), name]);
  }
  const chain: Obj[] = [];
  let current: string | undefined = inputs[0]!;
  const visited = new Set<string>();
  while (current !== undefined) {
    const layer = byName.get(current);
    if (!layer || visited.has(current)) throw new KerasImportError(`the ${className} model's layer graph is broken at '${current}'`);
    visited.add(current);
    chain.push(layer);
    if (current === outputs[0]) break;
    const next: string[] = consumers.get(current) ?? [];
    if (next.length !== 1) {
      throw new KerasImportError(
        next.length === 0
          ? `layer '${current}' leads nowhere before the output '${outputs[0]}'`
          : `layer '${current}' feeds ${next.length} layers (${next.join(', ')}); only a single chain of layers can be imported`,
      );
    }
    current = next[0];
  }
  if (visited.size !== byName.size) {
    const stray = [...byName.keys()].filter((n) => !visited.has(n));
    throw new KerasImportError(`layers ${stray.join(', ')} are not on the path from input to output; only a single chain can be imported`);
  }
  return chain;
}

/** Names of the layers a node reads from: Keras 2 / tfjs `[[name, 0, 0, {}], ...]` or Keras 3 `keras_history`. */
function inboundNames(node: unknown): string[] {
  const names: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      if (value.length >= 3 && typeof value[0] === 'string' && typeof value[1] === 'number' && typeof value[2] === 'number') {
        names.push(value[0]);
        return;
      }
      value.forEach(visit);
    } else if (isObject(value)) {
      if (Array.isArray(value.kerasHistory) && typeof value.kerasHistory[0] === 'string') {
        names.push(value.kerasHistory[0]);
        return;
      }
      // A Keras 3 node is { args: [tensor...], kwargs }, a tensor { class_name, config: { keras_history } }.
      visit(value.args);
      visit(value.config);
    }
  };
  visit(node);
  return names;
}

function inputShapeOf(config: Obj): unknown[] | undefined {
  const batch = config.batchInputShape ?? config.batchShape;
  if (Array.isArray(batch)) return batch.slice(1);
  if (Array.isArray(config.inputShape)) return config.inputShape;
  return undefined;
}

/** Imports Keras / TensorFlow.js topology JSON as a sequential spec (see the module comment). */
export function importKerasJson(json: unknown): KerasImportResult {
  const model = findModel(json);
  if (!model) {
    throw new KerasImportError('not Keras or TensorFlow.js model JSON: expected class_name and config (or modelTopology)');
  }
  const context: ImportContext = { warnings: [], axes: [], specIndex: 0 };
  const warnings = context.warnings;
  const entries = orderedLayers(model);
  if (entries.length === 0) throw new KerasImportError('the model has no layers');
  const config = isObject(model.config) ? model.config : {};
  const modelName = typeof config.name === 'string' ? config.name : undefined;

  const layers: LayerInput[] = [];
  entries.forEach((entry, i) => {
    const className = String(entry.className);
    const layerConfig = isObject(entry.config) ? entry.config : {};
    const rawName = layerConfig.name ?? entry.name;
    const where = `layer ${i} '${String(rawName ?? '?')}'`;
    let name: string | undefined;
    if (typeof rawName === 'string') {
      if (ZLayerName.safeParse(rawName).success) name = rawName;
      else warnings.push(`${where} (${className}): the name is not a valid layer name and was dropped`);
    }
    if (i === 0) {
      // Keras 3 keeps the shape of a Sequential built without an InputLayer in build_input_shape.
      const built = Array.isArray(config.buildInputShape) ? config.buildInputShape.slice(1) : undefined;
      const shape = inputShapeOf(layerConfig) ?? built;
      if (!shape) throw new KerasImportError(`${where} (${className}) has no input shape (batch_input_shape); the model cannot be built`);
      const dtypeValue = layerConfig.dtype;
      const dtype = typeof dtypeValue === 'string' ? dtypeValue : isObject(dtypeValue) && isObject(dtypeValue.config) ? dtypeValue.config.name : 'float32';
      // An embedding reads token ids; Keras feeds them as floats and casts, tfjs needs int32 inputs.
      const next = className === 'InputLayer' ? entries[1] : entry;
      const int32 = dtype === 'int32' || next?.className === 'Embedding';
      layers.push({
        type: 'input',
        ...(className === 'InputLayer' && name ? { name } : {}),
        shape: shape as (number | null)[],
        dtype: int32 ? 'int32' : 'float32',
      });
      if (className === 'InputLayer') {
        if (layerConfig.sparse === true || layerConfig.ragged === true) throw new KerasImportError(`${where} (InputLayer) is sparse or ragged, which is not supported`);
        return;
      }
    }
    context.specIndex = layers.length;
    layers.push(...importLayer(new LayerReader(className, layerConfig, where, context), name));
  });

  const parsed = ZArchitectureSpec.safeParse({ kind: 'sequential', layers });
  if (!parsed.success) throw new KerasImportError(`the imported layers are not a valid spec: ${formatSpecIssues(parsed.error)}`);
  checkAxes(parsed.data, context);
  return { spec: parsed.data, warnings, modelName };
}

function checkAxes(spec: ArchitectureSpec, context: ImportContext): void {
  if (context.axes.length === 0) return;
  // An impossible model fails later with inference's own message; only a buildable one is checked here.
  const result = checkArchitecture(spec);
  if (!result.ok) return;
  for (const { specIndex, axis, where } of context.axes) {
    const row = result.summary.layers.find((l) => l.index === specIndex);
    if (row && row.inputShape.length !== axis) {
      throw new KerasImportError(`${where} normalizes axis ${axis} of ${row.inputShape.length}; only the last axis is supported`);
    }
  }
}
