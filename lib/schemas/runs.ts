/**
 * Run hyperparameters: the one schema for how a run trains, shared by the run form, the API,
 * the worker's job parsing, the trainers and the tests.
 *
 * `ZRunConfig` holds what the user chooses; it checks everything that needs no dataset. What
 * depends on the dataset (the loss against the task, the default loss and metrics) is settled
 * by `resolveRunConfig(config, target)`, which the API calls when a run is created and the
 * worker calls again before training, so both give the same messages.
 *
 * Epochs are counted from 1 everywhere (epoch 1 is the first pass over the data); learning-rate
 * schedules see the 0-based number of epochs already done.
 */
import { InvalidInputError } from '../errors';
import { z } from 'zod';
import type { DatasetShape } from '../arch/templates';
import { ZBackendSetting } from './backends';
import { formatZodError } from './format';

export const PARADIGMS = ['supervised', 'autoencoder', 'gan', 'reinforcement'] as const;
export const ZParadigm = z.enum(PARADIGMS);
export type Paradigm = z.infer<typeof ZParadigm>;

// Optimizers, with TensorFlow.js's parameter names and Keras's defaults.

const Beta = z.number().gt(0).lt(1);
const Epsilon = z.number().positive().max(1).default(1e-7);

export const ZOptimizer = z.discriminatedUnion('name', [
  z.strictObject({ name: z.literal('sgd') }),
  z.strictObject({
    name: z.literal('momentum'),
    momentum: z.number().min(0).lt(1).default(0.9),
    nesterov: z.boolean().default(false),
  }),
  z.strictObject({ name: z.literal('adam'), beta1: Beta.default(0.9), beta2: Beta.default(0.999), epsilon: Epsilon }),
  z.strictObject({
    name: z.literal('adamax'),
    beta1: Beta.default(0.9),
    beta2: Beta.default(0.999),
    epsilon: Epsilon,
    /** Per-step learning-rate decay built into tfjs's Adamax (lr / (1 + decay · step)). */
    decay: z.number().min(0).default(0),
  }),
  z.strictObject({ name: z.literal('adagrad'), initialAccumulatorValue: z.number().positive().default(0.1) }),
  z.strictObject({ name: z.literal('adadelta'), rho: Beta.default(0.95), epsilon: Epsilon }),
  z.strictObject({
    name: z.literal('rmsprop'),
    /** Discount of the running mean of squared gradients (Keras's `rho`). */
    decay: Beta.default(0.9),
    momentum: z.number().min(0).lt(1).default(0),
    epsilon: Epsilon,
    centered: z.boolean().default(false),
  }),
]);
export type OptimizerConfig = z.infer<typeof ZOptimizer>;
export type OptimizerName = OptimizerConfig['name'];
export const OPTIMIZER_NAMES = ZOptimizer.options.map((o) => o.shape.name.value) as OptimizerName[];

/** Learning rate as a function of the epoch; applied at the start of every epoch. */
export const ZLearningRateSchedule = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('constant') }),
  /** lr · factor^floor(epochsDone / every) */
  z.strictObject({ type: z.literal('step'), every: z.int().min(1).max(100_000), factor: z.number().gt(0).max(1).default(0.5) }),
  /** lr · rate^epochsDone */
  z.strictObject({ type: z.literal('exponential'), rate: z.number().gt(0).max(1) }),
  /** Cosine from lr down to minLearningRate over the run's epochs (no restarts). */
  z.strictObject({ type: z.literal('cosine'), minLearningRate: z.number().min(0).default(0) }),
]);
export type LearningRateSchedule = z.infer<typeof ZLearningRateSchedule>;

export const LOSSES = ['binaryCrossentropy', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'meanSquaredError', 'meanAbsoluteError', 'huber', 'logCosh'] as const;
export const ZLoss = z.enum(LOSSES);
export type Loss = z.infer<typeof ZLoss>;

/** Metrics computed on every batch (and on the validation data each epoch) besides the loss. */
export const BATCH_METRICS = ['accuracy', 'mae', 'mse'] as const;
export const ZBatchMetric = z.enum(BATCH_METRICS);
export type BatchMetric = z.infer<typeof ZBatchMetric>;

/** A logged quantity: `loss`, a metric, or either with `val_` (computed on the validation data). */
const ZMonitor = z.string().regex(/^(val_)?[a-z][a-z_]*$/, "name a logged value such as 'val_loss', 'loss' or 'val_accuracy'");

export const ZMonitorMode = z.enum(['auto', 'min', 'max']);
export type MonitorMode = z.infer<typeof ZMonitorMode>;

export const ZEarlyStopping = z.strictObject({
  monitor: ZMonitor.default('val_loss'),
  /** An improvement smaller than this does not count. */
  minDelta: z.number().min(0).default(0),
  /** Epochs without improvement before stopping. */
  patience: z.int().min(0).max(10_000).default(5),
  /** 'auto': maximise accuracy-like values, minimise the rest. */
  mode: ZMonitorMode.default('auto'),
  /** Put back the weights of the best epoch when stopping. */
  restoreBestWeights: z.boolean().default(false),
});
export type EarlyStopping = z.infer<typeof ZEarlyStopping>;

/** Class index (as a string, e.g. "0") → weight. */
const ZClassWeightMap = z.record(z.string().regex(/^(0|[1-9][0-9]{0,5})$/, 'class weights are keyed by class index: "0", "1" …'), z.number().positive().max(1e6));
export const ZClassWeights = z.union([z.literal('balanced'), ZClassWeightMap], {
  error: 'class weights are \'balanced\' or a map from class index ("0", "1" …) to a positive weight',
});
export type ClassWeights = z.infer<typeof ZClassWeights>;

export const ZCheckpointSettings = z.strictObject({
  /** Save the model every N epochs (episodes for reinforcement learning); 0 never. */
  everyEpochs: z.int().min(0).max(100_000).default(1),
  /** Also keep the best model by `monitor`. */
  keepBest: z.boolean().default(true),
  monitor: ZMonitor.default('val_loss'),
  mode: ZMonitorMode.default('auto'),
});
export type CheckpointSettings = z.infer<typeof ZCheckpointSettings>;

export const ZGanSettings = z.strictObject({
  /** Discriminator updates per generator update. */
  discriminatorSteps: z.int().min(1).max(10).default(1),
  /** One-sided smoothing: real samples get the label 1 − labelSmoothing. */
  labelSmoothing: z.number().min(0).lt(0.5).default(0.1),
  /** Generated samples shown each epoch (from fixed latent vectors, so epochs compare). */
  sampleCount: z.int().min(1).max(64).default(16),
});
export type GanSettings = z.infer<typeof ZGanSettings>;

export const RL_ALGORITHMS = ['reinforce', 'actor-critic'] as const;
export const ZRlSettings = z.strictObject({
  environment: z.literal('cartpole').default('cartpole'),
  /** REINFORCE (returns normalised per episode) or advantage actor-critic (needs a value part). */
  algorithm: z.enum(RL_ALGORITHMS).default('reinforce'),
  episodes: z.int().min(1).max(100_000).default(1000),
  gamma: z.number().gt(0).max(1).default(0.99),
  /** Steps before an episode is cut off; CartPole-v1 truncates at 500. */
  maxSteps: z.int().min(1).max(500).default(500),
  /** Solved when the mean return over `solveWindow` episodes reaches this. */
  solveThreshold: z.number().positive().default(195),
  solveWindow: z.int().min(1).max(1000).default(100),
  stopWhenSolved: z.boolean().default(true),
  /** Weight of the policy-entropy bonus (exploration). */
  entropyBonus: z.number().min(0).max(1).default(0),
  /** GAE λ for actor-critic. */
  lambda: z.number().min(0).max(1).default(0.95),
  /** Periodic checkpoints every N episodes (0 never); checkpoint.everyEpochs is for epoch-based runs. */
  checkpointEveryEpisodes: z.int().min(0).max(100_000).default(100),
});
export type RlSettings = z.infer<typeof ZRlSettings>;

export const ZAutoencoderSettings = z.strictObject({
  /** Validation (else training) examples reconstructed each epoch for the UI. */
  sampleCount: z.int().min(0).max(64).default(8),
});

export const ZRunConfig = z
  .strictObject({
    paradigm: ZParadigm,
    optimizer: ZOptimizer.default({ name: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }),
    /** Starting learning rate; defaults per paradigm (see DEFAULT_LEARNING_RATE). */
    learningRate: z.number().positive().finite().optional(),
    lrSchedule: ZLearningRateSchedule.default({ type: 'constant' }),
    batchSize: z.int().min(1).max(65_536).default(32),
    epochs: z.int().min(1).max(100_000).default(10),
    /** Defaults per task (see defaultLoss). */
    loss: ZLoss.optional(),
    /** Defaults per task: accuracy for classification, mae for regression. */
    metrics: z.array(ZBatchMetric).max(BATCH_METRICS.length).optional(),
    earlyStopping: ZEarlyStopping.optional(),
    classWeights: ZClassWeights.optional(),
    /** Weigh each example by the data's sample weights (e.g. fairness reweighing). */
    sampleWeights: z.boolean().default(false),
    /** Evaluate on the dataset's validation split after every epoch. */
    useValidationSplit: z.boolean().default(true),
    seed: z.int().min(0).max(4_294_967_295).default(42),
    checkpoint: ZCheckpointSettings.default({ everyEpochs: 1, keepBest: true, monitor: 'val_loss', mode: 'auto' }),
    /** Least time between two batch-metric reports. */
    batchMetricThrottleMs: z.int().min(0).max(600_000).default(1000),
    gan: ZGanSettings.optional(),
    rl: ZRlSettings.optional(),
    autoencoder: ZAutoencoderSettings.optional(),
    /**
     * TensorFlow.js backend: `auto` (also when left out) times a few batches on every backend the
     * worker loaded that has the model's kernels and takes the fastest; or one pinned by name.
     */
    backend: ZBackendSetting.optional(),
  })
  .superRefine((config, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const loss = config.loss;
    if (loss !== undefined && !(LOSSES_BY_PARADIGM[config.paradigm] as readonly Loss[]).includes(loss)) {
      issue(['loss'], `${loss} does not fit ${config.paradigm} training; use ${LOSSES_BY_PARADIGM[config.paradigm].join(' or ')}`);
    }
    if (config.gan && config.paradigm !== 'gan') issue(['gan'], 'GAN settings only apply to GAN runs');
    if (config.rl && config.paradigm !== 'reinforcement') issue(['rl'], 'reinforcement-learning settings only apply to reinforcement runs');
    if (config.autoencoder && config.paradigm !== 'autoencoder') issue(['autoencoder'], 'autoencoder settings only apply to autoencoder runs');
    if (config.paradigm !== 'supervised') {
      if (config.classWeights !== undefined) issue(['classWeights'], 'class weights only apply to supervised classification');
      if (config.sampleWeights) issue(['sampleWeights'], 'sample weights only apply to supervised training');
      if (config.metrics?.includes('accuracy')) issue(['metrics'], `accuracy needs class labels; ${config.paradigm} runs have none`);
    }
    if (config.paradigm === 'gan' || config.paradigm === 'reinforcement') {
      if (config.earlyStopping) issue(['earlyStopping'], `early stopping is not offered for ${config.paradigm} runs`);
    }
    if (config.lrSchedule.type === 'cosine' && config.learningRate !== undefined && config.lrSchedule.minLearningRate >= config.learningRate) {
      issue(['lrSchedule', 'minLearningRate'], 'the cosine schedule must end below the starting learning rate');
    }
    if (config.metrics && new Set(config.metrics).size !== config.metrics.length) issue(['metrics'], 'a metric is listed twice');
  });
export type RunConfig = z.infer<typeof ZRunConfig>;
export type RunConfigInput = z.input<typeof ZRunConfig>;

/** Losses each paradigm can train with (the first is the default where the task gives none). */
export const LOSSES_BY_PARADIGM: Record<Paradigm, readonly Loss[]> = {
  supervised: LOSSES,
  autoencoder: ['meanSquaredError', 'binaryCrossentropy', 'meanAbsoluteError', 'huber', 'logCosh'],
  // The discriminator has one sigmoid unit; policy gradients have their own objective.
  gan: ['binaryCrossentropy'],
  reinforcement: [],
};

export const DEFAULT_LEARNING_RATE: Record<Paradigm, number> = {
  supervised: 1e-3,
  autoencoder: 1e-3,
  // Radford et al.'s DCGAN setting.
  gan: 2e-4,
  // Measured on CartPole with the policy template: 1e-2 collapses some seeds to a deterministic
  // policy early; 2e-3 solved every seed tried (see worker/rl/measure-cartpole.ts).
  reinforcement: 2e-3,
};

export type TaskKind = DatasetShape['task'];

/** What the dataset says about the targets; the trainer checks the config against it. */
export interface TrainingTarget {
  /** Supervised runs only. */
  task?: TaskKind;
  numClasses?: number;
  /** Whether the data carries per-example weights (needed by `sampleWeights: true`). */
  hasSampleWeights?: boolean;
  /** Whether a validation split exists (needed by val_* monitors). */
  hasValidation?: boolean;
}

const CLASSIFICATION_LOSSES: Record<Exclude<TaskKind, 'regression'>, readonly Loss[]> = {
  binary: ['binaryCrossentropy'],
  multiclass: ['categoricalCrossentropy', 'sparseCategoricalCrossentropy'],
};
const REGRESSION_LOSSES: readonly Loss[] = ['meanSquaredError', 'meanAbsoluteError', 'huber', 'logCosh'];

export function defaultLoss(paradigm: Paradigm, task?: TaskKind): Loss | null {
  if (paradigm === 'reinforcement') return null;
  if (paradigm !== 'supervised') return LOSSES_BY_PARADIGM[paradigm][0]!;
  switch (task) {
    case 'binary':
      return 'binaryCrossentropy';
    case 'multiclass':
      // Labels arrive as class indices, so no one-hot copy of the labels is needed.
      return 'sparseCategoricalCrossentropy';
    default:
      return 'meanSquaredError';
  }
}

export function defaultMetrics(paradigm: Paradigm, task?: TaskKind): BatchMetric[] {
  if (paradigm === 'reinforcement' || paradigm === 'gan') return [];
  if (paradigm === 'autoencoder' || task === 'regression') return ['mae'];
  return ['accuracy'];
}

/** A config with every dataset-dependent default settled: what the trainers take. */
export type ResolvedRunConfig = Omit<RunConfig, 'loss' | 'learningRate' | 'metrics' | 'gan' | 'rl' | 'autoencoder'> & {
  loss: Loss | null;
  learningRate: number;
  metrics: BatchMetric[];
  task?: TaskKind;
  numClasses?: number;
  gan: GanSettings;
  rl: RlSettings;
  autoencoder: z.infer<typeof ZAutoencoderSettings>;
};

export class RunConfigError extends InvalidInputError {
  constructor(message: string) {
    super(message);
    this.name = 'RunConfigError';
  }
}

/** Messages for everything in the config that does not fit the target (empty when it fits). */
export function checkRunConfig(config: RunConfig, target: TrainingTarget = {}): string[] {
  const problems: string[] = [];
  const { task } = target;
  if (config.paradigm === 'supervised') {
    if (!task) problems.push('supervised training needs a dataset with a label column (a task)');
    if (task && config.loss) {
      const fits = task === 'regression' ? REGRESSION_LOSSES : CLASSIFICATION_LOSSES[task];
      if (!fits.includes(config.loss)) {
        problems.push(`loss ${config.loss} does not fit a ${task} task; use ${fits.join(' or ')}`);
      }
    }
    if (task === 'regression') {
      if (config.classWeights !== undefined) problems.push('class weights need a classification task; this dataset is regression');
      if (config.metrics?.includes('accuracy')) problems.push('accuracy needs a classification task; use mae or mse for regression');
    }
    if (task === 'multiclass' && target.numClasses === undefined) problems.push('a multiclass task needs its number of classes');
    if (config.classWeights && typeof config.classWeights === 'object' && task && task !== 'regression') {
      const classes = task === 'binary' ? 2 : (target.numClasses ?? Infinity);
      const outside = Object.keys(config.classWeights).filter((k) => Number(k) >= classes);
      if (outside.length > 0) problems.push(`class weights name class ${outside.join(', ')}, but the task has ${classes} classes (0 to ${classes - 1})`);
    }
    if (config.sampleWeights && target.hasSampleWeights === false) {
      problems.push('sample weights are switched on, but the dataset has no sample weights');
    }
  }
  // The schema checks an explicit learning rate; a defaulted one is only known here.
  if (config.lrSchedule.type === 'cosine' && config.learningRate === undefined && config.lrSchedule.minLearningRate >= DEFAULT_LEARNING_RATE[config.paradigm]) {
    problems.push(
      `the cosine schedule must end below the starting learning rate (${config.lrSchedule.minLearningRate} ≥ ${DEFAULT_LEARNING_RATE[config.paradigm]}, the default for ${config.paradigm} runs); lower minLearningRate or set learningRate`,
    );
  }
  if (target.hasValidation === false || !config.useValidationSplit) {
    const why = config.useValidationSplit ? 'the dataset has no validation split' : 'the validation split is switched off';
    if (config.earlyStopping?.monitor.startsWith('val_')) problems.push(`early stopping monitors ${config.earlyStopping.monitor}, but ${why}`);
  }
  return problems;
}

/** Settles the defaults that depend on the dataset; throws RunConfigError naming every misfit. */
export function resolveRunConfig(config: RunConfig, target: TrainingTarget = {}): ResolvedRunConfig {
  const problems = checkRunConfig(config, target);
  if (problems.length > 0) throw new RunConfigError(problems.join('; '));
  const task = config.paradigm === 'supervised' ? target.task : undefined;
  return {
    ...config,
    loss: config.loss ?? defaultLoss(config.paradigm, task),
    learningRate: config.learningRate ?? DEFAULT_LEARNING_RATE[config.paradigm],
    metrics: config.metrics ?? defaultMetrics(config.paradigm, task),
    task,
    numClasses: task === 'binary' ? 2 : task === 'multiclass' ? target.numClasses : undefined,
    gan: config.gan ?? ZGanSettings.parse({}),
    rl: config.rl ?? ZRlSettings.parse({}),
    autoencoder: config.autoencoder ?? ZAutoencoderSettings.parse({}),
  };
}

export type ParseRunConfigResult = { ok: true; config: RunConfig } | { ok: false; message: string };

/** Validates untrusted input (a form post, a stored job) with a one-line message on failure. */
export function parseRunConfig(input: unknown): ParseRunConfigResult {
  const parsed = ZRunConfig.safeParse(input);
  return parsed.success ? { ok: true, config: parsed.data } : { ok: false, message: formatZodError(parsed.error) };
}

/** 'max' for accuracy-like values, 'min' for losses and errors. */
export function monitorDirection(monitor: string, mode: MonitorMode): 'min' | 'max' {
  if (mode !== 'auto') return mode;
  return /(acc|accuracy|auc|precision|recall|f1|return|reward)$/.test(monitor) ? 'max' : 'min';
}

/** Learning rate for an epoch, given how many epochs are done (0 for the first). */
export function learningRateAt(config: Pick<ResolvedRunConfig, 'learningRate' | 'lrSchedule' | 'epochs'>, epochsDone: number): number {
  const lr = config.learningRate;
  const schedule = config.lrSchedule;
  switch (schedule.type) {
    case 'constant':
      return lr;
    case 'step':
      return lr * schedule.factor ** Math.floor(epochsDone / schedule.every);
    case 'exponential':
      return lr * schedule.rate ** epochsDone;
    case 'cosine': {
      const progress = config.epochs <= 1 ? 0 : Math.min(1, epochsDone / (config.epochs - 1));
      return schedule.minLearningRate + (lr - schedule.minLearningRate) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
  }
}
