/**
 * What every trainer reports to the job handler, and the errors every trainer throws.
 *
 * Epochs count from 1 (the first pass over the data is epoch 1); `step` is the 1-based number
 * of optimizer updates since the run began, so a resumed run continues the same numbering.
 * For reinforcement learning one episode plays the part of an epoch.
 */
import { InvalidInputError } from '@/lib/errors';
import type * as tf from '@tensorflow/tfjs';
import type { PartName } from '@/lib/arch/spec';

export type Logs = Record<string, number>;

export interface BatchEndEvent {
  epoch: number;
  /** 0-based batch index within the epoch. */
  batch: number;
  step: number;
  logs: Logs;
}

export interface EpochEndEvent {
  epoch: number;
  /** Means over the epoch's batches, validation values as `val_*`, and `learning_rate`. */
  logs: Logs;
}

/** An image for the UI: row-major [height, width, channels] bytes (0–255). */
export interface SampleImage {
  width: number;
  height: number;
  channels: number;
  pixels: number[];
}

export interface SamplesEvent {
  epoch: number;
  kind: 'reconstructions' | 'generated';
  /** Reconstructions: pairs of input and output; generated: outputs only. */
  samples: { input?: SampleImage; output: SampleImage }[];
}

/** Enough to carry on after a resume: what early stopping and keep-best had seen. */
export interface TrainerState {
  epoch: number;
  step: number;
  monitors: Record<string, MonitorState>;
  /** Reinforcement learning: the returns of the latest episodes, for the rolling mean. */
  recentReturns?: number[];
}

export interface MonitorState {
  best: number | null;
  bestEpoch: number | null;
  wait: number;
}

export interface CheckpointEvent {
  /** 'epoch': the every-N-epochs save; 'best': the monitored value improved. */
  kind: 'epoch' | 'best';
  epoch: number;
  models: Partial<Record<PartName, tf.LayersModel>>;
  state: TrainerState;
  /** The monitored value for 'best'. */
  value?: number;
}

export interface TrainerHooks {
  /** Called at most once per `batchMetricThrottleMs` (and for an epoch's last batch). */
  onBatchEnd(event: BatchEndEvent): void | Promise<void>;
  onEpochEnd(event: EpochEndEvent): void | Promise<void>;
  /** Polled after every batch; true stops training before the next batch starts. */
  shouldStop(): boolean | Promise<boolean>;
  /** Awaited, so the model is not trained further while it is being saved. */
  onCheckpoint(event: CheckpointEvent): void | Promise<void>;
  onSamples(event: SamplesEvent): void | Promise<void>;
  log(line: string): void;
}

export type StopReason = 'completed' | 'early-stopping' | 'cancelled' | 'solved';

/** The loss (or a weight) left the finite numbers: the run cannot go on. */
export class DivergenceError extends InvalidInputError {
  constructor(
    readonly epoch: number,
    readonly step: number,
    readonly value: number,
    readonly quantity = 'loss',
  ) {
    super(
      `${quantity} became ${Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity'} at epoch ${epoch}, step ${step}` +
        ' — lower the learning rate, check the data for missing or extreme values, or pick a loss that fits the outputs',
    );
    this.name = 'DivergenceError';
  }
}

/** Inputs a trainer cannot work with (shapes, labels): a message for the user, not a crash. */
export class TrainingDataError extends InvalidInputError {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingDataError';
  }
}

export function checkFinite(value: number, epoch: number, step: number, quantity = 'loss'): void {
  if (!Number.isFinite(value)) throw new DivergenceError(epoch, step, value, quantity);
}

const noop = () => {};

/** Fills in the hooks a caller left out. */
export function withDefaults(hooks: Partial<TrainerHooks> = {}): TrainerHooks {
  return {
    onBatchEnd: hooks.onBatchEnd ?? noop,
    onEpochEnd: hooks.onEpochEnd ?? noop,
    shouldStop: hooks.shouldStop ?? (() => false),
    onCheckpoint: hooks.onCheckpoint ?? noop,
    onSamples: hooks.onSamples ?? noop,
    log: hooks.log ?? noop,
  };
}

/**
 * Passes batch events on at most once per `intervalMs`; `force` (an epoch's last batch) always
 * passes. `now` is injectable for tests.
 */
export function throttleBatches(hook: TrainerHooks['onBatchEnd'], intervalMs: number, now: () => number = Date.now): (event: BatchEndEvent, force?: boolean) => Promise<void> {
  let last = -Infinity;
  return async (event, force = false) => {
    const t = now();
    if (!force && t - last < intervalMs) return;
    last = t;
    await hook(event);
  };
}

/**
 * Lets timers and I/O run (heartbeats, cancellation queries) during long synchronous tfjs work:
 * awaiting a tensor's data only yields to microtasks, which starve them.
 */
export function eventLoopYielder(everyMs = 50): () => Promise<void> {
  let last = Date.now();
  return async () => {
    if (Date.now() - last < everyMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    last = Date.now();
  };
}
