/**
 * tfjs optimizers from the run config, and setting their learning rate between epochs.
 *
 * tfjs optimizers read their learning rate on every update, except SGD and momentum, which
 * cache it in a tensor that setLearningRate() replaces.
 */
import * as tf from '@tensorflow/tfjs';
import type { OptimizerConfig } from '@/lib/schemas/runs';

export function createOptimizer(config: OptimizerConfig, learningRate: number): tf.Optimizer {
  switch (config.name) {
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'momentum':
      return tf.train.momentum(learningRate, config.momentum, config.nesterov);
    case 'adam':
      return tf.train.adam(learningRate, config.beta1, config.beta2, config.epsilon);
    case 'adamax':
      return tf.train.adamax(learningRate, config.beta1, config.beta2, config.epsilon, config.decay);
    case 'adagrad':
      return tf.train.adagrad(learningRate, config.initialAccumulatorValue);
    case 'adadelta':
      return tf.train.adadelta(learningRate, config.rho, config.epsilon);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate, config.decay, config.momentum, config.epsilon, config.centered);
  }
}

/** tfjs's class name for each optimizer (what a saved training config records). */
export const OPTIMIZER_CLASS_NAMES: Record<OptimizerConfig['name'], string> = {
  sgd: 'SGD',
  momentum: 'Momentum',
  adam: 'Adam',
  adamax: 'Adamax',
  adagrad: 'Adagrad',
  adadelta: 'Adadelta',
  rmsprop: 'RMSProp',
};

export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  // By class name: tfjs optimizers answer `instanceof` for any optimizer class.
  const name = optimizer.getClassName();
  if (name === 'SGD' || name === 'Momentum') {
    (optimizer as tf.SGDOptimizer).setLearningRate(learningRate);
    return;
  }
  (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
}

export function getLearningRate(optimizer: tf.Optimizer): number {
  return (optimizer as unknown as { learningRate: number }).learningRate;
}

/** Whether tfjs can save this optimizer's state (its Adamax cannot: getWeights() throws). */
export function canSaveOptimizerState(optimizer: tf.Optimizer): boolean {
  return optimizer.getClassName() !== 'Adamax';
}
