/**
 * Shape inference and parameter counting for architecture specs, in pure TypeScript.
 *
 * Every formula mirrors what TensorFlow.js 4.22 (tfjs-layers) builds — output shapes from each
 * layer's computeOutputShape, parameter counts from the weights its build() adds — so the editor
 * can show a Keras-style summary without loading tfjs. worker/model/build.test.ts holds the two
 * side by side. Shapes omit the batch axis; `null` is an unknown (variable) length.
 *
 * A spec that cannot be built fails with an ArchitectureError naming the part, layer index,
 * name and type, the shape the layer gets and what it needs. Nothing else is thrown for a
 * schema-valid spec.
 */
import { InvalidInputError } from '../errors';
import { edges, pair, specParts, type ArchitectureKind, type ArchitectureSpec, type Layer, type LayerOf, type LayerType, type PartName, type RecurrentCore, type SpecPart } from './spec';

export type Dim = number | null;
export type Shape = Dim[];

export interface LayerSummary {
  part: PartName;
  /** Index in the part's layer list (the input layer, when there is one, is 0). */
  index: number;
  name: string;
  type: LayerType;
  inputShape: Shape;
  outputShape: Shape;
  params: number;
  trainableParams: number;
  nonTrainableParams: number;
}

export interface PartSummary {
  part: PartName;
  inputShape: Shape;
  inputDtype: 'float32' | 'int32';
  /** Name of the input: the input layer's, or `<part>_input` for a part fed by another part. */
  inputName: string;
  outputShape: Shape;
  layers: LayerSummary[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
}

export interface ArchitectureSummary {
  kind: ArchitectureKind;
  parts: PartSummary[];
  /** All parts' layers in order. */
  layers: LayerSummary[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
}

export type ArchitectureIssueCode =
  | 'missing-input'
  | 'misplaced-input'
  | 'no-layers'
  | 'duplicate-name'
  | 'input-rank'
  | 'unknown-dimension'
  | 'window-too-large'
  | 'empty-output'
  | 'strides-with-dilation'
  | 'reshape-size'
  | 'permute-dims'
  | 'prelu-axes'
  | 'embedding-position'
  | 'embedding-dtype'
  | 'int32-input'
  | 'softmax-single-unit'
  | 'alpha-without-leaky-relu'
  | 'too-large'
  | 'reconstruction-shape'
  | 'discriminator-output'
  | 'policy-output'
  | 'value-output';

export interface ArchitectureIssue {
  code: ArchitectureIssueCode;
  part: PartName;
  layerIndex: number;
  layerName: string;
  layerType: LayerType;
  /** The shape the layer receives (its own shape for an input layer). */
  inputShape: Shape | null;
  /** Full sentence, e.g. "layer 2 'c1' (conv2d) needs a 3-D input [height, width, channels] but gets [8]". */
  message: string;
}

export class ArchitectureError extends InvalidInputError {
  readonly issue: ArchitectureIssue;
  constructor(issue: ArchitectureIssue) {
    super(issue.message);
    this.name = 'ArchitectureError';
    this.issue = issue;
  }
}

export type InferResult = { ok: true; summary: ArchitectureSummary } | { ok: false; issue: ArchitectureIssue };

/** Keras-style base names; the second dense layer is `dense_1`, and so on. */
export const DEFAULT_LAYER_NAMES: Record<LayerType, string> = {
  input: 'input',
  dense: 'dense',
  conv1d: 'conv1d',
  conv2d: 'conv2d',
  conv2dTranspose: 'conv2d_transpose',
  separableConv2d: 'separable_conv2d',
  depthwiseConv2d: 'depthwise_conv2d',
  maxPooling1d: 'max_pooling1d',
  averagePooling1d: 'average_pooling1d',
  maxPooling2d: 'max_pooling2d',
  averagePooling2d: 'average_pooling2d',
  globalAveragePooling1d: 'global_average_pooling1d',
  globalMaxPooling1d: 'global_max_pooling1d',
  globalAveragePooling2d: 'global_average_pooling2d',
  globalMaxPooling2d: 'global_max_pooling2d',
  upSampling2d: 'up_sampling2d',
  zeroPadding2d: 'zero_padding2d',
  cropping2d: 'cropping2d',
  flatten: 'flatten',
  reshape: 'reshape',
  permute: 'permute',
  repeatVector: 'repeat_vector',
  dropout: 'dropout',
  spatialDropout1d: 'spatial_dropout1d',
  gaussianNoise: 'gaussian_noise',
  gaussianDropout: 'gaussian_dropout',
  batchNormalization: 'batch_normalization',
  layerNormalization: 'layer_normalization',
  embedding: 'embedding',
  simpleRNN: 'simple_rnn',
  lstm: 'lstm',
  gru: 'gru',
  bidirectional: 'bidirectional',
  activation: 'activation',
  prelu: 'prelu',
};

/** Name of the input a part gets from another part (tfjs needs it to be unique in the model). */
export function derivedInputName(part: PartName): string {
  return `${part}_input`;
}

/** Name of the recurrent layer inside a bidirectional wrapper (tfjs adds forward_/backward_). */
export function innerRecurrentName(wrapperName: string, inner: RecurrentCore): string {
  return `${wrapperName}_${DEFAULT_LAYER_NAMES[inner.type]}`;
}

export function formatShape(shape: Shape): string {
  return `[${shape.map((d) => (d === null ? 'null' : String(d))).join(', ')}]`;
}

const MAX_DIMENSION = 2 ** 31 - 1;

const PART_TITLES: Record<PartName, string> = {
  model: 'model',
  encoder: 'encoder',
  decoder: 'decoder',
  generator: 'generator',
  discriminator: 'discriminator',
  policy: 'policy network',
  value: 'value network',
};

interface LayerRef {
  part: PartName;
  index: number;
  name: string;
  type: LayerType;
}

/** The layer being inferred: everything a rule needs to compute its output or to fail. */
class LayerContext {
  constructor(
    readonly ref: LayerRef,
    readonly input: Shape,
    readonly multiPart: boolean,
    /** The previous layer in the part, for hints. */
    readonly previous: { ref: LayerRef; layer: Layer } | undefined,
  ) {}

  fail(code: ArchitectureIssueCode, reason: string): never {
    throw new ArchitectureError({
      code,
      part: this.ref.part,
      layerIndex: this.ref.index,
      layerName: this.ref.name,
      layerType: this.ref.type,
      inputShape: this.input,
      message: `${describeLayer(this.ref, this.multiPart)} ${reason}`,
    });
  }

  /** Requires an input of exactly `rank` dimensions, described like `[height, width, channels]`. */
  rank(rank: number, axes: string): void {
    if (this.input.length === rank) return;
    let hint = '';
    const previous = this.previous;
    if (rank === 2 && this.input.length === 1 && previous && isRecurrent(previous.layer) && !returnsSequences(previous.layer)) {
      hint = `; set returnSequences: true on ${describeLayer(previous.ref, false)} to pass on every time step`;
    }
    this.fail('input-rank', `needs a ${rank}-D input ${axes} but gets ${formatShape(this.input)}${hint}`);
  }

  /** Requires a known size at `axis` (negative counts from the end), named like `channel dimension`. */
  known(axis: number, what: string): number {
    const dim = this.input.at(axis);
    if (dim === null || dim === undefined) {
      this.fail('unknown-dimension', `needs a known ${what} but gets ${formatShape(this.input)}`);
    }
    return dim;
  }
}

export function describeLayer(ref: LayerRef, withPart: boolean): string {
  const where = withPart ? `${PART_TITLES[ref.part]} ` : '';
  return `${where}layer ${ref.index} '${ref.name}' (${ref.type})`;
}

function isRecurrent(layer: Layer): boolean {
  return layer.type === 'simpleRNN' || layer.type === 'lstm' || layer.type === 'gru' || layer.type === 'bidirectional';
}

function returnsSequences(layer: Layer): boolean {
  if (layer.type === 'bidirectional') return layer.layer.returnSequences;
  return 'returnSequences' in layer && layer.returnSequences === true;
}

/** Weights a layer creates, split the way tfjs builds them (before `trainable: false` applies). */
interface LayerResult {
  output: Shape;
  trainable: number;
  nonTrainable?: number;
}

function product(values: number[]): number {
  return values.reduce((a, b) => a * b, 1);
}

/** tfjs's convOutputLength: the output size of a sliding window along one axis. */
function slide(ctx: LayerContext, size: Dim, window: number, stride: number, padding: 'valid' | 'same', dilation: number, axisName: string, windowName: string): Dim {
  if (size === null) return null;
  const span = window + (window - 1) * (dilation - 1);
  const length = padding === 'same' ? size : size - span + 1;
  if (length <= 0) {
    const spans = dilation > 1 ? ` dilated by ${dilation} (spanning ${span})` : '';
    ctx.fail('window-too-large', `with ${windowName} ${window}${spans} and 'valid' padding needs at least ${span} along ${axisName} but gets ${formatShape(ctx.input)}`);
  }
  return Math.floor((length + stride - 1) / stride);
}

/** tfjs's deconvLength for Conv2DTranspose. */
function deconv(size: Dim, stride: number, kernel: number, padding: 'valid' | 'same'): Dim {
  if (size === null) return null;
  return padding === 'valid' ? size * stride + Math.max(kernel - stride, 0) : size * stride;
}

function checkStridesWithDilation(ctx: LayerContext, strides: number[], dilation: number[]): void {
  // tfjs-core's conv kernels assert that either every stride or every dilation is 1.
  if (strides.some((s) => s > 1) && dilation.some((d) => d > 1)) {
    ctx.fail('strides-with-dilation', `cannot combine strides ${formatPair(strides)} with dilationRate ${formatPair(dilation)}: TensorFlow.js needs one of them to be 1`);
  }
}

function formatPair(values: number[]): string {
  return values.length === 1 || values.every((v) => v === values[0]) ? String(values[0]) : `[${values.join(', ')}]`;
}

const IMAGE = '[height, width, channels]';
const SEQUENCE = '[steps, channels]';

function conv2dSpatial(ctx: LayerContext, kernelSize: [number, number], strides: [number, number], padding: 'valid' | 'same', dilation: [number, number]): [Dim, Dim] {
  return [
    slide(ctx, ctx.input[0] ?? null, kernelSize[0], strides[0], padding, dilation[0], 'height', 'kernel'),
    slide(ctx, ctx.input[1] ?? null, kernelSize[1], strides[1], padding, dilation[1], 'width', 'kernel'),
  ];
}

function pool2d(ctx: LayerContext, layer: LayerOf<'maxPooling2d'> | LayerOf<'averagePooling2d'>): LayerResult {
  ctx.rank(3, IMAGE);
  const size = pair(layer.poolSize);
  const strides = pair(layer.strides ?? layer.poolSize);
  const h = slide(ctx, ctx.input[0] ?? null, size[0], strides[0], layer.padding, 1, 'height', 'pool size');
  const w = slide(ctx, ctx.input[1] ?? null, size[1], strides[1], layer.padding, 1, 'width', 'pool size');
  return { output: [h, w, ctx.input[2] ?? null], trainable: 0 };
}

function pool1d(ctx: LayerContext, layer: LayerOf<'maxPooling1d'> | LayerOf<'averagePooling1d'>): LayerResult {
  ctx.rank(2, SEQUENCE);
  const steps = slide(ctx, ctx.input[0] ?? null, layer.poolSize, layer.strides ?? layer.poolSize, layer.padding, 1, 'steps', 'pool size');
  return { output: [steps, ctx.input[1] ?? null], trainable: 0 };
}

/** Weights of one recurrent layer: kernel, recurrent kernel and bias per gate. */
function recurrentParams(layer: RecurrentCore, inputDim: number): number {
  const gates = layer.type === 'lstm' ? 4 : layer.type === 'gru' ? 3 : 1;
  const u = layer.units;
  return gates * (inputDim * u + u * u + (layer.useBias ? u : 0));
}

function recurrent(ctx: LayerContext, layer: RecurrentCore): LayerResult {
  ctx.rank(2, '[steps, features]');
  const features = ctx.known(-1, 'feature dimension (last axis)');
  const output = layer.returnSequences ? [ctx.input[0] ?? null, layer.units] : [layer.units];
  return { output, trainable: recurrentParams(layer, features) };
}

function inferLayerResult(layer: Layer, ctx: LayerContext): LayerResult {
  const input = ctx.input;
  switch (layer.type) {
    case 'input':
      // Handled by the part walker; an input layer elsewhere is rejected before this point.
      return { output: input, trainable: 0 };
    case 'dense': {
      // Like tfjs, a dense layer on a 2-D or 3-D input applies to the last axis.
      const inDim = ctx.known(-1, 'last dimension (features)');
      return {
        output: [...input.slice(0, -1), layer.units],
        trainable: inDim * layer.units + (layer.useBias ? layer.units : 0),
      };
    }
    case 'conv1d': {
      ctx.rank(2, SEQUENCE);
      const channels = ctx.known(-1, 'channel dimension (last axis)');
      checkStridesWithDilation(ctx, [layer.strides], [layer.dilationRate]);
      const steps = slide(ctx, input[0] ?? null, layer.kernelSize, layer.strides, layer.padding, layer.dilationRate, 'steps', 'kernel');
      return {
        output: [steps, layer.filters],
        trainable: layer.kernelSize * channels * layer.filters + (layer.useBias ? layer.filters : 0),
      };
    }
    case 'conv2d': {
      ctx.rank(3, IMAGE);
      const channels = ctx.known(-1, 'channel dimension (last axis)');
      const kernel = pair(layer.kernelSize);
      const strides = pair(layer.strides);
      const dilation = pair(layer.dilationRate);
      checkStridesWithDilation(ctx, strides, dilation);
      const [h, w] = conv2dSpatial(ctx, kernel, strides, layer.padding, dilation);
      return {
        output: [h, w, layer.filters],
        trainable: kernel[0] * kernel[1] * channels * layer.filters + (layer.useBias ? layer.filters : 0),
      };
    }
    case 'conv2dTranspose': {
      ctx.rank(3, IMAGE);
      const channels = ctx.known(-1, 'channel dimension (last axis)');
      const kernel = pair(layer.kernelSize);
      const strides = pair(layer.strides);
      return {
        output: [deconv(input[0] ?? null, strides[0], kernel[0], layer.padding), deconv(input[1] ?? null, strides[1], kernel[1], layer.padding), layer.filters],
        trainable: kernel[0] * kernel[1] * layer.filters * channels + (layer.useBias ? layer.filters : 0),
      };
    }
    case 'separableConv2d': {
      ctx.rank(3, IMAGE);
      const channels = ctx.known(-1, 'channel dimension (last axis)');
      const kernel = pair(layer.kernelSize);
      const strides = pair(layer.strides);
      const dilation = pair(layer.dilationRate);
      checkStridesWithDilation(ctx, strides, dilation);
      const [h, w] = conv2dSpatial(ctx, kernel, strides, layer.padding, dilation);
      const depthwise = kernel[0] * kernel[1] * channels * layer.depthMultiplier;
      const pointwise = channels * layer.depthMultiplier * layer.filters;
      return { output: [h, w, layer.filters], trainable: depthwise + pointwise + (layer.useBias ? layer.filters : 0) };
    }
    case 'depthwiseConv2d': {
      ctx.rank(3, IMAGE);
      const channels = ctx.known(-1, 'channel dimension (last axis)');
      const kernel = pair(layer.kernelSize);
      const [h, w] = conv2dSpatial(ctx, kernel, pair(layer.strides), layer.padding, [1, 1]);
      const outChannels = channels * layer.depthMultiplier;
      return {
        output: [h, w, outChannels],
        trainable: kernel[0] * kernel[1] * channels * layer.depthMultiplier + (layer.useBias ? outChannels : 0),
      };
    }
    case 'maxPooling1d':
    case 'averagePooling1d':
      return pool1d(ctx, layer);
    case 'maxPooling2d':
    case 'averagePooling2d':
      return pool2d(ctx, layer);
    case 'globalAveragePooling1d':
    case 'globalMaxPooling1d':
      ctx.rank(2, SEQUENCE);
      return { output: [input[1] ?? null], trainable: 0 };
    case 'globalAveragePooling2d':
    case 'globalMaxPooling2d':
      ctx.rank(3, IMAGE);
      return { output: [input[2] ?? null], trainable: 0 };
    case 'upSampling2d': {
      ctx.rank(3, IMAGE);
      const [sh, sw] = pair(layer.size);
      const h = input[0] ?? null;
      const w = input[1] ?? null;
      return { output: [h === null ? null : h * sh, w === null ? null : w * sw, input[2] ?? null], trainable: 0 };
    }
    case 'zeroPadding2d': {
      ctx.rank(3, IMAGE);
      const [[top, bottom], [left, right]] = edges(layer.padding);
      const h = input[0] ?? null;
      const w = input[1] ?? null;
      return {
        output: [h === null ? null : h + top + bottom, w === null ? null : w + left + right, input[2] ?? null],
        trainable: 0,
      };
    }
    case 'cropping2d': {
      ctx.rank(3, IMAGE);
      // tfjs computes NaN sizes when cropping an unknown size, so both must be known.
      const h = ctx.known(0, 'height');
      const w = ctx.known(1, 'width');
      const [[top, bottom], [left, right]] = edges(layer.cropping);
      const outH = h - top - bottom;
      const outW = w - left - right;
      if (outH <= 0 || outW <= 0) {
        ctx.fail('empty-output', `crops ${top + bottom} rows and ${left + right} columns from ${formatShape(input)}, which leaves nothing`);
      }
      return { output: [outH, outW, input[2] ?? null], trainable: 0 };
    }
    case 'flatten': {
      if (input.length < 2) {
        ctx.fail('input-rank', `needs an input with at least 2 dimensions but gets ${formatShape(input)}, which is already flat`);
      }
      if (input.some((d) => d === null)) {
        ctx.fail('unknown-dimension', `needs every dimension known to flatten but gets ${formatShape(input)}`);
      }
      return { output: [product(input as number[])], trainable: 0 };
    }
    case 'reshape':
      return { output: reshape(ctx, layer.targetShape), trainable: 0 };
    case 'permute': {
      const dims = layer.dims;
      const sorted = [...dims].sort((a, b) => a - b);
      if (dims.length !== input.length || sorted.some((d, i) => d !== i + 1)) {
        ctx.fail('permute-dims', `has dims [${dims.join(', ')}], which must list each axis 1..${input.length} once for its input ${formatShape(input)}`);
      }
      return { output: dims.map((d) => input[d - 1] ?? null), trainable: 0 };
    }
    case 'repeatVector':
      ctx.rank(1, '[features]');
      return { output: [layer.n, input[0] ?? null], trainable: 0 };
    case 'dropout':
    case 'gaussianNoise':
    case 'gaussianDropout':
      return { output: input, trainable: 0 };
    case 'spatialDropout1d':
      ctx.rank(2, SEQUENCE);
      return { output: input, trainable: 0 };
    case 'batchNormalization': {
      const channels = ctx.known(-1, 'last dimension (the normalized axis)');
      // gamma and beta train; the moving mean and variance are updated, not trained.
      return { output: input, trainable: 2 * channels, nonTrainable: 2 * channels };
    }
    case 'layerNormalization': {
      const channels = ctx.known(-1, 'last dimension (the normalized axis)');
      return { output: input, trainable: (layer.scale ? channels : 0) + (layer.center ? channels : 0) };
    }
    case 'embedding':
      return { output: [...input, layer.outputDim], trainable: layer.inputDim * layer.outputDim };
    case 'simpleRNN':
    case 'lstm':
    case 'gru':
      return recurrent(ctx, layer);
    case 'bidirectional': {
      const one = recurrent(ctx, layer.layer);
      const output = [...one.output];
      if (layer.mergeMode === 'concat') output[output.length - 1] = layer.layer.units * 2;
      return { output, trainable: one.trainable * 2 };
    }
    case 'activation':
      if (layer.alpha !== undefined && layer.activation !== 'leakyRelu') {
        ctx.fail('alpha-without-leaky-relu', `sets alpha, which only applies to leakyRelu, but its activation is '${layer.activation}'`);
      }
      return { output: input, trainable: 0 };
    case 'prelu': {
      const shared = new Set(layer.sharedAxes ?? []);
      for (const axis of shared) {
        if (axis > input.length) {
          ctx.fail('prelu-axes', `shares axis ${axis} but its input ${formatShape(input)} has axes 1..${input.length}`);
        }
      }
      const slopes = input.map((dim, i) => {
        if (shared.has(i + 1)) return 1;
        if (dim === null) {
          ctx.fail('unknown-dimension', `needs known sizes for the axes it does not share but gets ${formatShape(input)}`);
        }
        return dim;
      });
      return { output: input, trainable: product(slopes) };
    }
  }
}

/**
 * The reshaped size, with -1 resolved when the input size is known. (tfjs itself reports a -1
 * as unknown even then; keras.ts therefore exports the resolved size, so the built model agrees.)
 */
function reshape(ctx: LayerContext, target: number[]): Shape {
  const input = ctx.input;
  const unknownAt = target.flatMap((d, i) => (d === -1 ? [i] : []));
  if (unknownAt.length > 1) {
    ctx.fail('reshape-size', `has targetShape [${target.join(', ')}] but at most one size can be -1`);
  }
  // Like tfjs: with an unknown input size the target is taken as given.
  if (input.some((d) => d === null)) return target.map((d) => (d === -1 ? null : d));
  const size = product(input as number[]);
  const known = product(target.filter((d) => d !== -1));
  const unknown = unknownAt[0];
  if (unknown === undefined) {
    if (known !== size) {
      ctx.fail('reshape-size', `cannot reshape ${formatShape(input)} (${size} values) into [${target.join(', ')}] (${known} values)`);
    }
    return [...target];
  }
  if (size % known !== 0) {
    ctx.fail('reshape-size', `cannot reshape ${formatShape(input)} (${size} values) into [${target.join(', ')}]: ${size} is not a multiple of ${known}`);
  }
  return target.map((d) => (d === -1 ? size / known : d));
}

const SOFTMAX_LIKE = new Set(['softmax', 'logSoftmax']);

function inferLayer(layer: Layer, ctx: LayerContext): LayerSummary {
  const result = inferLayerResult(layer, ctx);
  const output = result.output;
  // A bidirectional wrapper applies its recurrent layer's activation to each direction's units.
  const [activation, width] = layer.type === 'bidirectional' ? [layer.layer.activation, layer.layer.units] : ['activation' in layer ? layer.activation : undefined, output.at(-1)];
  if (activation !== undefined && SOFTMAX_LIKE.has(activation) && width === 1) {
    ctx.fail('softmax-single-unit', `applies ${activation} over a single value, which is constant (softmax of one value is always 1); use sigmoid for one unit`);
  }
  if (output.some((d) => d !== null && d > MAX_DIMENSION)) {
    ctx.fail('too-large', `outputs ${formatShape(output)}, larger than a tensor dimension can be (${MAX_DIMENSION})`);
  }
  const created = result.trainable + (result.nonTrainable ?? 0);
  if (!Number.isSafeInteger(created)) {
    ctx.fail('too-large', `would have more parameters than can be counted exactly`);
  }
  const trainableParams = layer.trainable ? result.trainable : 0;
  return {
    part: ctx.ref.part,
    index: ctx.ref.index,
    name: ctx.ref.name,
    type: layer.type,
    inputShape: ctx.input,
    outputShape: output,
    params: created,
    trainableParams,
    nonTrainableParams: created - trainableParams,
  };
}

/**
 * Resolves every layer's name across all parts: explicit names must be unique (tfjs requires
 * unique names within a model, and a GAN's parts end up in one combined model); the rest get
 * Keras-style defaults that skip taken names.
 */
function resolveNames(parts: SpecPart[], multiPart: boolean): string[][] {
  const owners = new Map<string, string>();
  for (const { part, source } of parts) {
    if (source.from !== 'input-layer') owners.set(derivedInputName(part), `the ${PART_TITLES[part]}'s input`);
  }
  parts.forEach(({ part, layers }) =>
    layers.forEach((layer, index) => {
      if (layer.name === undefined) return;
      const ref: LayerRef = { part, index, name: layer.name, type: layer.type };
      const owner = owners.get(layer.name);
      if (owner !== undefined) {
        throw new ArchitectureError({
          code: 'duplicate-name',
          part,
          layerIndex: index,
          layerName: layer.name,
          layerType: layer.type,
          inputShape: null,
          message: `${describeLayer(ref, multiPart)} uses the name '${layer.name}', already taken by ${owner}; layer names must be unique`,
        });
      }
      owners.set(layer.name, describeLayer(ref, multiPart));
    }),
  );
  const counters = new Map<string, number>();
  return parts.map(({ layers }) =>
    layers.map((layer) => {
      if (layer.name !== undefined) return layer.name;
      const base = layer.type === 'activation' && layer.activation === 'leakyRelu' ? 'leaky_relu' : DEFAULT_LAYER_NAMES[layer.type];
      let n = counters.get(base) ?? 0;
      let candidate = n === 0 ? base : `${base}_${n}`;
      while (owners.has(candidate)) {
        n += 1;
        candidate = `${base}_${n}`;
      }
      counters.set(base, n + 1);
      owners.set(candidate, 'another layer');
      return candidate;
    }),
  );
}

function sum(layers: LayerSummary[], key: 'params' | 'trainableParams' | 'nonTrainableParams'): number {
  return layers.reduce((total, layer) => total + layer[key], 0);
}

function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function inferPart({ part, layers, source }: SpecPart, names: string[], inputs: { shape: Shape; dtype: 'float32' | 'int32' } | undefined, multiPart: boolean): PartSummary {
  const ref = (index: number): LayerRef => ({ part, index, name: names[index]!, type: layers[index]!.type });
  function failAt(index: number, input: Shape | null, code: ArchitectureIssueCode, reason: string): never {
    throw new ArchitectureError({
      code,
      part,
      layerIndex: index,
      layerName: names[index]!,
      layerType: layers[index]!.type,
      inputShape: input,
      message: `${describeLayer(ref(index), multiPart)} ${reason}`,
    });
  }

  const summaries: LayerSummary[] = [];
  let shape: Shape;
  let dtype: 'float32' | 'int32';
  let inputName: string;
  let start: number;
  const first = layers[0]!;
  if (source.from === 'input-layer') {
    if (first.type !== 'input') {
      failAt(0, null, 'missing-input', `comes first, but the ${PART_TITLES[part]} must start with an input layer ({ type: 'input', shape: [...] })`);
    }
    shape = [...first.shape];
    dtype = first.dtype;
    inputName = names[0]!;
    summaries.push({
      part,
      index: 0,
      name: inputName,
      type: 'input',
      inputShape: shape,
      outputShape: shape,
      params: 0,
      trainableParams: 0,
      nonTrainableParams: 0,
    });
    if (layers.length === 1) {
      failAt(0, shape, 'no-layers', `is the only layer of the ${PART_TITLES[part]}; add at least one layer after it`);
    }
    start = 1;
  } else {
    shape = inputs!.shape;
    dtype = inputs!.dtype;
    inputName = derivedInputName(part);
    start = 0;
  }
  const partInputShape = shape;

  for (let index = start; index < layers.length; index++) {
    const layer = layers[index]!;
    if (layer.type === 'input') {
      const why =
        source.from === 'input-layer' ? `can only be the first layer of the ${PART_TITLES[part]}` : `is not allowed here: the ${PART_TITLES[part]}'s input comes from ${describeSource(source)}`;
      failAt(index, shape, 'misplaced-input', why);
    }
    const previousIndex = index - 1;
    const previous = previousIndex >= 0 ? { ref: ref(previousIndex), layer: layers[previousIndex]! } : undefined;
    const ctx = new LayerContext(ref(index), shape, multiPart, previous);
    if (index === start && dtype === 'int32' && layer.type !== 'embedding') {
      ctx.fail('int32-input', `gets int32 token ids, which only an embedding layer can read; start with an embedding layer or use dtype: 'float32'`);
    }
    if (layer.type === 'embedding') {
      if (index !== start) {
        ctx.fail('embedding-position', `must come right after the input: it reads integer token ids, but gets the float output of ${describeLayer(previous!.ref, false)}`);
      }
      if (dtype !== 'int32') {
        const fix = source.from === 'input-layer' ? `; set dtype: 'int32' on ${describeLayer(ref(0), false)}` : `, but the ${PART_TITLES[part]}'s input is float32 (${describeSource(source)})`;
        ctx.fail('embedding-dtype', `reads integer token ids, so its input must be int32${fix}`);
      }
    }
    const summary = inferLayer(layer, ctx);
    summaries.push(summary);
    shape = summary.outputShape;
  }

  return {
    part,
    inputShape: partInputShape,
    inputDtype: dtype,
    inputName,
    outputShape: shape,
    layers: summaries,
    totalParams: sum(summaries, 'params'),
    trainableParams: sum(summaries, 'trainableParams'),
    nonTrainableParams: sum(summaries, 'nonTrainableParams'),
  };
}

function describeSource(source: SpecPart['source']): string {
  if (source.from === 'latent') return `a latent vector of ${source.size}`;
  if (source.from === 'part') return `the ${PART_TITLES[source.part]}'s ${source.what}`;
  return 'its input layer';
}

/** Checks that tie parts together: what each kind's training loop relies on. */
function checkKind(spec: ArchitectureSpec, parts: PartSummary[]): void {
  const byName = new Map(parts.map((p) => [p.part, p]));
  const failLast = (partName: PartName, code: ArchitectureIssueCode, reason: string): void => {
    const part = byName.get(partName)!;
    const last = part.layers.at(-1)!;
    throw new ArchitectureError({
      code,
      part: partName,
      layerIndex: last.index,
      layerName: last.name,
      layerType: last.type,
      inputShape: last.inputShape,
      message: `${describeLayer(last, spec.kind !== 'sequential')} ${reason}`,
    });
  };
  switch (spec.kind) {
    case 'sequential':
      return;
    case 'autoencoder': {
      const encoder = byName.get('encoder')!;
      const decoder = byName.get('decoder')!;
      if (!sameShape(decoder.outputShape, encoder.inputShape)) {
        failLast('decoder', 'reconstruction-shape', `outputs ${formatShape(decoder.outputShape)} but the decoder must rebuild the encoder's input shape ${formatShape(encoder.inputShape)}`);
      }
      return;
    }
    case 'gan': {
      const discriminator = byName.get('discriminator')!;
      if (!sameShape(discriminator.outputShape, [1])) {
        failLast('discriminator', 'discriminator-output', `outputs ${formatShape(discriminator.outputShape)} but a discriminator must output one real/fake score [1]`);
      }
      return;
    }
    case 'policy': {
      const policy = byName.get('policy')!;
      const out = policy.outputShape;
      if (out.length !== 1 || out[0] === null) {
        failLast('policy', 'policy-output', `outputs ${formatShape(out)} but a policy network must output one score per action [actions]`);
      }
      const value = byName.get('value');
      if (value && !sameShape(value.outputShape, [1])) {
        failLast('value', 'value-output', `outputs ${formatShape(value.outputShape)} but a value network must output one state value [1]`);
      }
      return;
    }
  }
}

/** Infers every layer's output shape and parameters; throws ArchitectureError for an impossible spec. */
export function inferArchitecture(spec: ArchitectureSpec): ArchitectureSummary {
  const parts = specParts(spec);
  const multiPart = spec.kind !== 'sequential';
  const names = resolveNames(parts, multiPart);
  const done: PartSummary[] = [];
  parts.forEach((part, i) => {
    const source = part.source;
    let inputs: { shape: Shape; dtype: 'float32' | 'int32' } | undefined;
    if (source.from === 'latent') inputs = { shape: [source.size], dtype: 'float32' };
    if (source.from === 'part') {
      const from = done.find((p) => p.part === source.part)!;
      inputs = source.what === 'output' ? { shape: from.outputShape, dtype: 'float32' } : { shape: from.inputShape, dtype: from.inputDtype };
    }
    done.push(inferPart(part, names[i]!, inputs, multiPart));
  });
  checkKind(spec, done);
  const layers = done.flatMap((p) => p.layers);
  return {
    kind: spec.kind,
    parts: done,
    layers,
    totalParams: sum(layers, 'params'),
    trainableParams: sum(layers, 'trainableParams'),
    nonTrainableParams: sum(layers, 'nonTrainableParams'),
  };
}

/** Like inferArchitecture, but returns the issue instead of throwing it. */
export function checkArchitecture(spec: ArchitectureSpec): InferResult {
  try {
    return { ok: true, summary: inferArchitecture(spec) };
  } catch (error) {
    if (error instanceof ArchitectureError) return { ok: false, issue: error.issue };
    throw error;
  }
}
