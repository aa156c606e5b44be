import { bootstrapFairness } from './bootstrap';
import { RUN_DOCUMENT_SCHEMA_VERSION, type FairnessRunReport } from '@/lib/schemas/run-documents';
import { gateInputOf } from './gates';
import { computeFairness, predictFromScores } from './metrics';
import { applyThresholds, optimizeThresholds, type ThresholdOptimizerResult } from './mitigation';
import { regressionFairness } from './regression';
import { createThresholdExplorer } from './thresholds';

/**
 * The report step of the pipeline: from the test split's predictions, the fairness report of a
 * supervised run — per group and intersection, disparities, bootstrap intervals, the
 * threshold curve and the post-processing mitigation (binary tasks), or group error gaps
 * (regression). Explainability is computed beside it (worker/explain/report.ts). Worker runs and
 * external runs (predictions uploaded through the REST API) share this one function.
 */
/** What the report needs of the data: the task and, per split, labels and sensitive attributes. */
export interface FairnessReportData {
  task: { kind: string };
  test: { n: number; y: ArrayLike<number>; sensitive: Record<string, string[]> };
  validation: { n: number; y: ArrayLike<number>; sensitive: Record<string, string[]> };
}

/** The stored report's type is the schema's (lib/schemas/run-documents.ts), so writer and readers agree. */
export type { FairnessRunReport };

/** Binary scores from a model with one sigmoid output or two softmax outputs. */
export function positiveScores(scores: Float32Array, n: number): Float32Array {
  if (scores.length === n) return scores;
  const k = scores.length / n;
  return Float32Array.from({ length: n }, (_, i) => scores[i * k + (k - 1)]!);
}

/**
 * Post-processing as it would be deployed: per-group thresholds fitted on the validation split,
 * then measured on the test split (fitting on the test split would flatter the result).
 */
function postProcess(
  data: FairnessReportData,
  testScores: Float32Array,
  valScores: Float32Array | null,
  constraint: 'demographic_parity' | 'equal_opportunity',
): (ThresholdOptimizerResult & { fittedOn: 'validation' | 'test' }) | null {
  const [name] = Object.keys(data.test.sensitive);
  if (!name) return null;
  const testSensitive = [{ name, values: data.test.sensitive[name]! }];
  const testY = Array.from(data.test.y);
  if (!valScores || !data.validation.sensitive[name] || data.validation.n === 0) {
    return { ...optimizeThresholds({ yTrue: testY, scores: testScores, sensitive: testSensitive }, { constraint, tolerance: 0.02 }), fittedOn: 'test' };
  }
  const fitted = optimizeThresholds({ yTrue: Array.from(data.validation.y), scores: valScores, sensitive: [{ name, values: data.validation.sensitive[name]! }] }, { constraint, tolerance: 0.02 });
  const known = new Set(fitted.thresholds.map((t) => t.group));
  if (testSensitive[0]!.values.some((v) => !known.has(v)))
    return { ...optimizeThresholds({ yTrue: testY, scores: testScores, sensitive: testSensitive }, { constraint, tolerance: 0.02 }), fittedOn: 'test' };
  const before = computeFairness({ yTrue: testY, yPred: predictFromScores(testScores, 0.5), sensitive: testSensitive });
  const after = computeFairness({ yTrue: testY, yPred: applyThresholds(testScores, testSensitive, fitted.thresholds), sensitive: testSensitive });
  const rate = constraint === 'demographic_parity' ? 'demographic_parity_difference' : 'equal_opportunity_difference';
  return { ...fitted, before, after, disparity: after.attributes[0]?.between_groups[rate] ?? fitted.disparity, fittedOn: 'validation' };
}

export function fairnessReport(data: FairnessReportData, scores: Float32Array, seed: number, validationScores: Float32Array | null = null, threshold = 0.5): FairnessRunReport | null {
  const attributes = Object.entries(data.test.sensitive);
  if (!attributes.length || data.test.n === 0) return null;
  const sensitive = attributes.map(([name, values]) => ({ name, values }));
  const yTrue = Array.from(data.test.y);
  if (data.task.kind === 'regression') {
    const report = regressionFairness(yTrue, Array.from(scores.subarray(0, data.test.n)), sensitive);
    const summary: FairnessRunReport['summary'] = {};
    report.attributes.forEach((a, i) => (summary[a.attribute ?? sensitive[i]?.name ?? String(i)] = { mae_difference: a.mae_difference }));
    return { schemaVersion: RUN_DOCUMENT_SCHEMA_VERSION, version: 1, task: 'regression', report, summary };
  }
  if (data.task.kind !== 'binary') return null;
  const positive = positiveScores(scores, data.test.n);
  const input = { yTrue, yPred: predictFromScores(positive, threshold), sensitive };
  const report = computeFairness(input);
  const boot = bootstrapFairness(input, { resamples: 200, seed, confidence: 0.95 });
  const curve = createThresholdExplorer({ yTrue, scores: positive, sensitive }).curve();
  const val = validationScores ? positiveScores(validationScores, data.validation.n) : null;
  const mitigation = {
    demographic_parity: postProcess(data, positive, val, 'demographic_parity'),
    equal_opportunity: postProcess(data, positive, val, 'equal_opportunity'),
  };
  const summary: FairnessRunReport['summary'] = {};
  for (const section of report.attributes) {
    summary[section.attribute] = {
      demographic_parity_difference: section.between_groups.demographic_parity_difference,
      equalized_odds_difference: section.between_groups.equalized_odds_difference,
    };
  }
  return {
    schemaVersion: RUN_DOCUMENT_SCHEMA_VERSION,
    version: 1,
    task: 'binary',
    threshold,
    report,
    bootstrap: { resamples: boot.resamples, seed: boot.seed, confidence: boot.confidence, intervals: boot.intervals },
    curve,
    mitigation,
    gates: gateInputOf(report),
    summary,
  };
}
