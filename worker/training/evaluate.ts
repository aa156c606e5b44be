/**
 * The evaluation step of the pipeline: predict a held-out split with a trained supervised model
 * and score it with lib/metrics (pure TS, so the web side can recompute the same numbers).
 */
import * as tf from '@tensorflow/tfjs';
import { evaluateClassifier, regressionReport, type ClassifierEvaluation, type RegressionReport } from '@/lib/metrics/evaluation';
import type { TaskKind } from '@/lib/schemas/runs';
import { chunks } from './batches';
import { TrainingDataError } from './hooks';

export type Evaluation = { task: 'binary' | 'multiclass'; report: ClassifierEvaluation } | { task: 'regression'; report: RegressionReport };

/** Predictions in inference mode, chunked so a large split does not need one huge batch. */
export function predictAll(model: tf.LayersModel, x: tf.Tensor, chunk = 1024): Float32Array {
  const parts: Float32Array[] = [];
  for (const [start, size] of chunks(x.shape[0]!, chunk)) {
    parts.push(tf.tidy(() => (model.predict(x.slice(start, size)) as tf.Tensor).dataSync() as Float32Array));
  }
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Scores a model on (x, y). Labels: binary 0/1, multiclass class indices (or one-hot rows),
 * regression values; a regression model with several outputs is scored on all values together.
 */
export function evaluateModel(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, task: TaskKind, numClasses?: number): Evaluation {
  const scores = predictAll(model, x);
  const rows = x.shape[0]!;
  let labels = Array.from(y.dataSync());
  if (task === 'regression') return { task, report: regressionReport(labels, scores) };
  const k = task === 'binary' ? 2 : (numClasses ?? scores.length / rows);
  if (task === 'multiclass' && labels.length === rows * k) {
    labels = Array.from(tf.tidy(() => tf.argMax(y.reshape([rows, k]), -1).dataSync()));
  }
  if (labels.length !== rows) throw new TrainingDataError(`expected one label per example (${rows}), got ${labels.length} values`);
  return { task, report: evaluateClassifier(labels, scores, k) };
}
