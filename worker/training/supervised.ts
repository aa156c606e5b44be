/**
 * Supervised trainer: classification (binary, multiclass) and regression on a sequential model.
 *
 * The caller builds the model (buildArchitecture with the run seed) or loads it from a
 * checkpoint to resume; the data tensors stay the caller's (nothing here disposes them).
 */
import * as tf from '@tensorflow/tfjs';
import { RunConfigError, type ResolvedRunConfig } from '@/lib/schemas/runs';
import { compileForTraining } from './compile';
import { fitLoop, type FitResult } from './fit-loop';
import { TrainingDataError, withDefaults, type TrainerHooks, type TrainerState } from './hooks';
import { exampleLosses, labelEncoding, TFJS_LOSS_NAMES, type LabelEncoding } from './losses';
import { classIndices, exampleWeights, prepareTargets, readSampleWeights, resolveClassWeights } from './targets';

export interface SupervisedData {
  /** [n, ...input shape]. */
  x: tf.Tensor;
  /**
   * binary: [n] or [n, 1] of 0/1; multiclass: [n] class indices or [n, k] one-hot;
   * regression: [n] or [n, outputs].
   */
  y: tf.Tensor;
  /** [n] non-negative weights; used when the config's sampleWeights is on. */
  sampleWeights?: tf.Tensor;
  validation?: { x: tf.Tensor; y: tf.Tensor };
  /** Changes each training batch's inputs (image augmentation); validation data is left alone. */
  transformBatch?(x: tf.Tensor, epoch: number, batch: number): tf.Tensor;
}

export interface SupervisedInput {
  model: tf.LayersModel;
  data: SupervisedData;
  config: ResolvedRunConfig;
  hooks?: Partial<TrainerHooks>;
  /** Resume: epochs already done and the state saved with the checkpoint. */
  initialEpoch?: number;
  initialState?: TrainerState;
}

export interface SupervisedResult extends FitResult {
  model: tf.LayersModel;
  /** Final-epoch logs (empty when cancelled during the first epoch). */
  finalLogs: Record<string, number>;
}

export async function trainSupervised(input: SupervisedInput): Promise<SupervisedResult> {
  const { model, data, config } = input;
  const hooks = withDefaults(input.hooks);
  const task = config.task;
  if (!task || !config.loss) throw new RunConfigError('supervised training needs a resolved task and loss (see resolveRunConfig)');
  const loss = config.loss;
  const outputShape = model.outputs[0]!.shape;
  if (outputShape.length !== 2) {
    throw new TrainingDataError(`the model's output must be a vector per example, not [${outputShape.slice(1).join(', ')}]; add a flatten or dense layer at the end`);
  }
  const outputUnits = outputShape[1]!;
  const rows = data.x.shape[0]!;
  const targetOptions = { task, loss, outputUnits, numClasses: config.numClasses };

  const y = prepareTargets(data.y, { ...targetOptions, rows });
  const validation =
    data.validation && config.useValidationSplit
      ? {
          x: data.validation.x,
          y: prepareTargets(data.validation.y, { ...targetOptions, rows: data.validation.x.shape[0]!, what: 'the validation labels' }),
        }
      : undefined;
  try {
    const classes = classIndices(y, task);
    const numClasses = config.numClasses ?? outputUnits;
    const classWeights = config.classWeights && classes ? resolveClassWeights(config.classWeights, classes, numClasses) : null;
    if (classWeights) hooks.log(`class weights: ${classWeights.map((w, c) => `${c}: ${w.toFixed(3)}`).join(', ')}`);
    if (config.sampleWeights && !data.sampleWeights) {
      throw new TrainingDataError('sample weights are switched on, but the data has none');
    }
    const sampleWeights = config.sampleWeights && data.sampleWeights ? readSampleWeights(data.sampleWeights, rows) : null;

    const optimizer = compileForTraining(model, config, TFJS_LOSS_NAMES[loss], hooks.log, (yTrue, yPred) => exampleLosses(loss, yTrue, yPred).mean());
    const encoding: LabelEncoding = labelEncoding(loss, task);
    const result = await fitLoop({
      models: { model },
      forward: (x, training) => model.apply(x, { training }) as tf.Tensor,
      optimizer,
      loss,
      metrics: config.metrics,
      encoding,
      x: data.x,
      y,
      weights: exampleWeights(classWeights, classes, sampleWeights),
      validation,
      config,
      hooks,
      initialEpoch: input.initialEpoch,
      initialState: input.initialState,
      transformBatch: data.transformBatch,
    });
    const finalLogs = Object.fromEntries(Object.entries(result.history.logs).map(([k, v]) => [k, v[v.length - 1]!]));
    return { ...result, model, finalLogs };
  } finally {
    y.dispose();
    validation?.y.dispose();
  }
}
