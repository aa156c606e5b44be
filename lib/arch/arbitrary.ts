/**
 * Random architecture specs for property and fuzz tests (fast-check arbitraries, plus a seeded
 * generator for code that wants plain values).
 *
 * - `arbitraryBuildableSpec` gives small specs that inference accepts: it grows each stack one
 *   random layer at a time and keeps a layer only if `checkArchitecture` accepts the stack so far,
 *   so the specs stay cheap to build in TensorFlow.js and cover every layer type. Inference is
 *   only the filter here; tests compare its answers with tfjs, the independent reference.
 * - `arbitrarySchemaValidSpec` gives specs that pass the zod schema but are usually impossible
 *   (layers picked regardless of shape), for "inference never crashes" fuzzing.
 *
 * Test code only: fast-check is a dev dependency.
 */
import fc from 'fast-check';
import { checkArchitecture } from './infer';
import { ACTIVATIONS, INITIALIZERS, ZArchitectureSpec, type Activation, type ArchitectureKind, type ArchitectureSpec, type ArchitectureSpecInput, type Edges, type LayerInput } from './spec';

/** The random choices a generator makes; backed by fast-check (shrinkable) or a seeded PRNG. */
export interface Chooser {
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
  bool(probability?: number): boolean;
  pick<T>(items: readonly T[]): T;
}

/** A deterministic chooser (mulberry32) for seeded, non-fast-check use. */
export function seededChooser(seed: number): Chooser {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    bool: (probability = 0.5) => next() < probability,
    pick: (items) => items[Math.floor(next() * items.length)]!,
  };
}

function fastCheckChooser(g: fc.GeneratorValue): Chooser {
  return {
    int: (min, max) => g(fc.integer, { min, max }),
    bool: (probability = 0.5) => g(fc.integer, { min: 0, max: 999 }) < probability * 1000,
    pick: (items) => items[g(fc.integer, { min: 0, max: items.length - 1 })]!,
  };
}

export interface SpecGeneratorOptions {
  /** Kinds to draw from (default: all, mostly sequential). */
  kinds?: ArchitectureKind[];
  /** Most random layers per stack, besides input and the layers that fit a stack to its kind. */
  maxLayers?: number;
}

/** Keeps generated models small enough that building hundreds of them in tfjs stays quick. */
const MAX_VALUES = 4096;
const MAX_PARAMS = 60_000;

function activation(c: Chooser): Activation {
  return c.bool(0.4) ? 'linear' : c.pick(ACTIVATIONS);
}

function regularizer(c: Chooser) {
  return c.bool(0.15) ? { l1: c.pick([0, 0.001]), l2: c.pick([0, 0.01]) } : undefined;
}

function weights(c: Chooser) {
  return {
    useBias: c.bool(0.85),
    kernelInitializer: c.pick(INITIALIZERS.filter((i) => i !== 'orthogonal')),
    kernelRegularizer: regularizer(c),
    biasRegularizer: regularizer(c),
  };
}

function common(c: Chooser) {
  return { trainable: c.bool(0.9) };
}

function recurrentCore(c: Chooser) {
  const type = c.pick(['simpleRNN', 'lstm', 'gru'] as const);
  return {
    type,
    units: c.int(1, 6),
    activation: c.pick(['tanh', 'relu', 'sigmoid', 'linear'] as const),
    useBias: c.bool(0.85),
    dropout: c.pick([0, 0, 0.1]),
    returnSequences: c.bool(),
    goBackwards: c.bool(0.2),
    ...(type === 'lstm' ? { unitForgetBias: c.bool(0.3) } : {}),
  };
}

const EDGES: Edges[] = [
  0,
  1,
  [1, 0],
  [
    [0, 1],
    [2, 0],
  ],
];

function intOrPair(c: Chooser, min: number, max: number): number | [number, number] {
  return c.bool(0.7) ? c.int(min, max) : [c.int(min, max), c.int(min, max)];
}

/** A random layer that suits an input of the given rank (it may still not fit its sizes). */
function candidate(c: Chooser, rank: number): LayerInput {
  const anyRank = (): LayerInput => {
    switch (c.int(0, 8)) {
      case 0:
        return { type: 'dense', ...common(c), units: c.int(1, 8), activation: activation(c), ...weights(c) };
      case 1:
        return { type: 'dropout', ...common(c), rate: c.pick([0, 0.2, 0.5]) };
      case 2:
        return { type: 'batchNormalization', ...common(c), momentum: c.pick([0.9, 0.99]) };
      case 3:
        return { type: 'layerNormalization', ...common(c), center: c.bool(0.8), scale: c.bool(0.8) };
      case 4:
        return c.bool() ? { type: 'activation', ...common(c), activation: 'leakyRelu', alpha: c.pick([0.1, 0.2, 0.3]) } : { type: 'activation', ...common(c), activation: c.pick(ACTIVATIONS) };
      case 5:
        return c.bool() ? { type: 'gaussianNoise', ...common(c), stddev: c.pick([0.1, 1]) } : { type: 'gaussianDropout', ...common(c), rate: c.pick([0.1, 0.3]) };
      case 6: {
        const axes = Array.from({ length: rank }, (_, i) => i + 1).filter(() => c.bool(0.4));
        return { type: 'prelu', ...common(c), ...(axes.length > 0 ? { sharedAxes: axes } : {}) };
      }
      case 7:
        return { type: 'reshape', ...common(c), targetShape: [-1] };
      default:
        return { type: 'dense', ...common(c), units: c.int(1, 8), activation: activation(c), ...weights(c) };
    }
  };
  if (rank === 1 && c.bool(0.4)) {
    return c.bool()
      ? { type: 'repeatVector', ...common(c), n: c.int(1, 4) }
      : {
          type: 'reshape',
          ...common(c),
          targetShape: c.pick([
            [-1, 1],
            [1, -1],
            [2, -1],
            [-1, 2, 1],
          ]),
        };
  }
  if (rank === 2 && c.bool(0.75)) {
    switch (c.int(0, 9)) {
      case 0:
        return {
          type: 'conv1d',
          ...common(c),
          filters: c.int(1, 6),
          kernelSize: c.int(1, 3),
          strides: c.int(1, 2),
          padding: c.pick(['valid', 'same'] as const),
          dilationRate: c.bool(0.8) ? 1 : 2,
          activation: activation(c),
          ...weights(c),
        };
      case 1: {
        const poolSize = c.int(1, 3);
        const type = c.pick(['maxPooling1d', 'averagePooling1d'] as const);
        return { type, ...common(c), poolSize, ...(c.bool() ? { strides: c.int(1, 2) } : {}), padding: c.pick(['valid', 'same'] as const) };
      }
      case 2:
        return { type: c.pick(['globalAveragePooling1d', 'globalMaxPooling1d'] as const), ...common(c) };
      case 3:
      case 4:
      case 5:
        return { ...recurrentCore(c), ...common(c) };
      case 6:
        return {
          type: 'bidirectional',
          ...common(c),
          layer: recurrentCore(c),
          mergeMode: c.pick(['concat', 'sum', 'mul', 'ave'] as const),
        };
      case 7:
        return { type: 'spatialDropout1d', ...common(c), rate: 0.2 };
      case 8:
        return { type: 'permute', ...common(c), dims: [2, 1] };
      default:
        return { type: 'flatten', ...common(c) };
    }
  }
  if (rank === 3 && c.bool(0.8)) {
    const padding = c.pick(['valid', 'same'] as const);
    switch (c.int(0, 11)) {
      case 0:
      case 1: {
        const dilated = c.bool(0.2);
        return {
          type: 'conv2d',
          ...common(c),
          filters: c.int(1, 6),
          kernelSize: intOrPair(c, 1, 3),
          strides: dilated ? 1 : intOrPair(c, 1, 2),
          padding,
          dilationRate: dilated ? intOrPair(c, 1, 2) : 1,
          activation: activation(c),
          ...weights(c),
        };
      }
      case 2:
        return {
          type: 'conv2dTranspose',
          ...common(c),
          filters: c.int(1, 6),
          kernelSize: intOrPair(c, 1, 3),
          strides: intOrPair(c, 1, 2),
          padding,
          activation: activation(c),
          ...weights(c),
        };
      case 3: {
        const dilated = c.bool(0.2);
        return {
          type: 'separableConv2d',
          ...common(c),
          filters: c.int(1, 6),
          kernelSize: intOrPair(c, 1, 3),
          strides: dilated ? 1 : intOrPair(c, 1, 2),
          padding,
          dilationRate: dilated ? 2 : 1,
          depthMultiplier: c.int(1, 2),
          activation: activation(c),
          useBias: c.bool(0.8),
        };
      }
      case 4:
        return {
          type: 'depthwiseConv2d',
          ...common(c),
          kernelSize: intOrPair(c, 1, 3),
          strides: intOrPair(c, 1, 2),
          padding,
          depthMultiplier: c.int(1, 2),
          activation: activation(c),
          useBias: c.bool(0.8),
        };
      case 5:
        return {
          type: c.pick(['maxPooling2d', 'averagePooling2d'] as const),
          ...common(c),
          poolSize: intOrPair(c, 1, 3),
          ...(c.bool() ? { strides: intOrPair(c, 1, 2) } : {}),
          padding,
        };
      case 6:
        return { type: c.pick(['globalAveragePooling2d', 'globalMaxPooling2d'] as const), ...common(c) };
      case 7:
        return {
          type: 'upSampling2d',
          ...common(c),
          size: intOrPair(c, 1, 2),
          interpolation: c.pick(['nearest', 'bilinear'] as const),
        };
      case 8:
        return { type: 'zeroPadding2d', ...common(c), padding: c.pick(EDGES) };
      case 9:
        return { type: 'cropping2d', ...common(c), cropping: c.pick(EDGES.slice(1)) };
      case 10:
        return {
          type: 'permute',
          ...common(c),
          dims: c.pick([
            [2, 1, 3],
            [3, 1, 2],
            [1, 2, 3],
          ]),
        };
      default:
        return { type: 'flatten', ...common(c) };
    }
  }
  return anyRank();
}

function inputLayer(c: Chooser, options: { knownShape: boolean }): { layers: LayerInput[]; tokens: boolean } {
  const family = c.int(0, 3);
  if (family === 0) return { layers: [{ type: 'input', shape: [c.int(1, 12)] }], tokens: false };
  if (family === 1) {
    const steps = !options.knownShape && c.bool(0.3) ? null : c.int(2, 7);
    return { layers: [{ type: 'input', shape: [steps, c.int(1, 5)] }], tokens: false };
  }
  if (family === 2) {
    // Fully convolutional models may take images of any size.
    const side = () => (!options.knownShape && c.bool(0.15) ? null : c.int(3, 9));
    return { layers: [{ type: 'input', shape: [side(), side(), c.int(1, 3)] }], tokens: false };
  }
  const steps = !options.knownShape && c.bool(0.3) ? null : c.int(2, 7);
  return {
    layers: [
      { type: 'input', shape: [steps], dtype: 'int32' },
      { type: 'embedding', inputDim: c.int(1, 20), outputDim: c.int(1, 6), maskZero: c.bool(0.3) },
    ],
    tokens: true,
  };
}

type Stacks = Record<string, LayerInput[]>;

/** One stack to grow: fixed first layers, random middle, and the layers that fit it to its kind. */
interface StackPlan {
  key: 'layers' | 'encoder' | 'decoder' | 'generator' | 'discriminator' | 'policy' | 'value';
  prefix: LayerInput[];
  finish: LayerInput[];
  min: number;
}

const PART_OF_KEY = { layers: 'model' } as Record<string, string>;

function tryBuild(kind: ArchitectureKind, latentDim: number, stacks: Stacks): ArchitectureSpec | null {
  const parsed = ZArchitectureSpec.safeParse({ kind, ...(kind === 'gan' ? { latentDim } : {}), ...stacks });
  if (!parsed.success) return null;
  const result = checkArchitecture(parsed.data);
  if (!result.ok) return null;
  const tooBig = result.summary.layers.some((l) => l.params > MAX_PARAMS || l.outputShape.reduce<number>((a, d) => a * (d ?? 8), 1) > MAX_VALUES);
  return tooBig ? null : parsed.data;
}

/** Rank of the stack's output before its finishing layers, to pick a fitting next layer. */
function rankBeforeFinish(c: Chooser, spec: ArchitectureSpec | null, plan: StackPlan, grown: LayerInput[]): number {
  const result = spec ? checkArchitecture(spec) : null;
  const part = result?.ok ? result.summary.parts.find((p) => p.part === (PART_OF_KEY[plan.key] ?? plan.key)) : undefined;
  if (part) {
    const row = part.layers.find((l) => l.index === grown.length - 1);
    return (row ? row.outputShape : part.inputShape).length;
  }
  const first = grown[0];
  return first?.type === 'input' ? first.shape.length : c.int(1, 3);
}

/** Rank-agnostic layers ending in [units] (reshape [-1] flattens any known shape). */
function toVector(units: number, activation: Activation): LayerInput[] {
  return [
    { type: 'reshape', targetShape: [-1] },
    { type: 'dense', units, activation },
  ];
}

function plansFor(c: Chooser, kind: ArchitectureKind): StackPlan[] | null {
  switch (kind) {
    case 'sequential':
      return [{ key: 'layers', prefix: inputLayer(c, { knownShape: false }).layers, finish: [], min: 1 }];
    case 'autoencoder': {
      const input = inputLayer(c, { knownShape: true });
      if (input.tokens) return null;
      const shape = (input.layers[0] as { shape: number[] }).shape;
      const rebuild: LayerInput[] = [
        ...toVector(
          shape.reduce((a, b) => a * b, 1),
          c.pick(['sigmoid', 'linear'] as const),
        ),
        ...(shape.length > 1 ? [{ type: 'reshape', targetShape: shape } as const] : []),
      ];
      return [
        { key: 'encoder', prefix: input.layers, finish: [], min: 1 },
        { key: 'decoder', prefix: [], finish: rebuild, min: 0 },
      ];
    }
    case 'gan':
      return [
        { key: 'generator', prefix: [], finish: [], min: 1 },
        { key: 'discriminator', prefix: [], finish: toVector(1, 'sigmoid'), min: 0 },
      ];
    case 'policy': {
      const input = inputLayer(c, { knownShape: true });
      const plans: StackPlan[] = [{ key: 'policy', prefix: input.layers, finish: toVector(c.int(2, 6), c.pick(['softmax', 'linear'] as const)), min: 0 }];
      if (c.bool(0.7)) plans.push({ key: 'value', prefix: input.layers.slice(1), finish: toVector(1, 'linear'), min: 0 });
      return plans;
    }
  }
}

/** Generates a spec that inference accepts (see the module comment). */
export function generateBuildableSpec(c: Chooser, options: SpecGeneratorOptions = {}): ArchitectureSpec {
  const kinds = options.kinds ?? ['sequential', 'sequential', 'sequential', 'autoencoder', 'gan', 'policy'];
  const maxLayers = options.maxLayers ?? 5;
  for (let attempt = 0; attempt < 20; attempt++) {
    const kind = c.pick(kinds);
    const latentDim = c.int(1, 8);
    const plans = plansFor(c, kind);
    if (!plans) continue;
    const grown: Stacks = Object.fromEntries(plans.map((p) => [p.key, [...p.prefix]]));
    const assemble = (key?: string, layers?: LayerInput[]): Stacks => Object.fromEntries(plans.map((p) => [p.key, [...(p.key === key ? layers! : grown[p.key]!), ...p.finish]]));
    for (const plan of plans) {
      const target = Math.max(plan.min, c.int(0, maxLayers));
      for (let added = 0, tries = 0; added < target && tries < target * 8; tries++) {
        const current = grown[plan.key]!;
        const rank = rankBeforeFinish(c, tryBuild(kind, latentDim, assemble()), plan, current);
        const next = [...current, candidate(c, rank)];
        if (tryBuild(kind, latentDim, assemble(plan.key, next))) {
          grown[plan.key] = next;
          added++;
        }
      }
    }
    const spec = tryBuild(kind, latentDim, assemble());
    if (spec) return spec;
  }
  return ZArchitectureSpec.parse({
    kind: 'sequential',
    layers: [
      { type: 'input', shape: [4] },
      { type: 'dense', units: 2 },
    ],
  });
}

/** Generates a schema-valid spec with layers picked regardless of shape (mostly impossible). */
export function generateSchemaValidSpec(c: Chooser, options: SpecGeneratorOptions = {}): ArchitectureSpec {
  const stack = (withInput: boolean): LayerInput[] => {
    const layers: LayerInput[] = [];
    if (withInput || c.bool(0.1)) layers.push(...inputLayer(c, { knownShape: false }).layers);
    const n = c.int(withInput ? 0 : 1, options.maxLayers ?? 6);
    for (let i = 0; i < n; i++) {
      const layer = candidate(c, c.int(1, 4));
      layers.push(c.bool(0.1) ? { ...layer, name: c.pick(['a', 'b', 'dense', 'input', 'decoder_input']) } : layer);
    }
    return layers.length > 0 ? layers : [{ type: 'flatten' }];
  };
  const kind = c.pick(options.kinds ?? (['sequential', 'autoencoder', 'gan', 'policy'] as const));
  const input: ArchitectureSpecInput =
    kind === 'sequential'
      ? { kind, layers: stack(c.bool(0.9)) }
      : kind === 'autoencoder'
        ? { kind, encoder: stack(c.bool(0.9)), decoder: stack(false) }
        : kind === 'gan'
          ? { kind, latentDim: c.int(1, 16), generator: stack(false), discriminator: stack(false) }
          : { kind, policy: stack(c.bool(0.9)), ...(c.bool() ? { value: stack(false) } : {}) };
  return ZArchitectureSpec.parse(input);
}

/** fast-check arbitrary of specs inference accepts; small enough to build in tfjs quickly. */
export function arbitraryBuildableSpec(options: SpecGeneratorOptions = {}): fc.Arbitrary<ArchitectureSpec> {
  return fc.gen().map((g) => generateBuildableSpec(fastCheckChooser(g), options));
}

/** fast-check arbitrary of schema-valid specs, most of which inference must reject cleanly. */
export function arbitrarySchemaValidSpec(options: SpecGeneratorOptions = {}): fc.Arbitrary<ArchitectureSpec> {
  return fc.gen().map((g) => generateSchemaValidSpec(fastCheckChooser(g), options));
}
