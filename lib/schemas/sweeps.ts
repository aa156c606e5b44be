/**
 * Hyperparameter sweeps: the one schema for a sweep, shared by the sweep form, the tRPC router,
 * the scheduler and the tests.
 *
 * A sweep pins what a run pins (architecture version, dataset version, a base run configuration)
 * and adds a search space over paths of the run configuration (`learningRate`, `batchSize`,
 * `optimizer.beta1` …). The scheduler creates one run per trial, at most `parallelism` at a time,
 * until `maxRuns` trials exist. Optional median early stopping prunes a run whose objective is
 * worse than the median of the completed runs at the same epoch (Optuna's MedianPruner).
 *
 * Everything that can be checked without the database is checked here, with messages that name
 * the parameter (see lib/sweeps/space.ts).
 */
import { z } from 'zod';
import { sweepProblems } from '../sweeps/space';
import { ZRunConfig } from './runs';

export const SWEEP_STATUSES = ['RUNNING', 'FINISHED', 'CANCELLED'] as const;
export type SweepStatus = (typeof SWEEP_STATUSES)[number];

export const SWEEP_METHODS = ['grid', 'random'] as const;
export const ZSweepMethod = z.enum(SWEEP_METHODS);
export type SweepMethod = z.infer<typeof ZSweepMethod>;

const Finite = z.number().finite();
const GridPoints = z.int().min(2).max(100).optional();

export const ZChoiceValue = z.union([Finite, z.string().min(1).max(100), z.boolean()]);
export type ChoiceValue = z.infer<typeof ZChoiceValue>;

/** One dimension of the search space. */
export const ZSweepParameter = z.discriminatedUnion('type', [
  /** One of a list (numbers, strings such as optimizer names, booleans). */
  z.strictObject({ type: z.literal('choice'), values: z.array(ZChoiceValue).min(1).max(100) }),
  /** A float in [low, high]; a grid takes `gridPoints` evenly spaced values. */
  z.strictObject({ type: z.literal('uniform'), low: Finite, high: Finite, gridPoints: GridPoints }),
  /** A float whose logarithm is uniform in [log low, log high] (learning rates); a grid spaces `gridPoints` geometrically. */
  z.strictObject({ type: z.literal('log-uniform'), low: Finite, high: Finite, gridPoints: GridPoints }),
  /** An integer low, low + step, … ≤ high (batch sizes, epochs, patience). */
  z.strictObject({ type: z.literal('int-uniform'), low: z.int(), high: z.int(), step: z.int().min(1).default(1) }),
]);
export type SweepParameter = z.infer<typeof ZSweepParameter>;
export const SWEEP_PARAMETER_TYPES = ['choice', 'uniform', 'log-uniform', 'int-uniform'] as const;

/** A path into the run configuration: `learningRate`, `optimizer.beta1`, `earlyStopping.patience`. */
export const ZConfigPath = z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*(\.[a-zA-Z][a-zA-Z0-9]*)*$/, 'name a run-configuration field such as learningRate, batchSize or optimizer.beta1');

export const ZSweepSpace = z
  .record(ZConfigPath, ZSweepParameter)
  .refine((s) => Object.keys(s).length >= 1, 'the search space needs at least one parameter')
  .refine((s) => Object.keys(s).length <= 20, 'a search space has at most 20 parameters');
export type SweepSpace = z.infer<typeof ZSweepSpace>;

/**
 * What the sweep optimises: a logged value, named like early stopping's monitor (`val_loss`,
 * `accuracy`), or a test-set metric after training (`test_accuracy`, `test_roc_auc`).
 */
export const ZSweepObjective = z.strictObject({
  metric: z.string().regex(/^(val_|test_)?[a-z][a-z0-9_]*$/, "name a logged value such as 'val_loss', 'val_accuracy' or 'test_accuracy'"),
  direction: z.enum(['min', 'max']),
  /** A run's objective: its last value, or the best over its epochs. */
  summary: z.enum(['last', 'best']).default('last'),
});
export type SweepObjective = z.infer<typeof ZSweepObjective>;

/** Median early stopping (Optuna's MedianPruner): epochs are the steps. */
export const ZMedianStopping = z.strictObject({
  /** No run is stopped before it has finished this many epochs. */
  warmupEpochs: z.int().min(0).max(10_000).default(1),
  /** Nothing is stopped until this many runs of the sweep have completed. */
  startupRuns: z.int().min(1).max(1000).default(2),
});
export type MedianStopping = z.infer<typeof ZMedianStopping>;

export const MAX_SWEEP_RUNS = 1000;

export const ZSweepSettings = z.strictObject({
  method: ZSweepMethod,
  /** Seeds random sampling (and the order of a grid cut short by the budget). */
  seed: z.int().min(0).max(4_294_967_295).default(0),
  space: ZSweepSpace,
  /** The run budget; a grid's budget is at most its number of points. */
  maxRuns: z.int().min(1).max(MAX_SWEEP_RUNS),
  /** Runs of the sweep queued or running at once. */
  parallelism: z.int().min(1).max(50).default(2),
  objective: ZSweepObjective,
  earlyStopping: ZMedianStopping.nullable().default(null),
});
export type SweepSettings = z.infer<typeof ZSweepSettings>;

export const ZCreateSweepInput = z
  .object({
    projectId: z.string().min(1),
    name: z.string().trim().min(1, 'give the sweep a name').max(120),
    architectureId: z.string().min(1),
    /** Defaults to the architecture's latest version. */
    architectureVersion: z.int().min(1).optional(),
    /** Not needed for reinforcement learning. */
    datasetId: z.string().min(1).optional(),
    datasetVersion: z.int().min(1).optional(),
    /** The base run configuration; each trial overrides the space's paths. */
    config: ZRunConfig,
  })
  .extend(ZSweepSettings.shape)
  .superRefine((input, ctx) => {
    for (const p of sweepProblems(input)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
  });
export type CreateSweepInput = z.input<typeof ZCreateSweepInput>;
export type CreateSweep = z.infer<typeof ZCreateSweepInput>;

export const ZSweepRef = z.object({ sweepId: z.string().min(1) });
