/**
 * Per-run backend choice. With the `auto` setting, every backend the worker loaded that has all
 * the kernels this model's training step runs (forward, gradients, optimizer — found by profiling
 * one tiny step on cpu and looking each kernel up in tfjs's registry, so a backend that gains a
 * kernel becomes a candidate without a code change) trains a few real batches of this model at
 * this batch size; the fastest wins. The choice is cached per worker host, architecture version
 * and batch size, so only the first run of a model pays for the timing.
 */
import { UnavailableError } from '@/lib/errors';
import * as tf from '@tensorflow/tfjs';
import type { BackendCandidate, BackendChoice, BackendName, BackendSetting } from '@/lib/schemas/backends';
import type { ArchitectureSpec } from '@/lib/arch/spec';
import type { RunConfig, TrainingTarget } from '@/lib/schemas/runs';
import { DivergenceError } from './hooks';
import type { RunData } from './train-run';
import { trainRun } from './train-run';

// ---------------------------------------------------------------------------------------------
// The decision (pure: timings and kernel support are injected)

export interface Measurement {
  msPerBatch: number;
  /** Batches timed after the warm-up one; 0 when the warm-up alone showed it is far slower. */
  batchesTimed: number;
}

export interface AutotuneCache {
  get(): Promise<{ backend: BackendName; candidates: BackendCandidate[] } | null>;
  put(backend: BackendName, candidates: BackendCandidate[]): Promise<void>;
}

export interface ChooseBackendInput {
  /** Backends loaded on this worker, in preference order. */
  available: BackendName[];
  setting: BackendSetting;
  /** Why the backend cannot train this model (a missing kernel), or null. */
  unsupported(backend: BackendName): string | null;
  /** Times a few training batches; `bestMs` is the fastest candidate so far (to give up early). */
  measure(backend: BackendName, bestMs: number | null): Promise<Measurement>;
  cache?: AutotuneCache;
  batchSize?: number;
  /** Why a pinned backend is missing here (from the worker's load attempts). */
  whyUnavailable?(backend: BackendName): string | undefined;
  now?: () => Date;
}

export class BackendUnavailableError extends UnavailableError {
  constructor(message: string) {
    super(message);
    this.name = 'BackendUnavailableError';
  }
}

function reasonOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 300);
}

export async function chooseBackend(input: ChooseBackendInput): Promise<BackendChoice> {
  const { available, setting, batchSize } = input;
  const decidedAt = (input.now?.() ?? new Date()).toISOString();
  const base = { batchSize, decidedAt };
  if (setting !== 'auto') {
    if (!available.includes(setting)) {
      const why = input.whyUnavailable?.(setting);
      throw new BackendUnavailableError(`the run pins the ${setting} backend, which is not loaded on this worker${why ? ` (${why})` : ''}; loaded: ${available.join(', ')}`);
    }
    return { mode: 'pinned', backend: setting, cached: false, candidates: [], ...base };
  }
  if (available.length === 1) {
    return { mode: 'worker', backend: available[0]!, cached: false, candidates: [{ backend: available[0]!, ok: true, reason: 'the only backend this worker loaded' }], ...base };
  }

  const hit = await input.cache?.get();
  if (hit && available.includes(hit.backend) && input.unsupported(hit.backend) === null) {
    return { mode: 'auto', backend: hit.backend, cached: true, candidates: hit.candidates, ...base };
  }

  const candidates: BackendCandidate[] = available.map((backend) => {
    const reason = input.unsupported(backend);
    return reason ? { backend, ok: false, reason } : { backend, ok: true };
  });
  const supported = candidates.filter((c) => c.ok);
  if (supported.length === 0) throw new BackendUnavailableError(`no loaded backend can train this model: ${candidates.map((c) => `${c.backend}: ${c.reason}`).join('; ')}`);
  if (supported.length === 1) {
    supported[0]!.reason = 'not timed: the only loaded backend with every kernel this model needs';
  } else {
    let best: number | null = null;
    for (const c of supported) {
      try {
        const m = await input.measure(c.backend, best);
        c.msPerBatch = round(m.msPerBatch);
        c.batchesTimed = m.batchesTimed;
        if (batchSize) c.samplesPerSec = round((batchSize * 1000) / m.msPerBatch);
        if (m.batchesTimed === 0) c.reason = 'stopped after the warm-up batch: far slower than the best so far';
        best = best === null ? m.msPerBatch : Math.min(best, m.msPerBatch);
      } catch (err) {
        c.ok = false;
        c.reason = `failed while timing: ${reasonOf(err)}`;
      }
    }
  }
  const ranked = candidates.filter((c) => c.ok).sort((a, b) => (a.msPerBatch ?? 0) - (b.msPerBatch ?? 0));
  const winner = ranked[0];
  if (!winner) {
    // Every timing failed (a loss that diverges at once fails them all alike): train on the
    // preferred supported backend, so the run reports the real error; nothing is cached.
    return { mode: 'auto', backend: supported[0]!.backend, cached: false, candidates, ...base };
  }
  await input.cache?.put(winner.backend, candidates);
  return { mode: 'auto', backend: winner.backend, cached: false, candidates, ...base };
}

const round = (v: number) => Math.round(v * 100) / 100;

/** One line for the run log. */
export function describeChoice(choice: BackendChoice): string {
  if (choice.mode === 'pinned') return `backend ${choice.backend} (pinned by the run)`;
  if (choice.mode === 'worker') return `backend ${choice.backend} (the only one on this worker)`;
  const timed = choice.candidates.map((c) => (c.ok ? (c.msPerBatch !== undefined ? `${c.backend} ${c.msPerBatch} ms/batch` : `${c.backend} (only candidate)`) : `${c.backend} skipped: ${c.reason}`));
  return `backend ${choice.backend} chosen by autotuning${choice.cached ? ' (cached for this architecture version and batch size)' : ''}: ${timed.join('; ')}`;
}

// ---------------------------------------------------------------------------------------------
// Kernel support and timing with TensorFlow.js

export interface TrainingProbeInput {
  spec: ArchitectureSpec;
  config: RunConfig;
  target?: TrainingTarget;
  data: RunData;
}

/** The run's config made into a probe: no checkpoints, no early stopping, stopped by shouldStop. */
function probeConfig(config: RunConfig, batchSize: number): RunConfig {
  return {
    ...config,
    batchSize,
    epochs: 100_000,
    earlyStopping: undefined,
    sampleWeights: false,
    useValidationSplit: false,
    batchMetricThrottleMs: 600_000,
    checkpoint: { ...config.checkpoint, everyEpochs: 0, keepBest: false },
    ...(config.rl ? { rl: { ...config.rl, episodes: 100_000, checkpointEveryEpisodes: 0, stopWhenSolved: false } } : {}),
    ...(config.autoencoder ? { autoencoder: { ...config.autoencoder, sampleCount: 0 } } : {}),
  };
}

/** The first `rows` examples (made on the active backend, so the full data is not moved). */
function sliceData(data: RunData, rows: number): RunData {
  const head = (t: tf.Tensor | undefined) => (t ? t.slice([0], [Math.min(rows, t.shape[0]!)]) : undefined);
  return { x: head(data.x), y: head(data.y) };
}

/**
 * Slices the data where it lives, switches to `tfBackend`, trains until `shouldStop`, and puts
 * the previous backend back.
 */
async function runSteps(input: TrainingProbeInput, tfBackend: string, batchSize: number, rows: number, shouldStop: () => boolean): Promise<void> {
  const data = sliceData(input.data, rows);
  const previous = tf.getBackend();
  try {
    await tf.setBackend(tfBackend);
    const result = await trainRun({
      spec: input.spec,
      config: probeConfig(input.config, batchSize),
      target: input.target ? { ...input.target, hasValidation: false, hasSampleWeights: false } : { hasValidation: false, hasSampleWeights: false },
      data,
      hooks: { shouldStop },
    });
    result.dispose();
  } finally {
    tf.dispose([data.x, data.y].filter((t): t is tf.Tensor => t !== undefined));
    await tf.setBackend(previous);
  }
}

/**
 * Names of the kernels one training step of this model runs, found by profiling a two-example
 * step on the cpu backend (which has every kernel). The active backend is restored.
 */
export async function trainingKernels(input: TrainingProbeInput): Promise<string[]> {
  const info = await tf.profile(async () => {
    await runSteps(input, 'cpu', 2, 2, () => true);
  });
  // The profile also lists custom-gradient ops ('fusedMatMul__op'); only registry lookups count,
  // and on cpu every one that ran is registered.
  return [...new Set(info.kernelNames)].filter((k) => tf.getKernel(k, 'cpu') !== undefined).sort();
}

/** The kernels `tfBackend` lacks among `kernels` (tf.getKernel looks them up in the registry). */
export function missingKernels(kernels: string[], tfBackend: string): string[] {
  return kernels.filter((k) => !tf.getKernel(k, tfBackend));
}

export interface TimingOptions {
  /** Batches timed after the warm-up batch. */
  batches?: number;
  /** Stop timing once this much time has passed after the warm-up (at least one batch is timed). */
  maxMs?: number;
}

/**
 * Trains a few real batches of the model on `tfBackend` and returns the mean time per batch after
 * a warm-up batch (which builds the model and compiles kernels). When the warm-up alone takes
 * longer than `giveUpAfterMs`, stops there (batchesTimed 0) and reports the warm-up time.
 */
export async function measureTraining(tfBackend: string, input: TrainingProbeInput, opts: TimingOptions & { giveUpAfterMs?: number } = {}): Promise<Measurement> {
  const batches = opts.batches ?? 3;
  const maxMs = opts.maxMs ?? 3000;
  const batchSize = input.config.batchSize;
  const marks: number[] = [];
  const started = performance.now();
  try {
    await runSteps(input, tfBackend, batchSize, (batches + 1) * batchSize, () => {
      const now = performance.now();
      marks.push(now);
      if (marks.length === 1 && opts.giveUpAfterMs !== undefined && now - started > opts.giveUpAfterMs) return true;
      return marks.length > batches || (marks.length >= 2 && now - marks[0]! > maxMs);
    });
  } catch (err) {
    // A loss that diverges within the timed batches still timed them; the run itself will report it.
    if (!(err instanceof DivergenceError && marks.length >= 2)) throw err;
  }
  if (marks.length === 0) throw new Error('no training batch ran');
  if (marks.length === 1) return { msPerBatch: marks[0]! - started, batchesTimed: 0 };
  return { msPerBatch: (marks.at(-1)! - marks[0]!) / (marks.length - 1), batchesTimed: marks.length - 1 };
}
