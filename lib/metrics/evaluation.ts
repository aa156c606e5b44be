/**
 * Evaluation metrics in pure TypeScript, so the worker computes them on a test split and the
 * web side can recompute or explain them without TensorFlow.js.
 *
 * Conventions follow scikit-learn: precision/recall/F1 of a class with no predicted (or no true)
 * examples are 0 rather than NaN; ROC AUC gives tied scores half credit; average precision is
 * the step-wise sum Σ (R_n − R_{n−1}) · P_n over distinct thresholds (no interpolation).
 */
import { InvalidInputError } from '../errors';

export class MetricInputError extends InvalidInputError {
  constructor(message: string) {
    super(message);
    this.name = 'MetricInputError';
  }
}

function checkSameLength(a: ArrayLike<unknown>, b: ArrayLike<unknown>, what: string): void {
  if (a.length !== b.length) throw new MetricInputError(`${what}: ${a.length} true values but ${b.length} predictions`);
  if (a.length === 0) throw new MetricInputError(`${what}: no examples`);
}

function checkClass(label: number, numClasses: number, which: string, index: number): void {
  if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
    throw new MetricInputError(`${which} label ${label} at example ${index} is not a class index below ${numClasses}`);
  }
}

// Classification

export interface ClassMetrics {
  /** Class index. */
  label: number;
  precision: number;
  recall: number;
  f1: number;
  /** True examples of the class. */
  support: number;
}

export interface ClassificationReport {
  accuracy: number;
  /** confusion[t][p]: examples of true class t predicted as p. */
  confusion: number[][];
  perClass: ClassMetrics[];
  macro: { precision: number; recall: number; f1: number };
  /** Averages weighted by support. */
  weighted: { precision: number; recall: number; f1: number };
  count: number;
}

export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses: number): number[][] {
  checkSameLength(yTrue, yPred, 'confusion matrix');
  const matrix = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i]!;
    const p = yPred[i]!;
    checkClass(t, numClasses, 'true', i);
    checkClass(p, numClasses, 'predicted', i);
    matrix[t]![p]! += 1;
  }
  return matrix;
}

const ratio = (num: number, den: number) => (den === 0 ? 0 : num / den);

/** Accuracy, per-class precision/recall/F1, macro and weighted averages and the confusion matrix. */
export function classificationReport(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses: number): ClassificationReport {
  const confusion = confusionMatrix(yTrue, yPred, numClasses);
  const count = yTrue.length;
  let correct = 0;
  const perClass: ClassMetrics[] = [];
  for (let c = 0; c < numClasses; c++) {
    const tp = confusion[c]![c]!;
    correct += tp;
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((sum, row) => sum + row[c]!, 0);
    const precision = ratio(tp, predicted);
    const recall = ratio(tp, support);
    perClass.push({ label: c, precision, recall, f1: ratio(2 * precision * recall, precision + recall), support });
  }
  const mean = (key: 'precision' | 'recall' | 'f1') => perClass.reduce((s, m) => s + m[key], 0) / numClasses;
  const weightedMean = (key: 'precision' | 'recall' | 'f1') => perClass.reduce((s, m) => s + m[key] * m.support, 0) / count;
  return {
    accuracy: correct / count,
    confusion,
    perClass,
    macro: { precision: mean('precision'), recall: mean('recall'), f1: mean('f1') },
    weighted: { precision: weightedMean('precision'), recall: weightedMean('recall'), f1: weightedMean('f1') },
    count,
  };
}

/** Index of the largest value in each row of a row-major [n, k] score matrix (first on ties). */
export function argmaxRows(scores: ArrayLike<number>, numClasses: number): number[] {
  if (scores.length % numClasses !== 0) throw new MetricInputError(`${scores.length} scores do not split into rows of ${numClasses}`);
  const out: number[] = [];
  for (let row = 0; row < scores.length / numClasses; row++) {
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (scores[row * numClasses + c]! > scores[row * numClasses + best]!) best = c;
    out.push(best);
  }
  return out;
}

// Binary ranking metrics

export interface RocCurve {
  /** False-positive rate per threshold, from (0, 0) to (1, 1). */
  fpr: number[];
  tpr: number[];
  /** Scores at or above the threshold count as positive; the first is +Infinity (nothing positive). */
  thresholds: number[];
  auc: number;
}

export interface PrecisionRecallCurve {
  /** Recall rises along the curve; the first point is the highest threshold. */
  precision: number[];
  recall: number[];
  thresholds: number[];
  averagePrecision: number;
}

interface ThresholdCounts {
  thresholds: number[];
  /** True and false positives when everything scored ≥ the threshold is called positive. */
  tps: number[];
  fps: number[];
  positives: number;
  negatives: number;
}

/** Cumulative counts at each distinct score, highest first: tied scores move together. */
function thresholdCounts(yTrue: ArrayLike<number>, scores: ArrayLike<number>, what: string): ThresholdCounts {
  checkSameLength(yTrue, scores, what);
  const order = Array.from({ length: scores.length }, (_, i) => i);
  for (let i = 0; i < yTrue.length; i++) {
    if (yTrue[i] !== 0 && yTrue[i] !== 1) throw new MetricInputError(`${what}: true label ${yTrue[i]} at example ${i} is not 0 or 1`);
    if (!Number.isFinite(scores[i]!)) throw new MetricInputError(`${what}: score ${scores[i]} at example ${i} is not a finite number`);
  }
  order.sort((a, b) => scores[b]! - scores[a]!);
  const thresholds: number[] = [];
  const tps: number[] = [];
  const fps: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (yTrue[i] === 1) tp++;
    else fp++;
    const next = order[k + 1];
    if (next === undefined || scores[next]! !== scores[i]!) {
      thresholds.push(scores[i]!);
      tps.push(tp);
      fps.push(fp);
    }
  }
  return { thresholds, tps, fps, positives: tp, negatives: fp };
}

/**
 * ROC curve and its area by the trapezoid rule. Joining tied scores into one point makes the
 * trapezoid give ties half credit, so AUC equals P(score⁺ > score⁻) + ½ P(score⁺ = score⁻).
 */
export function rocCurve(yTrue: ArrayLike<number>, scores: ArrayLike<number>): RocCurve {
  const counts = thresholdCounts(yTrue, scores, 'ROC curve');
  if (counts.positives === 0 || counts.negatives === 0) {
    throw new MetricInputError(`ROC curve: needs both classes, got ${counts.positives} positives and ${counts.negatives} negatives`);
  }
  const fpr = [0, ...counts.fps.map((f) => f / counts.negatives)];
  const tpr = [0, ...counts.tps.map((t) => t / counts.positives)];
  let auc = 0;
  for (let i = 1; i < fpr.length; i++) auc += ((fpr[i]! - fpr[i - 1]!) * (tpr[i]! + tpr[i - 1]!)) / 2;
  return { fpr, tpr, thresholds: [Infinity, ...counts.thresholds], auc };
}

export function rocAuc(yTrue: ArrayLike<number>, scores: ArrayLike<number>): number {
  return rocCurve(yTrue, scores).auc;
}

/** Precision-recall curve and average precision (scikit-learn's definition, no interpolation). */
export function precisionRecallCurve(yTrue: ArrayLike<number>, scores: ArrayLike<number>): PrecisionRecallCurve {
  const counts = thresholdCounts(yTrue, scores, 'precision-recall curve');
  if (counts.positives === 0) throw new MetricInputError('precision-recall curve: needs at least one positive example');
  const precision = counts.tps.map((tp, i) => tp / (tp + counts.fps[i]!));
  const recall = counts.tps.map((tp) => tp / counts.positives);
  let averagePrecision = 0;
  let previousRecall = 0;
  for (let i = 0; i < recall.length; i++) {
    averagePrecision += (recall[i]! - previousRecall) * precision[i]!;
    previousRecall = recall[i]!;
  }
  return { precision, recall, thresholds: counts.thresholds, averagePrecision };
}

export function averagePrecision(yTrue: ArrayLike<number>, scores: ArrayLike<number>): number {
  return precisionRecallCurve(yTrue, scores).averagePrecision;
}

// Regression

export interface RegressionReport {
  mae: number;
  mse: number;
  rmse: number;
  /** 1 − SS_res / SS_tot; for constant targets 1 when predicted exactly, else 0 (scikit-learn's default). */
  r2: number;
  count: number;
}

export function regressionReport(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): RegressionReport {
  checkSameLength(yTrue, yPred, 'regression metrics');
  const n = yTrue.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += yTrue[i]!;
  mean /= n;
  let absErr = 0;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    const err = yTrue[i]! - yPred[i]!;
    absErr += Math.abs(err);
    ssRes += err * err;
    ssTot += (yTrue[i]! - mean) ** 2;
  }
  const mse = ssRes / n;
  const r2 = ssTot === 0 ? (ssRes === 0 ? 1 : 0) : 1 - ssRes / ssTot;
  return { mae: absErr / n, mse, rmse: Math.sqrt(mse), r2, count: n };
}

// Everything for one classifier

export interface ClassifierEvaluation extends ClassificationReport {
  /** Binary tasks only (and only when both classes occur). */
  roc?: RocCurve;
  pr?: PrecisionRecallCurve;
}

/**
 * Evaluates predicted scores: for a binary task one probability of the positive class per
 * example (called positive at ≥ threshold), for multiclass a row-major [n, numClasses] matrix.
 */
export function evaluateClassifier(yTrue: ArrayLike<number>, scores: ArrayLike<number>, numClasses: number, threshold = 0.5): ClassifierEvaluation {
  if (numClasses === 2 && scores.length === yTrue.length) {
    const predicted = Array.from(scores, (s) => (s >= threshold ? 1 : 0));
    const report: ClassifierEvaluation = classificationReport(yTrue, predicted, 2);
    let positives = 0;
    for (let i = 0; i < yTrue.length; i++) positives += yTrue[i] === 1 ? 1 : 0;
    if (positives > 0 && positives < yTrue.length) {
      report.roc = rocCurve(yTrue, scores);
      report.pr = precisionRecallCurve(yTrue, scores);
    }
    return report;
  }
  return classificationReport(yTrue, argmaxRows(scores, numClasses), numClasses);
}
