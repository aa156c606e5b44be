/**
 * Losses per example (so class and sample weights can scale each one) and batch metrics.
 *
 * The formulas and the probability clipping (ε = 1e-7) are Keras's. A batch's loss is
 * Σ wᵢ·lossᵢ / batch size, Keras's "sum over batch size" reduction, so weights that average 1
 * keep the loss on the unweighted scale.
 */
import * as tf from '@tensorflow/tfjs';
import type { BatchMetric, Loss } from '@/lib/schemas/runs';

const EPSILON = 1e-7;

/** Mean over every axis but the batch axis: [b, ...] → [b]. */
function perExample(values: tf.Tensor): tf.Tensor1D {
  if (values.rank === 1) return values as tf.Tensor1D;
  return values.reshape([values.shape[0]!, -1]).mean(1) as tf.Tensor1D;
}

function crossentropy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor1D {
  // Outputs that are not already a distribution (e.g. a linear head) are normalised, as in Keras.
  const p = tf.clipByValue(tf.div(yPred, tf.sum(yPred, -1, true)), EPSILON, 1 - EPSILON);
  return perExample(tf.neg(tf.sum(tf.mul(yTrue, tf.log(p)), -1)));
}

/**
 * Loss of each example. Targets must already have the prediction's shape, except for sparse
 * categorical crossentropy, which takes class indices of shape [b].
 */
export function exampleLosses(loss: Loss, yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    switch (loss) {
      case 'binaryCrossentropy': {
        const p = tf.clipByValue(yPred, EPSILON, 1 - EPSILON);
        const terms = tf.add(tf.mul(yTrue, tf.log(p)), tf.mul(tf.sub(1, yTrue), tf.log(tf.sub(1, p))));
        return perExample(tf.neg(terms));
      }
      case 'categoricalCrossentropy':
        return crossentropy(yTrue, yPred);
      case 'sparseCategoricalCrossentropy': {
        const classes = yPred.shape[yPred.shape.length - 1]!;
        return crossentropy(tf.oneHot(tf.cast(yTrue.flatten(), 'int32'), classes).cast('float32'), yPred);
      }
      case 'meanSquaredError':
        return perExample(tf.squaredDifference(yTrue, yPred));
      case 'meanAbsoluteError':
        return perExample(tf.abs(tf.sub(yTrue, yPred)));
      case 'huber': {
        // δ = 1: quadratic within 1 of the target, linear beyond.
        const error = tf.abs(tf.sub(yTrue, yPred));
        const quadratic = tf.minimum(error, 1);
        return perExample(tf.add(tf.mul(0.5, tf.square(quadratic)), tf.sub(error, quadratic)));
      }
      case 'logCosh': {
        // log(cosh(x)) = x + softplus(−2x) − log 2, which does not overflow for large |x|.
        const x = tf.sub(yPred, yTrue);
        return perExample(tf.sub(tf.add(x, tf.softplus(tf.mul(-2, x))), Math.log(2)));
      }
    }
  });
}

/** Σ wᵢ·lossᵢ / b, or the plain mean without weights. */
export function reduceLoss(losses: tf.Tensor1D, weights?: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => (weights ? tf.div(tf.sum(tf.mul(losses, weights)), losses.shape[0]!) : tf.mean(losses)) as tf.Scalar);
}

/** tfjs-layers' name for each loss, for the training config saved with a model; huber has none. */
export const TFJS_LOSS_NAMES: Record<Loss, string | null> = {
  binaryCrossentropy: 'binaryCrossentropy',
  categoricalCrossentropy: 'categoricalCrossentropy',
  sparseCategoricalCrossentropy: 'sparseCategoricalCrossentropy',
  meanSquaredError: 'meanSquaredError',
  meanAbsoluteError: 'meanAbsoluteError',
  huber: null,
  logCosh: 'logcosh',
};

/** How targets encode classes, which decides how accuracy compares them. */
export type LabelEncoding = 'binary' | 'sparse' | 'one-hot' | 'none';

export function labelEncoding(loss: Loss, task: string | undefined): LabelEncoding {
  if (task === 'binary') return 'binary';
  if (task === 'multiclass') return loss === 'sparseCategoricalCrossentropy' ? 'sparse' : 'one-hot';
  return 'none';
}

/** One scalar per metric for a batch (unweighted, as Keras's plain metrics are). */
export function batchMetrics(metrics: readonly BatchMetric[], encoding: LabelEncoding, yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar[] {
  return metrics.map((metric) =>
    tf.tidy(() => {
      switch (metric) {
        case 'accuracy':
          return accuracy(encoding, yTrue, yPred);
        case 'mae':
          return tf.mean(tf.abs(tf.sub(yTrue, yPred))) as tf.Scalar;
        case 'mse':
          return tf.mean(tf.squaredDifference(yTrue, yPred)) as tf.Scalar;
      }
    }),
  );
}

function accuracy(encoding: LabelEncoding, yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  switch (encoding) {
    case 'binary':
      return tf.mean(tf.equal(tf.greater(yPred, 0.5), tf.greater(yTrue, 0.5)).cast('float32')) as tf.Scalar;
    case 'sparse':
      return tf.mean(tf.equal(tf.argMax(yPred, -1), tf.cast(yTrue.flatten(), 'int32')).cast('float32')) as tf.Scalar;
    case 'one-hot':
      return tf.mean(tf.equal(tf.argMax(yPred, -1), tf.argMax(yTrue, -1)).cast('float32')) as tf.Scalar;
    case 'none':
      throw new Error('accuracy needs class labels');
  }
}
