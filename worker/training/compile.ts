/**
 * Gives a model its optimizer. Trainers run their own loop, but compiling still matters: it is
 * what lets model.save(…, { includeOptimizer: true }) store the optimizer and its state.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ResolvedRunConfig } from '@/lib/schemas/runs';
import { createOptimizer, OPTIMIZER_CLASS_NAMES } from './optimizers';

/**
 * Returns the optimizer to train with. A model loaded from a checkpoint with its optimizer
 * keeps it (and its moments and step count) when it is the configured kind; anything else gets
 * a fresh optimizer. `lossName` is tfjs's name for the loss; without one (huber) the saved
 * training config lists no loss.
 */
export function compileForTraining(
  model: tf.LayersModel,
  config: Pick<ResolvedRunConfig, 'optimizer' | 'learningRate'>,
  lossName: string | null,
  log: (line: string) => void,
  lossFn: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor,
): tf.Optimizer {
  const wanted = OPTIMIZER_CLASS_NAMES[config.optimizer.name];
  const existing = model.optimizer as tf.Optimizer | undefined;
  if (existing && existing.getClassName() === wanted) {
    log(`continuing with the checkpoint's ${wanted} optimizer state (${existing.iterations} updates so far)`);
    return existing;
  }
  if (existing) log(`the checkpoint's optimizer is ${existing.getClassName()}, the run asks for ${wanted}: starting a fresh one`);
  const optimizer = createOptimizer(config.optimizer, config.learningRate);
  model.compile({ optimizer, loss: lossName ?? lossFn });
  return optimizer;
}

/**
 * Frees models and their optimizers. tfjs's model.dispose() leaves an optimizer it was given
 * (not created from a name) alive, which is how every optimizer here is passed in.
 */
export function disposeModels(models: Iterable<tf.LayersModel | undefined>): void {
  const optimizers = new Set<tf.Optimizer>();
  for (const model of models) {
    if (!model) continue;
    if (model.optimizer) optimizers.add(model.optimizer);
    model.dispose();
  }
  for (const optimizer of optimizers) optimizer.dispose();
}
