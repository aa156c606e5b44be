/**
 * The architecture spec: the one schema for a model's layers, shared by the editor form, the
 * tRPC routers, the worker's builder, Keras interop and the tests.
 *
 * Defaults live here (as zod defaults) and equal TensorFlow.js's own defaults, so a parsed
 * spec is fully resolved: shape inference, the builder and diffs never re-derive a default.
 * Use `z.input<typeof ZArchitectureSpec>` for hand-written or stored specs and the parsed
 * `ArchitectureSpec` everywhere else.
 */
import { z } from 'zod';

const MAX_DIM = 1_000_000;
const MAX_UNITS = 100_000;
const MAX_WINDOW = 4096;
const MAX_VOCAB = 10_000_000;

const Count = (max: number) => z.int().min(1).max(max);
const Rate = z.number().min(0).lt(1);

/** One or two positive integers, like Keras's `int or tuple` arguments for 2-D layers. */
const ZIntOrPair = (max: number) => z.union([Count(max), z.tuple([Count(max), Count(max)])]);
export type IntOrPair = number | [number, number];

export function pair(value: IntOrPair): [number, number] {
  return typeof value === 'number' ? [value, value] : value;
}

/** Activation functions TensorFlow.js applies inside a layer (`activation: '...'`). */
export const ACTIVATIONS = ['linear', 'relu', 'relu6', 'elu', 'selu', 'sigmoid', 'hardSigmoid', 'tanh', 'softmax', 'logSoftmax', 'softplus', 'softsign', 'swish', 'mish', 'gelu'] as const;
export const ZActivation = z.enum(ACTIVATIONS, {
  // tfjs has no leaky-ReLU activation function, only a LeakyReLU layer (it takes an alpha).
  error: (issue) => (issue.input === 'leakyRelu' ? "leakyRelu is its own layer in TensorFlow.js: add { type: 'activation', activation: 'leakyRelu', alpha } after this layer" : undefined),
});
export type Activation = z.infer<typeof ZActivation>;

/** What an `activation` layer may apply: every activation function plus leaky ReLU. */
export const LAYER_ACTIVATIONS = [...ACTIVATIONS, 'leakyRelu'] as const;
export const ZLayerActivation = z.enum(LAYER_ACTIVATIONS);
export type LayerActivation = z.infer<typeof ZLayerActivation>;

/**
 * Initializer names as tf.layers accepts them. Left out: 'constant' (needs a value), 'identity'
 * (square 2-D kernels only) and 'varianceScaling' (with its defaults it is leCunNormal).
 */
export const INITIALIZERS = [
  'glorotNormal',
  'glorotUniform',
  'heNormal',
  'heUniform',
  'leCunNormal',
  'leCunUniform',
  'randomNormal',
  'randomUniform',
  'truncatedNormal',
  'orthogonal',
  'zeros',
  'ones',
] as const;
export const ZInitializer = z.enum(INITIALIZERS);
export type Initializer = z.infer<typeof ZInitializer>;

/** L1/L2 weight penalty; a missing factor is 0 (tfjs's own L1L2 would default it to 0.01). */
export const ZRegularizer = z.strictObject({
  l1: z.number().min(0).default(0),
  l2: z.number().min(0).default(0),
});
export type Regularizer = z.infer<typeof ZRegularizer>;

export const ZPadding = z.enum(['valid', 'same']);
export type Padding = z.infer<typeof ZPadding>;

export const ZLayerName = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, "a layer name starts with a letter and uses letters, digits, '_', '-' or '.' (64 characters at most)");

/** Fields every layer has. `trainable: false` freezes the layer's weights. */
const common = {
  name: ZLayerName.optional(),
  trainable: z.boolean().default(true),
};

const weights = {
  useBias: z.boolean().default(true),
  kernelInitializer: ZInitializer.default('glorotNormal'),
  biasInitializer: ZInitializer.default('zeros'),
  kernelRegularizer: ZRegularizer.optional(),
  biasRegularizer: ZRegularizer.optional(),
};

const ZDim = z.union([Count(MAX_DIM), z.null()]);

export const ZInputLayer = z.strictObject({
  type: z.literal('input'),
  ...common,
  /** Shape of one example (no batch axis); `null` marks a variable length, e.g. time steps. */
  shape: z.array(ZDim).min(1).max(4),
  /** int32 inputs carry token ids for an embedding layer. */
  dtype: z.enum(['float32', 'int32']).default('float32'),
});

export const ZDenseLayer = z.strictObject({
  type: z.literal('dense'),
  ...common,
  units: Count(MAX_UNITS),
  activation: ZActivation.default('linear'),
  ...weights,
});

export const ZConv1dLayer = z.strictObject({
  type: z.literal('conv1d'),
  ...common,
  filters: Count(MAX_UNITS),
  kernelSize: Count(MAX_WINDOW),
  strides: Count(MAX_WINDOW).default(1),
  padding: ZPadding.default('valid'),
  dilationRate: Count(MAX_WINDOW).default(1),
  activation: ZActivation.default('linear'),
  ...weights,
});

export const ZConv2dLayer = z.strictObject({
  type: z.literal('conv2d'),
  ...common,
  filters: Count(MAX_UNITS),
  kernelSize: ZIntOrPair(MAX_WINDOW),
  strides: ZIntOrPair(MAX_WINDOW).default(1),
  padding: ZPadding.default('valid'),
  dilationRate: ZIntOrPair(MAX_WINDOW).default(1),
  activation: ZActivation.default('linear'),
  ...weights,
});

/** tfjs's Conv2DTranspose has no dilation. */
export const ZConv2dTransposeLayer = z.strictObject({
  type: z.literal('conv2dTranspose'),
  ...common,
  filters: Count(MAX_UNITS),
  kernelSize: ZIntOrPair(MAX_WINDOW),
  strides: ZIntOrPair(MAX_WINDOW).default(1),
  padding: ZPadding.default('valid'),
  activation: ZActivation.default('linear'),
  ...weights,
});

export const ZSeparableConv2dLayer = z.strictObject({
  type: z.literal('separableConv2d'),
  ...common,
  filters: Count(MAX_UNITS),
  kernelSize: ZIntOrPair(MAX_WINDOW),
  strides: ZIntOrPair(MAX_WINDOW).default(1),
  padding: ZPadding.default('valid'),
  dilationRate: ZIntOrPair(MAX_WINDOW).default(1),
  depthMultiplier: Count(MAX_WINDOW).default(1),
  activation: ZActivation.default('linear'),
  useBias: z.boolean().default(true),
});

/** tfjs's DepthwiseConv2D ignores dilation when it runs, so the option is not offered. */
export const ZDepthwiseConv2dLayer = z.strictObject({
  type: z.literal('depthwiseConv2d'),
  ...common,
  kernelSize: ZIntOrPair(MAX_WINDOW),
  strides: ZIntOrPair(MAX_WINDOW).default(1),
  padding: ZPadding.default('valid'),
  depthMultiplier: Count(MAX_WINDOW).default(1),
  activation: ZActivation.default('linear'),
  useBias: z.boolean().default(true),
});

const pooling1d = {
  ...common,
  poolSize: Count(MAX_WINDOW).default(2),
  /** Defaults to poolSize, as in tfjs. */
  strides: Count(MAX_WINDOW).optional(),
  padding: ZPadding.default('valid'),
};
export const ZMaxPooling1dLayer = z.strictObject({ type: z.literal('maxPooling1d'), ...pooling1d });
export const ZAveragePooling1dLayer = z.strictObject({ type: z.literal('averagePooling1d'), ...pooling1d });

const pooling2d = {
  ...common,
  poolSize: ZIntOrPair(MAX_WINDOW).default(2),
  /** Defaults to poolSize, as in tfjs. */
  strides: ZIntOrPair(MAX_WINDOW).optional(),
  padding: ZPadding.default('valid'),
};
export const ZMaxPooling2dLayer = z.strictObject({ type: z.literal('maxPooling2d'), ...pooling2d });
export const ZAveragePooling2dLayer = z.strictObject({ type: z.literal('averagePooling2d'), ...pooling2d });

export const ZGlobalAveragePooling1dLayer = z.strictObject({ type: z.literal('globalAveragePooling1d'), ...common });
export const ZGlobalMaxPooling1dLayer = z.strictObject({ type: z.literal('globalMaxPooling1d'), ...common });
export const ZGlobalAveragePooling2dLayer = z.strictObject({ type: z.literal('globalAveragePooling2d'), ...common });
export const ZGlobalMaxPooling2dLayer = z.strictObject({ type: z.literal('globalMaxPooling2d'), ...common });

export const ZUpSampling2dLayer = z.strictObject({
  type: z.literal('upSampling2d'),
  ...common,
  size: ZIntOrPair(MAX_WINDOW).default(2),
  interpolation: z.enum(['nearest', 'bilinear']).default('nearest'),
});

/** Amount per side: n (all four), [rows, cols], or [[top, bottom], [left, right]]. */
const ZEdges = z.union([
  z.int().min(0).max(MAX_WINDOW),
  z.tuple([z.int().min(0).max(MAX_WINDOW), z.int().min(0).max(MAX_WINDOW)]),
  z.tuple([z.tuple([z.int().min(0).max(MAX_WINDOW), z.int().min(0).max(MAX_WINDOW)]), z.tuple([z.int().min(0).max(MAX_WINDOW), z.int().min(0).max(MAX_WINDOW)])]),
]);
export type Edges = z.infer<typeof ZEdges>;

/** Normalizes padding/cropping amounts to [[top, bottom], [left, right]]. */
export function edges(value: Edges): [[number, number], [number, number]] {
  if (typeof value === 'number')
    return [
      [value, value],
      [value, value],
    ];
  const [rows, cols] = value;
  if (typeof rows === 'number' && typeof cols === 'number')
    return [
      [rows, rows],
      [cols, cols],
    ];
  return value as [[number, number], [number, number]];
}

export const ZZeroPadding2dLayer = z.strictObject({
  type: z.literal('zeroPadding2d'),
  ...common,
  padding: ZEdges.default(1),
});

export const ZCropping2dLayer = z.strictObject({
  type: z.literal('cropping2d'),
  ...common,
  cropping: ZEdges,
});

export const ZFlattenLayer = z.strictObject({ type: z.literal('flatten'), ...common });

export const ZReshapeLayer = z.strictObject({
  type: z.literal('reshape'),
  ...common,
  /** Target shape without the batch axis; one entry may be -1 (inferred). */
  targetShape: z
    .array(z.union([Count(MAX_DIM), z.literal(-1)]))
    .min(1)
    .max(4),
});

export const ZPermuteLayer = z.strictObject({
  type: z.literal('permute'),
  ...common,
  /** A permutation of 1..rank (axis 0 is the batch), as in Keras. */
  dims: z.array(z.int().min(1).max(4)).min(1).max(4),
});

export const ZRepeatVectorLayer = z.strictObject({
  type: z.literal('repeatVector'),
  ...common,
  n: Count(MAX_DIM),
});

export const ZDropoutLayer = z.strictObject({ type: z.literal('dropout'), ...common, rate: Rate });
export const ZSpatialDropout1dLayer = z.strictObject({ type: z.literal('spatialDropout1d'), ...common, rate: Rate });
export const ZGaussianNoiseLayer = z.strictObject({
  type: z.literal('gaussianNoise'),
  ...common,
  stddev: z.number().min(0),
});
export const ZGaussianDropoutLayer = z.strictObject({ type: z.literal('gaussianDropout'), ...common, rate: Rate });

/**
 * Normalizes the last axis. `center`/`scale` are not offered: tfjs's BatchNormalization
 * crashes in training without gamma and beta.
 */
export const ZBatchNormalizationLayer = z.strictObject({
  type: z.literal('batchNormalization'),
  ...common,
  momentum: z.number().min(0).max(1).default(0.99),
  epsilon: z.number().positive().default(1e-3),
});

export const ZLayerNormalizationLayer = z.strictObject({
  type: z.literal('layerNormalization'),
  ...common,
  epsilon: z.number().positive().default(1e-3),
  center: z.boolean().default(true),
  scale: z.boolean().default(true),
});

export const ZEmbeddingLayer = z.strictObject({
  type: z.literal('embedding'),
  ...common,
  /** Vocabulary size: token ids run from 0 to inputDim - 1. */
  inputDim: Count(MAX_VOCAB),
  outputDim: Count(MAX_UNITS),
  /** Treat token id 0 as padding. */
  maskZero: z.boolean().default(false),
  embeddingsInitializer: ZInitializer.default('randomUniform'),
  embeddingsRegularizer: ZRegularizer.optional(),
});

const recurrent = {
  units: Count(MAX_UNITS),
  activation: ZActivation.default('tanh'),
  useBias: z.boolean().default(true),
  kernelInitializer: ZInitializer.default('glorotNormal'),
  recurrentInitializer: ZInitializer.default('orthogonal'),
  biasInitializer: ZInitializer.default('zeros'),
  kernelRegularizer: ZRegularizer.optional(),
  recurrentRegularizer: ZRegularizer.optional(),
  biasRegularizer: ZRegularizer.optional(),
  dropout: Rate.default(0),
  recurrentDropout: Rate.default(0),
  /** Output every time step ([steps, units]) instead of the last one ([units]). */
  returnSequences: z.boolean().default(false),
  goBackwards: z.boolean().default(false),
};
const simpleRnnCore = { type: z.literal('simpleRNN'), ...recurrent };
const lstmCore = {
  type: z.literal('lstm'),
  ...recurrent,
  recurrentActivation: ZActivation.default('hardSigmoid'),
  unitForgetBias: z.boolean().default(false),
};
/** tfjs's GRU has no `resetAfter` (Keras 2.x's reset_after=False), hence one bias per gate. */
const gruCore = { type: z.literal('gru'), ...recurrent, recurrentActivation: ZActivation.default('hardSigmoid') };

export const ZSimpleRnnLayer = z.strictObject({ ...simpleRnnCore, ...common });
export const ZLstmLayer = z.strictObject({ ...lstmCore, ...common });
export const ZGruLayer = z.strictObject({ ...gruCore, ...common });

/** The recurrent layer a bidirectional wrapper runs forwards and backwards (named after it). */
export const ZRecurrentCore = z.discriminatedUnion('type', [z.strictObject(simpleRnnCore), z.strictObject(lstmCore), z.strictObject(gruCore)]);
export type RecurrentCore = z.infer<typeof ZRecurrentCore>;

export const ZBidirectionalLayer = z.strictObject({
  type: z.literal('bidirectional'),
  ...common,
  layer: ZRecurrentCore,
  mergeMode: z.enum(['concat', 'sum', 'mul', 'ave']).default('concat'),
});

export const ZActivationLayer = z.strictObject({
  type: z.literal('activation'),
  ...common,
  activation: ZLayerActivation,
  /** Negative slope of leakyRelu (tfjs's default 0.3); only valid with leakyRelu. */
  alpha: z.number().min(0).optional(),
});

/** Leaky ReLU whose slopes are learned: one per value unless axes are shared. */
export const ZPreluLayer = z.strictObject({
  type: z.literal('prelu'),
  ...common,
  /** Axes (1-based, batch is 0) that share one slope, e.g. [1, 2] for per-channel slopes on images. */
  sharedAxes: z.array(z.int().min(1).max(4)).min(1).max(4).optional(),
});

export const ZLayer = z.discriminatedUnion('type', [
  ZInputLayer,
  ZDenseLayer,
  ZConv1dLayer,
  ZConv2dLayer,
  ZConv2dTransposeLayer,
  ZSeparableConv2dLayer,
  ZDepthwiseConv2dLayer,
  ZMaxPooling1dLayer,
  ZAveragePooling1dLayer,
  ZMaxPooling2dLayer,
  ZAveragePooling2dLayer,
  ZGlobalAveragePooling1dLayer,
  ZGlobalMaxPooling1dLayer,
  ZGlobalAveragePooling2dLayer,
  ZGlobalMaxPooling2dLayer,
  ZUpSampling2dLayer,
  ZZeroPadding2dLayer,
  ZCropping2dLayer,
  ZFlattenLayer,
  ZReshapeLayer,
  ZPermuteLayer,
  ZRepeatVectorLayer,
  ZDropoutLayer,
  ZSpatialDropout1dLayer,
  ZGaussianNoiseLayer,
  ZGaussianDropoutLayer,
  ZBatchNormalizationLayer,
  ZLayerNormalizationLayer,
  ZEmbeddingLayer,
  ZSimpleRnnLayer,
  ZLstmLayer,
  ZGruLayer,
  ZBidirectionalLayer,
  ZActivationLayer,
  ZPreluLayer,
]);
export type Layer = z.infer<typeof ZLayer>;
export type LayerInput = z.input<typeof ZLayer>;
export type LayerType = Layer['type'];
export type LayerOf<T extends LayerType> = Extract<Layer, { type: T }>;

export const LAYER_TYPES = ZLayer.options.map((option) => option.shape.type.value) as LayerType[];

const ZStack = z.array(ZLayer).min(1).max(1000);
const version = z.literal(1).default(1);

/** One stack of layers starting with an input layer. */
export const ZSequentialSpec = z.strictObject({ version, kind: z.literal('sequential'), layers: ZStack });

/** The decoder's input is the encoder's output; the decoder must rebuild the encoder's input shape. */
export const ZAutoencoderSpec = z.strictObject({
  version,
  kind: z.literal('autoencoder'),
  encoder: ZStack,
  decoder: ZStack,
});

/** The generator maps a latent vector to a sample; the discriminator scores samples with one unit. */
export const ZGanSpec = z.strictObject({
  version,
  kind: z.literal('gan'),
  latentDim: Count(MAX_UNITS),
  generator: ZStack,
  discriminator: ZStack,
});

/**
 * RL policy network: observation (input layer) → one output per action. The optional value
 * network reads the same observation and outputs one state value (a separate actor-critic
 * pair, so every part stays a plain stack).
 */
export const ZPolicySpec = z.strictObject({
  version,
  kind: z.literal('policy'),
  policy: ZStack,
  value: ZStack.optional(),
});

export const ZArchitectureSpec = z.discriminatedUnion('kind', [ZSequentialSpec, ZAutoencoderSpec, ZGanSpec, ZPolicySpec]);
export type ArchitectureSpec = z.infer<typeof ZArchitectureSpec>;
export type ArchitectureSpecInput = z.input<typeof ZArchitectureSpec>;
export type ArchitectureKind = ArchitectureSpec['kind'];

export const PART_NAMES = ['model', 'encoder', 'decoder', 'generator', 'discriminator', 'policy', 'value'] as const;
export type PartName = (typeof PART_NAMES)[number];

/** Where a part's input comes from. */
export type PartSource = { from: 'input-layer' } | { from: 'part'; part: PartName; what: 'output' | 'input' } | { from: 'latent'; size: number };

export interface SpecPart {
  part: PartName;
  layers: Layer[];
  source: PartSource;
}

/** The spec's stacks in build order, each with where its input comes from. */
export function specParts(spec: ArchitectureSpec): SpecPart[] {
  switch (spec.kind) {
    case 'sequential':
      return [{ part: 'model', layers: spec.layers, source: { from: 'input-layer' } }];
    case 'autoencoder':
      return [
        { part: 'encoder', layers: spec.encoder, source: { from: 'input-layer' } },
        { part: 'decoder', layers: spec.decoder, source: { from: 'part', part: 'encoder', what: 'output' } },
      ];
    case 'gan':
      return [
        { part: 'generator', layers: spec.generator, source: { from: 'latent', size: spec.latentDim } },
        {
          part: 'discriminator',
          layers: spec.discriminator,
          source: { from: 'part', part: 'generator', what: 'output' },
        },
      ];
    case 'policy': {
      const parts: SpecPart[] = [{ part: 'policy', layers: spec.policy, source: { from: 'input-layer' } }];
      if (spec.value) {
        parts.push({ part: 'value', layers: spec.value, source: { from: 'part', part: 'policy', what: 'input' } });
      }
      return parts;
    }
  }
}

/** Formats zod issues as one line, e.g. `layers[2].units: Too small: expected number to be >=1`. */
export function formatSpecIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => {
      const path = issue.path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`)).join('');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

export type ParseSpecResult = { ok: true; spec: ArchitectureSpec } | { ok: false; message: string };

/** Validates untrusted input against the schema, with a one-line message on failure. */
export function parseArchitectureSpec(input: unknown): ParseSpecResult {
  const parsed = ZArchitectureSpec.safeParse(input);
  return parsed.success ? { ok: true, spec: parsed.data } : { ok: false, message: formatSpecIssues(parsed.error) };
}
