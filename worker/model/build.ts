/**
 * Builds a spec's TensorFlow.js models: one tf.Sequential per part (model, encoder/decoder,
 * generator/discriminator, policy/value).
 *
 * Models are loaded from the spec's Keras JSON export with tf.models.modelFromJSON, so the model
 * the worker trains and the JSON a user downloads cannot drift apart. Layer names are the ones
 * shape inference resolved, so `model.getLayer(row.name)` finds each summary row's layer.
 * The caller chooses the tfjs backend before building.
 *
 * With a seed, every weight initializer gets its own seed derived from (seed, part, layer,
 * initializer), so the same seed builds bit-identical weights on the same backend. Layers that
 * draw noise while training (dropout, Gaussian noise/dropout, recurrent dropout) stay unseeded:
 * tfjs would replay one fixed mask on every batch if they had a seed.
 */
import * as tf from '@tensorflow/tfjs';
import { inferArchitecture, type ArchitectureSummary } from '@/lib/arch/infer';
import { exportKerasModels, type KerasModelJson } from '@/lib/arch/keras';
import type { ArchitectureSpec, PartName } from '@/lib/arch/spec';
import { deriveSeed } from '@/lib/random';

export interface BuildOptions {
  /** Seeds the weight initializers (see above); without it tfjs draws from Math.random. */
  seed?: number;
}

export interface BuiltArchitecture {
  /** The inferred summary the models match, row for row. */
  summary: ArchitectureSummary;
  /** One model per part of the spec, e.g. `{ model }` or `{ generator, discriminator }`. */
  models: Partial<Record<PartName, tf.Sequential>>;
  /** Frees every model's weights. */
  dispose: () => void;
}

/** Builds every part; throws ArchitectureError (before touching tfjs) if the spec is impossible. */
export async function buildArchitecture(spec: ArchitectureSpec, options: BuildOptions = {}): Promise<BuiltArchitecture> {
  const summary = inferArchitecture(spec);
  const exported = seeded(exportKerasModels(spec), options.seed);
  const models: Partial<Record<PartName, tf.Sequential>> = {};
  const dispose = () => Object.values(models).forEach((model) => model.dispose());
  try {
    for (const [partIndex, { part }] of summary.parts.entries()) {
      models[part] = await load(exported[part]!);
      if (options.seed !== undefined) reseedBackwardLayers(models[part]!, options.seed, partIndex);
    }
  } catch (error) {
    dispose();
    throw error;
  }
  return { summary, models, dispose };
}

/** Builds one part (by default the first: model, encoder, generator or policy). */
export async function buildModel(spec: ArchitectureSpec, part?: PartName, options: BuildOptions = {}): Promise<tf.Sequential> {
  const exported = seeded(exportKerasModels(spec), options.seed);
  const chosen = part ?? (Object.keys(exported)[0] as PartName);
  const topology = exported[chosen];
  if (!topology) throw new Error(`a ${spec.kind} spec has no part '${chosen}'`);
  const model = await load(topology);
  if (options.seed !== undefined) reseedBackwardLayers(model, options.seed, Object.keys(exported).indexOf(chosen));
  return model;
}

async function load(topology: KerasModelJson): Promise<tf.Sequential> {
  const model = await tf.models.modelFromJSON({ modelTopology: topology });
  if (!(model instanceof tf.Sequential)) {
    model.dispose();
    throw new Error(`'${topology.config.name}' did not load as a tf.Sequential`);
  }
  return model;
}

/** Gives every initializer in every layer a seed of its own (a copy; the input is left alone). */
function seeded(exported: Partial<Record<PartName, KerasModelJson>>, seed: number | undefined): Partial<Record<PartName, KerasModelJson>> {
  if (seed === undefined) return exported;
  const copy = structuredClone(exported);
  Object.values(copy).forEach((model, partIndex) => {
    model!.config.layers.forEach((layer, layerIndex) => {
      let ordinal = 0;
      // Depth-first in key order, so a bidirectional wrapper's inner initializers are reached too.
      const visit = (node: unknown): void => {
        if (node === null || typeof node !== 'object') return;
        for (const [key, value] of Object.entries(node)) {
          if (key.endsWith('initializer') && isSeedable(value)) {
            value.config.seed = deriveSeed(seed, partIndex, layerIndex, ordinal++);
          } else {
            visit(value);
          }
        }
      };
      visit(layer.config);
    });
  });
  return copy;
}

function isSeedable(value: unknown): value is { config: { seed: number | null } } {
  if (value === null || typeof value !== 'object' || !('config' in value)) return false;
  const config = (value as { config: unknown }).config;
  return config !== null && typeof config === 'object' && 'seed' in config;
}

/** Backward-copy seeds use ordinals no layer's own initializers reach, so no stream is shared. */
const BACKWARD_ORDINAL = 1000;

/**
 * tfjs builds a bidirectional layer's backward RNN from the forward one's config, seeds
 * included, so both directions would start from the same weights. This re-draws the backward
 * weights from the same initializers under seeds of their own.
 */
function reseedBackwardLayers(model: tf.Sequential, seed: number, partIndex: number): void {
  model.layers.forEach((layer, index) => {
    if (layer.getClassName() !== 'Bidirectional') return;
    const backward = (layer as unknown as { backwardLayer: tf.layers.Layer }).backwardLayer;
    const config = backward.getConfig();
    let ordinal = BACKWARD_ORDINAL;
    for (const [key, value] of Object.entries(config)) {
      if (key.endsWith('Initializer') && isSeedable(value)) value.config.seed = deriveSeed(seed, partIndex, index, ordinal++);
    }
    const [cls, fromConfig] = tf.serialization.SerializationMap.getMap().classNameMap[backward.getClassName()]!;
    const fresh = fromConfig(cls, { ...config, name: `${backward.name}_reseed` }) as tf.layers.Layer;
    try {
      fresh.build(layer.inputSpec?.[0]?.shape ?? (layer.input as tf.SymbolicTensor).shape);
      backward.setWeights(fresh.getWeights());
    } finally {
      // Layer.dispose() refuses an RNN built outside a model; its variables are all it holds.
      for (const weight of fresh.weights) weight.dispose();
    }
  });
}
