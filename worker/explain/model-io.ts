/**
 * Shared plumbing of the explainers: flattened rows in, model outputs out, and the seed streams
 * the explainers draw from (distinct from training's, so explaining never shifts a training stream).
 */
import * as tf from '@tensorflow/tfjs';
import type { TaskKind } from '@/lib/schemas/runs';
import { predictAll } from '../training/evaluate';

/** Mixed into the run seed by the explainers (training's streams are small integers). */
export const EXPLAIN_STREAMS = { rowSample: 101, permutation: 102 } as const;

/** Rows of one split, flattened as in LoadedData: n × prod(inputShape). */
export interface FlatRows {
  x: Float32Array;
  n: number;
  inputShape: number[];
}

export function rowSize(inputShape: number[]): number {
  return inputShape.reduce((a, b) => a * b, 1);
}

/** Model outputs for every row, n × k (k = 1 for a sigmoid or a single regression output). */
export function predictRows(model: tf.LayersModel, rows: FlatRows): { values: Float32Array; width: number } {
  if (rows.n === 0) return { values: new Float32Array(0), width: 0 };
  const x = tf.tensor(rows.x, [rows.n, ...rows.inputShape], 'float32');
  try {
    const values = predictAll(model, x);
    return { values, width: values.length / rows.n };
  } finally {
    x.dispose();
  }
}

/** Reads labels as class ids (one-hot rows are reduced by argmax) or regression targets. */
export function labelsOf(y: ArrayLike<number>, n: number, task: TaskKind): Float64Array {
  if (task === 'regression' || y.length === n) return Float64Array.from(y);
  const k = y.length / n;
  if (!Number.isInteger(k)) throw new Error(`expected one label per example (${n}), got ${y.length} values`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (y[i * k + c]! > y[i * k + best]!) best = c;
    out[i] = best;
  }
  return out;
}

/** The class a classifier predicts per row: sigmoid ≥ 0.5 for one output, argmax otherwise. */
export function predictedClasses(values: Float32Array, width: number): Int32Array {
  const n = width === 0 ? 0 : values.length / width;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (width === 1) {
      out[i] = values[i]! >= 0.5 ? 1 : 0;
      continue;
    }
    let best = 0;
    for (let c = 1; c < width; c++) if (values[i * width + c]! > values[i * width + best]!) best = c;
    out[i] = best;
  }
  return out;
}

/** Lets timers (heartbeats, cancellation polls) run between long synchronous stages. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
