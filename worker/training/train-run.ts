/**
 * The one call the job handler makes to train a run: settle the config against the data,
 * build the models from the spec with the run seed (or take a checkpoint's), and hand over to
 * the paradigm's trainer. Every backend the worker loads trains every layer (the wasm backend
 * through worker/backends/wasm-kernels), so the run trains on the worker's backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { ArchitectureSpec, PartName } from '@/lib/arch/spec';
import { resolveRunConfig, RunConfigError, type ResolvedRunConfig, type RunConfig, type TrainingTarget } from '@/lib/schemas/runs';
import { buildArchitecture } from '../model/build';
import { trainReinforcement } from '../rl/policy-gradient';
import { trainAutoencoder } from './autoencoder';
import { disposeModels } from './compile';
import type { History } from './fit-loop';
import { trainGan } from './gan';
import { TrainingDataError, type StopReason, type TrainerHooks, type TrainerState } from './hooks';
import { trainSupervised } from './supervised';

export interface RunData {
  /** Inputs (supervised, autoencoder) or real samples (GAN); none for reinforcement learning. */
  x?: tf.Tensor;
  /** Supervised labels (see SupervisedData for the accepted forms). */
  y?: tf.Tensor;
  sampleWeights?: tf.Tensor;
  validation?: { x: tf.Tensor; y?: tf.Tensor };
  /** Supervised runs: changes each training batch's inputs (image augmentation). */
  transformBatch?(x: tf.Tensor, epoch: number, batch: number): tf.Tensor;
}

export interface TrainRunInput {
  spec: ArchitectureSpec;
  config: RunConfig;
  /** What the dataset says about its labels (task, classes); hasValidation is filled in from `data`. */
  target?: TrainingTarget;
  data?: RunData;
  hooks?: Partial<TrainerHooks>;
  /** Resume: models loaded from a checkpoint (loadCheckpoint) and its state. */
  resume?: { models: Partial<Record<PartName, tf.LayersModel>>; state: TrainerState };
}

export interface TrainRunResult {
  config: ResolvedRunConfig;
  /** tf.getBackend() the run trained on. */
  backend: string;
  models: Partial<Record<PartName, tf.LayersModel>>;
  history: History;
  stopReason: StopReason;
  lastEpoch: number;
  state: TrainerState;
  /** Reinforcement learning only. */
  solvedAt?: number | null;
  bestMeanReturn?: number | null;
  /** Frees the models and their optimizers (the caller's data tensors are left alone). */
  dispose(): void;
}

export async function trainRun(input: TrainRunInput): Promise<TrainRunResult> {
  const { spec, data = {}, resume } = input;
  const hooks = input.hooks ?? {};
  const config = resolveRunConfig(input.config, {
    ...input.target,
    hasValidation: input.target?.hasValidation ?? data.validation !== undefined,
    hasSampleWeights: input.target?.hasSampleWeights ?? data.sampleWeights !== undefined,
  });
  checkSpecFitsParadigm(spec, config);

  const models = resume?.models ?? (await buildArchitecture(spec, { seed: config.seed })).models;
  const resumeOptions = resume ? { initialEpoch: resume.state.epoch, initialState: resume.state } : {};
  const finish = (result: { history: History; stopReason: StopReason; lastEpoch: number; state: TrainerState }, extra = {}): TrainRunResult => ({
    config,
    backend: tf.getBackend(),
    models,
    history: result.history,
    stopReason: result.stopReason,
    lastEpoch: result.lastEpoch,
    state: result.state,
    ...extra,
    dispose: () => disposeModels(Object.values(models)),
  });
  const need = (tensor: tf.Tensor | undefined, what: string): tf.Tensor => {
    if (!tensor) throw new TrainingDataError(`${config.paradigm} training needs ${what}`);
    return tensor;
  };

  try {
    switch (config.paradigm) {
      case 'supervised': {
        const validation = data.validation ? { x: data.validation.x, y: need(data.validation.y, 'validation labels') } : undefined;
        const result = await trainSupervised({
          model: models.model!,
          data: { x: need(data.x, 'inputs'), y: need(data.y, 'labels'), sampleWeights: data.sampleWeights, validation, transformBatch: data.transformBatch },
          config,
          hooks,
          ...resumeOptions,
        });
        return finish(result);
      }
      case 'autoencoder': {
        const validation = data.validation ? { x: data.validation.x } : undefined;
        const result = await trainAutoencoder({
          encoder: models.encoder!,
          decoder: models.decoder!,
          data: { x: need(data.x, 'inputs'), validation },
          config,
          hooks,
          ...resumeOptions,
        });
        return finish(result);
      }
      case 'gan': {
        const result = await trainGan({ generator: models.generator!, discriminator: models.discriminator!, data: { x: need(data.x, 'real samples') }, config, hooks, ...resumeOptions });
        return finish(result);
      }
      case 'reinforcement': {
        const result = await trainReinforcement({
          policy: models.policy!,
          value: models.value,
          config,
          hooks,
          ...(resume ? { initialEpisode: resume.state.epoch, initialState: resume.state } : {}),
        });
        return finish(result, { solvedAt: result.solvedAt, bestMeanReturn: result.bestMeanReturn });
      }
    }
  } catch (error) {
    // Models built here are ours to free; a resumed run's belong to the caller.
    if (!resume) disposeModels(Object.values(models));
    throw error;
  }
}

const KIND_FOR_PARADIGM = { supervised: 'sequential', autoencoder: 'autoencoder', gan: 'gan', reinforcement: 'policy' } as const;

function checkSpecFitsParadigm(spec: ArchitectureSpec, config: ResolvedRunConfig): void {
  const kind = KIND_FOR_PARADIGM[config.paradigm];
  if (spec.kind !== kind) {
    throw new RunConfigError(`${config.paradigm} training needs a ${kind} architecture; this one is ${spec.kind}`);
  }
}
