/**
 * Supervised targets: shaping labels to the model's output, checking them against the task,
 * and turning class weights and sample weights into one weight per example.
 */
import * as tf from '@tensorflow/tfjs';
import type { ClassWeights, Loss, TaskKind } from '@/lib/schemas/runs';
import { TrainingDataError } from './hooks';

function sameCount(what: string, n: number, expected: number): void {
  if (n !== expected) throw new TrainingDataError(`${what} has ${n} rows but the inputs have ${expected}`);
}

/**
 * Labels in the form the loss takes: [n, units] floats, or [n] class indices (int32) for
 * sparse categorical crossentropy. Throws TrainingDataError naming the first bad label.
 */
export function prepareTargets(y: tf.Tensor, options: { task: TaskKind; loss: Loss; outputUnits: number; numClasses?: number; rows: number; what?: string }): tf.Tensor {
  const what = options.what ?? 'the labels';
  sameCount(what, y.shape[0] ?? 0, options.rows);
  const flatWidth = y.size / Math.max(1, y.shape[0]!);
  const values = y.dataSync();
  const { task, outputUnits } = options;
  if (task === 'binary') {
    if (outputUnits !== 1) {
      throw new TrainingDataError(`a binary task needs a model with one sigmoid output unit; this model has ${outputUnits} outputs`);
    }
    if (flatWidth !== 1) throw new TrainingDataError(`binary ${what} need one value per row, not ${flatWidth}`);
    const bad = values.findIndex((v) => v !== 0 && v !== 1);
    if (bad >= 0) throw new TrainingDataError(`binary ${what} must be 0 or 1; row ${bad + 1} has ${values[bad]}`);
    return tf.tidy(() => y.reshape([options.rows, 1]).cast('float32'));
  }
  if (task === 'multiclass') {
    const k = options.numClasses ?? outputUnits;
    if (outputUnits !== k) {
      throw new TrainingDataError(`a ${k}-class task needs ${k} output units (softmax); this model has ${outputUnits}`);
    }
    if (options.loss === 'sparseCategoricalCrossentropy' || flatWidth === 1) {
      if (flatWidth !== 1) throw new TrainingDataError(`sparse ${what} need one class index per row, not ${flatWidth} values`);
      const bad = values.findIndex((v) => !Number.isInteger(v) || v < 0 || v >= k);
      if (bad >= 0) throw new TrainingDataError(`${what} must be class indices 0 to ${k - 1}; row ${bad + 1} has ${values[bad]}`);
      const indices = tf.tidy(() => y.reshape([options.rows]).cast('int32'));
      if (options.loss === 'sparseCategoricalCrossentropy') return indices;
      // One-hot targets for categorical crossentropy from class indices.
      const oneHot = tf.tidy(() => tf.oneHot(indices as tf.Tensor1D, k).cast('float32'));
      indices.dispose();
      return oneHot;
    }
    if (flatWidth !== k) throw new TrainingDataError(`one-hot ${what} need ${k} values per row, not ${flatWidth}`);
    return tf.tidy(() => y.reshape([options.rows, k]).cast('float32'));
  }
  if (flatWidth !== outputUnits) {
    throw new TrainingDataError(`regression ${what} have ${flatWidth} values per row but the model has ${outputUnits} outputs`);
  }
  return tf.tidy(() => y.reshape([options.rows, outputUnits]).cast('float32'));
}

/** Class index of every row of prepared targets (null for regression). */
export function classIndices(targets: tf.Tensor, task: TaskKind): Int32Array | null {
  if (task === 'regression') return null;
  if (task === 'binary' || targets.rank === 1) return Int32Array.from(targets.dataSync(), (v) => Math.round(v));
  return tf.tidy(() => tf.argMax(targets, -1)).dataSync() as Int32Array;
}

/**
 * Weight per class. 'balanced' is scikit-learn's n / (classes · count(c)); a class absent from
 * the data keeps weight 1 (it never contributes). A map leaves unnamed classes at 1.
 */
export function resolveClassWeights(spec: ClassWeights, classes: Int32Array, numClasses: number): number[] {
  if (spec !== 'balanced') return Array.from({ length: numClasses }, (_, c) => spec[String(c)] ?? 1);
  const counts = new Array<number>(numClasses).fill(0);
  for (const c of classes) counts[c]! += 1;
  return counts.map((count) => (count === 0 ? 1 : classes.length / (numClasses * count)));
}

/** Class weight × sample weight per example, or null when neither applies. */
export function exampleWeights(classWeights: number[] | null, classes: Int32Array | null, sampleWeights: Float32Array | null): Float32Array | null {
  if (!classWeights && !sampleWeights) return null;
  const n = classes?.length ?? sampleWeights!.length;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (classWeights && classes ? classWeights[classes[i]!]! : 1) * (sampleWeights ? sampleWeights[i]! : 1);
  return out;
}

/** Reads sample weights, refusing negative or non-finite ones by row. */
export function readSampleWeights(weights: tf.Tensor, rows: number): Float32Array {
  sameCount('the sample weights', weights.size, rows);
  const values = Float32Array.from(weights.dataSync());
  const bad = values.findIndex((v) => !Number.isFinite(v) || v < 0);
  if (bad >= 0) throw new TrainingDataError(`sample weights must be finite and not negative; row ${bad + 1} has ${values[bad]}`);
  return values;
}
