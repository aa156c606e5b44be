/**
 * Checkpoints: every part of a run's model (model, or encoder/decoder, generator/discriminator,
 * policy/value) in the TensorFlow.js layers format, plus checkpoint.json saying where training
 * stood, all under one key prefix:
 *
 *   <prefix>/checkpoint.json
 *   <prefix>/<part>/model.json, <prefix>/<part>/weights.bin
 *
 * What the optimizer state keeps (tfjs `includeOptimizer`): the optimizer's class and config
 * (learning rate at save time, betas …) and its slot variables (Adam's moments, momentum's
 * accumulators, RMSProp's mean squares …) with the update count, so a resumed run takes the same
 * steps as one that never stopped (Adam's bias correction is recomputed from the count, which
 * can differ from the uninterrupted run in the last float bits). What it does not keep: Adamax
 * state (tfjs cannot save it; the optimizer restarts), the losses' custom functions (huber is
 * saved without a loss name), and any random-generator state (the trainers derive shuffles
 * and noise from the seed and epoch instead, so none is needed).
 */
import * as tf from '@tensorflow/tfjs';
import type { PartName } from '@/lib/arch/spec';
import { CHECKPOINT_JSON, checkpointKey as join, readCheckpointMeta, type CheckpointMeta } from '@/lib/artifacts/checkpoint-meta';
import type { ArtifactStore } from '@/lib/artifacts/store';
import type { TrainerState } from '../training/hooks';
import { disposeModels } from '../training/compile';
import { canSaveOptimizerState } from '../training/optimizers';
import { storeHandler } from './model-files';

export { CHECKPOINT_JSON, CheckpointError, readCheckpointMeta, ZCheckpointMeta, type CheckpointMeta } from '@/lib/artifacts/checkpoint-meta';

export interface SaveCheckpointInput {
  models: Partial<Record<PartName, tf.LayersModel>>;
  state: TrainerState;
  kind: CheckpointMeta['kind'];
  value?: number;
}

/** Saves every part, then checkpoint.json last, so a checkpoint with a meta file is complete. */
export async function saveCheckpoint(store: ArtifactStore, prefix: string, input: SaveCheckpointInput): Promise<CheckpointMeta> {
  const parts = Object.keys(input.models) as PartName[];
  const optimizerState: PartName[] = [];
  for (const part of parts) {
    const model = input.models[part]!;
    const includeOptimizer = model.optimizer != null && canSaveOptimizerState(model.optimizer);
    await model.save(storeHandler(store, join(prefix, part)), { includeOptimizer });
    if (includeOptimizer) optimizerState.push(part);
  }
  const meta: CheckpointMeta = {
    version: 1,
    kind: input.kind,
    epoch: input.state.epoch,
    state: input.state,
    parts,
    optimizerState,
    ...(input.value !== undefined ? { value: input.value } : {}),
    savedAt: new Date().toISOString(),
  };
  await store.put(join(prefix, CHECKPOINT_JSON), Buffer.from(JSON.stringify(meta, null, 2)));
  return meta;
}

export interface LoadedCheckpoint {
  meta: CheckpointMeta;
  /** Compiled with their saved optimizer (and its state) where one was saved. */
  models: Partial<Record<PartName, tf.LayersModel>>;
  /** Frees the models and their optimizers. */
  dispose(): void;
}

export async function loadCheckpoint(store: ArtifactStore, prefix: string): Promise<LoadedCheckpoint> {
  const meta = await readCheckpointMeta(store, prefix);
  const models: Partial<Record<PartName, tf.LayersModel>> = {};
  const dispose = () => disposeModels(Object.values(models));
  try {
    for (const part of meta.parts) models[part] = await tf.loadLayersModel(storeHandler(store, join(prefix, part)));
  } catch (error) {
    dispose();
    throw error;
  }
  return { meta, models, dispose };
}
