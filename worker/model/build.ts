/**
 * Builds a spec's TensorFlow.js models: one tf.Sequential per part (model, encoder/decoder,
 * generator/discriminator, policy/value).
 *
 * Models are loaded from the spec's Keras JSON export with tf.models.modelFromJSON, so the model
 * the worker trains and the JSON a user downloads cannot drift apart. Layer names are the ones
 * shape inference resolved, so `model.getLayer(row.name)` finds each summary row's layer.
 * The caller chooses the tfjs backend before building.
 */
import * as tf from '@tensorflow/tfjs';
import { inferArchitecture, type ArchitectureSummary } from '@/lib/arch/infer';
import { exportKerasModels, type KerasModelJson } from '@/lib/arch/keras';
import type { ArchitectureSpec, PartName } from '@/lib/arch/spec';

export interface BuiltArchitecture {
  /** The inferred summary the models match, row for row. */
  summary: ArchitectureSummary;
  /** One model per part of the spec, e.g. `{ model }` or `{ generator, discriminator }`. */
  models: Partial<Record<PartName, tf.Sequential>>;
  /** Frees every model's weights. */
  dispose: () => void;
}

/** Builds every part; throws ArchitectureError (before touching tfjs) if the spec is impossible. */
export async function buildArchitecture(spec: ArchitectureSpec): Promise<BuiltArchitecture> {
  const summary = inferArchitecture(spec);
  const exported = exportKerasModels(spec);
  const models: Partial<Record<PartName, tf.Sequential>> = {};
  const dispose = () => Object.values(models).forEach((model) => model.dispose());
  try {
    for (const { part } of summary.parts) models[part] = await load(exported[part]!);
  } catch (error) {
    dispose();
    throw error;
  }
  return { summary, models, dispose };
}

/** Builds one part (by default the first: model, encoder, generator or policy). */
export async function buildModel(spec: ArchitectureSpec, part?: PartName): Promise<tf.Sequential> {
  const exported = exportKerasModels(spec);
  const chosen = part ?? (Object.keys(exported)[0] as PartName);
  const topology = exported[chosen];
  if (!topology) throw new Error(`a ${spec.kind} spec has no part '${chosen}'`);
  return load(topology);
}

async function load(topology: KerasModelJson): Promise<tf.Sequential> {
  const model = await tf.models.modelFromJSON({ modelTopology: topology });
  if (!(model instanceof tf.Sequential)) {
    model.dispose();
    throw new Error(`'${topology.config.name}' did not load as a tf.Sequential`);
  }
  return model;
}
