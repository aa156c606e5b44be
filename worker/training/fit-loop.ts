/**
 * The epoch/batch loop shared by the supervised and autoencoder trainers.
 *
 * Our own loop rather than tfjs's fit(), because fit() cannot do what runs need: it shuffles
 * with Math.random (here: seeded per epoch), has no sample weights (here: class × sample weight
 * per example), only checks for a stop between batches through a synchronous flag (here: an
 * awaited shouldStop), and gives no step number for a diverging loss. The maths is fit()'s:
 * optimizer.minimize over the model's trainable variables with the layers in training mode.
 */
import * as tf from '@tensorflow/tfjs';
import type { PartName } from '@/lib/arch/spec';
import { learningRateAt, type BatchMetric, type Loss, type ResolvedRunConfig } from '@/lib/schemas/runs';
import { batchCount, batchIndices, chunks, epochOrder, gatherRows } from './batches';
import { checkFinite, eventLoopYielder, throttleBatches, type Logs, type StopReason, type TrainerHooks, type TrainerState } from './hooks';
import { batchMetrics, exampleLosses, reduceLoss, type LabelEncoding } from './losses';
import { Monitor } from './monitor';
import { setLearningRate } from './optimizers';

export interface History {
  epoch: number[];
  logs: Record<string, number[]>;
}

export interface FitResult {
  history: History;
  stopReason: StopReason;
  /** The last epoch that ran to its end (initialEpoch when none did). */
  lastEpoch: number;
  state: TrainerState;
}

export interface FitLoopInput {
  /** The models whose weights train: checkpoints save them, early stopping restores them. */
  models: Partial<Record<PartName, tf.LayersModel>>;
  forward(x: tf.Tensor, training: boolean): tf.Tensor;
  optimizer: tf.Optimizer;
  loss: Loss;
  metrics: readonly BatchMetric[];
  encoding: LabelEncoding;
  x: tf.Tensor;
  /** Targets in the loss's form (see prepareTargets). */
  y: tf.Tensor;
  /** One weight per example, or null. */
  weights: Float32Array | null;
  validation?: { x: tf.Tensor; y: tf.Tensor };
  config: ResolvedRunConfig;
  hooks: TrainerHooks;
  /** Epochs already done (a resumed run); state restores early stopping and keep-best. */
  initialEpoch?: number;
  initialState?: TrainerState;
  /** Runs after each epoch's onEpochEnd, e.g. to send sample reconstructions. */
  afterEpoch?(epoch: number): Promise<void>;
  /** Changes a training batch's inputs before the forward pass (data augmentation). */
  transformBatch?(x: tf.Tensor, epoch: number, batch: number): tf.Tensor;
}

const EVAL_CHUNK = 1024;

export function trainableVariables(models: Iterable<tf.LayersModel>): tf.Variable[] {
  return [...models].flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable));
}

export async function fitLoop(input: FitLoopInput): Promise<FitResult> {
  const { config, hooks, optimizer, x, y } = input;
  const n = x.shape[0]!;
  if (n === 0) throw new Error('no training examples');
  const models = Object.values(input.models) as tf.LayersModel[];
  const variables = trainableVariables(models);
  const batches = batchCount(n, config.batchSize);
  const initialEpoch = input.initialEpoch ?? 0;
  let step = input.initialState?.step ?? initialEpoch * batches;
  const metricNames = input.metrics;
  const report = throttleBatches(hooks.onBatchEnd, config.batchMetricThrottleMs);
  const yieldNow = eventLoopYielder();

  const early = config.earlyStopping ? new Monitor(config.earlyStopping.monitor, config.earlyStopping.mode, config.earlyStopping.minDelta, hooks.log) : null;
  const best = config.checkpoint.keepBest ? new Monitor(config.checkpoint.monitor, config.checkpoint.mode, 0, hooks.log) : null;
  if (early && input.initialState?.monitors.early) early.state = input.initialState.monitors.early;
  if (best && input.initialState?.monitors.best) best.state = input.initialState.monitors.best;
  let bestWeights: tf.Tensor[] | null = null;

  const history: History = { epoch: [], logs: {} };
  let stopReason: StopReason = 'completed';
  let lastEpoch = initialEpoch;
  const state = (): TrainerState => ({
    epoch: lastEpoch,
    step,
    monitors: { ...(early ? { early: early.state } : {}), ...(best ? { best: best.state } : {}) },
  });

  try {
    for (let epoch = initialEpoch + 1; epoch <= config.epochs; epoch++) {
      const learningRate = learningRateAt(config, epoch - 1);
      setLearningRate(optimizer, learningRate);
      const order = epochOrder(n, config.seed, epoch);
      const sums = new Array<number>(metricNames.length + 1).fill(0);
      let seen = 0;
      let cancelled = false;

      for (let batch = 0; batch < batches; batch++) {
        const indices = batchIndices(order, config.batchSize, batch);
        const [gathered, yb] = gatherRows([x, y], indices);
        const xb = input.transformBatch ? input.transformBatch(gathered!, epoch, batch) : gathered;
        if (xb !== gathered) gathered!.dispose();
        const wb = input.weights ? tf.tensor1d(Array.from(indices, (i) => input.weights![i]!)) : undefined;
        let prediction: tf.Tensor | null = null;
        let values: number[];
        try {
          const loss = optimizer.minimize(
            () => {
              const out = input.forward(xb!, true);
              prediction = tf.keep(out);
              return reduceLoss(exampleLosses(input.loss, yb!, out), wb);
            },
            true,
            variables,
          )!;
          const metrics = batchMetrics(metricNames, input.encoding, yb!, prediction!);
          values = [...(await loss.data()), ...metrics.map((m) => m.dataSync()[0]!)];
          tf.dispose([loss, ...metrics]);
        } finally {
          tf.dispose([xb!, yb!, ...(wb ? [wb] : []), ...(prediction ? [prediction] : [])]);
        }
        step++;
        checkFinite(values[0]!, epoch, step);
        values.forEach((v, i) => (sums[i]! += v * indices.length));
        seen += indices.length;
        await report({ epoch, batch, step, logs: toLogs(metricNames, values) }, batch === batches - 1);
        await yieldNow();
        if (await hooks.shouldStop()) {
          cancelled = true;
          break;
        }
      }
      if (cancelled) {
        stopReason = 'cancelled';
        hooks.log(`stopped on request during epoch ${epoch}, after step ${step}`);
        break;
      }

      const logs: Logs = toLogs(
        metricNames,
        sums.map((s) => s / seen),
      );
      if (input.validation && config.useValidationSplit) {
        Object.assign(logs, evaluate(input, input.validation.x, input.validation.y, 'val_'));
      }
      logs.learning_rate = learningRate;
      lastEpoch = epoch;
      history.epoch.push(epoch);
      for (const [key, value] of Object.entries(logs)) (history.logs[key] ??= []).push(value);
      await hooks.onEpochEnd({ epoch, logs });
      await input.afterEpoch?.(epoch);

      let stop = false;
      if (early) {
        const { improved } = early.update(epoch, logs);
        if (improved && config.earlyStopping!.restoreBestWeights) {
          tf.dispose(bestWeights ?? []);
          bestWeights = models.flatMap((m) => m.getWeights().map((w) => tf.keep(w.clone())));
        }
        stop = early.state.wait >= config.earlyStopping!.patience && epoch < config.epochs;
      }
      if (best) {
        const { improved, value } = best.update(epoch, logs);
        if (improved) await hooks.onCheckpoint({ kind: 'best', epoch, models: input.models, state: state(), value: value! });
      }
      if (config.checkpoint.everyEpochs > 0 && epoch % config.checkpoint.everyEpochs === 0) {
        await hooks.onCheckpoint({ kind: 'epoch', epoch, models: input.models, state: state() });
      }
      if (stop) {
        stopReason = 'early-stopping';
        const { best: bestValue, bestEpoch } = early!.state;
        hooks.log(`early stopping after epoch ${epoch}: ${early!.monitor} has not improved on ${bestValue} (epoch ${bestEpoch}) for ${config.earlyStopping!.patience} epochs`);
        if (bestWeights) {
          let offset = 0;
          for (const m of models) {
            const count = m.getWeights().length;
            m.setWeights(bestWeights.slice(offset, offset + count));
            offset += count;
          }
          hooks.log(`restored the weights of epoch ${bestEpoch}`);
        }
        break;
      }
      // A stop request that arrived during the epoch's end (e.g. a sweep pruning the run) stops
      // here, at the epoch boundary, rather than after one batch of the next epoch.
      if (epoch < config.epochs && (await hooks.shouldStop())) {
        stopReason = 'cancelled';
        hooks.log(`stopped on request after epoch ${epoch}`);
        break;
      }
    }
  } finally {
    tf.dispose(bestWeights ?? []);
  }
  return { history, stopReason, lastEpoch, state: state() };
}

function toLogs(metricNames: readonly string[], values: number[]): Logs {
  const logs: Logs = { loss: values[0]! };
  metricNames.forEach((name, i) => (logs[name] = values[i + 1]!));
  return logs;
}

/** Loss and metrics over a whole data set, in inference mode. */
export function evaluate(input: Pick<FitLoopInput, 'forward' | 'loss' | 'metrics' | 'encoding'>, x: tf.Tensor, y: tf.Tensor, prefix = ''): Logs {
  const n = x.shape[0]!;
  const sums = new Array<number>(input.metrics.length + 1).fill(0);
  for (const [start, size] of chunks(n, EVAL_CHUNK)) {
    const values = tf.tidy(() => {
      const xb = x.slice(start, size);
      const yb = y.slice(start, size);
      const out = input.forward(xb, false);
      return [tf.mean(exampleLosses(input.loss, yb, out)), ...batchMetrics(input.metrics, input.encoding, yb, out)].map((t) => t.dataSync()[0]!);
    });
    values.forEach((v, i) => (sums[i]! += v * size));
  }
  const logs = toLogs(
    input.metrics,
    sums.map((s) => s / n),
  );
  return Object.fromEntries(Object.entries(logs).map(([k, v]) => [prefix + k, v]));
}
