import { bootstrapFairness } from '@/lib/fairness/bootstrap';
import { computeFairness, predictFromScores } from '@/lib/fairness/metrics';
import { optimizeThresholds } from '@/lib/fairness/mitigation';
import { regressionFairness } from '@/lib/fairness/regression';
import { createThresholdExplorer } from '@/lib/fairness/thresholds';
import type { LoadedData } from '../data/load';

/**
 * The report step of the pipeline: from the test split's predictions, the fairness report of a
 * supervised run — per group and intersection, disparities, bootstrap intervals, the
 * threshold curve and the post-processing mitigation (binary tasks), or group error gaps
 * (regression). Explainability is computed beside it (worker/explain/report.ts).
 */
export interface FairnessRunReport {
  version: 1;
  task: 'binary' | 'regression';
  threshold?: number;
  report: unknown;
  bootstrap?: { resamples: number; seed: number; confidence: number; intervals: unknown[] };
  curve?: unknown[];
  mitigation?: { demographic_parity: unknown; equal_opportunity: unknown };
  summary: Record<string, { demographic_parity_difference?: number | null; equalized_odds_difference?: number | null; mae_difference?: number | null }>;
}

/** Binary scores from a model with one sigmoid output or two softmax outputs. */
export function positiveScores(scores: Float32Array, n: number): Float32Array {
  if (scores.length === n) return scores;
  const k = scores.length / n;
  return Float32Array.from({ length: n }, (_, i) => scores[i * k + (k - 1)]!);
}

export function fairnessReport(data: LoadedData, scores: Float32Array, seed: number): FairnessRunReport | null {
  const attributes = Object.entries(data.test.sensitive);
  if (!attributes.length || data.test.n === 0) return null;
  const sensitive = attributes.map(([name, values]) => ({ name, values }));
  const yTrue = Array.from(data.test.y);
  if (data.task.kind === 'regression') {
    const report = regressionFairness(yTrue, Array.from(scores.subarray(0, data.test.n)), sensitive);
    const summary: FairnessRunReport['summary'] = {};
    report.attributes.forEach((a, i) => (summary[(a as { attribute?: string }).attribute ?? sensitive[i]?.name ?? String(i)] = { mae_difference: a.mae_difference }));
    return { version: 1, task: 'regression', report, summary };
  }
  if (data.task.kind !== 'binary') return null;
  const positive = positiveScores(scores, data.test.n);
  const threshold = 0.5;
  const input = { yTrue, yPred: predictFromScores(positive, threshold), sensitive };
  const report = computeFairness(input);
  const boot = bootstrapFairness(input, { resamples: 200, seed, confidence: 0.95 });
  const curve = createThresholdExplorer({ yTrue, scores: positive, sensitive }).curve();
  const scored = { yTrue, scores: positive, sensitive: sensitive.slice(0, 1) };
  const mitigation = {
    demographic_parity: optimizeThresholds(scored, { constraint: 'demographic_parity', tolerance: 0.02 }),
    equal_opportunity: optimizeThresholds(scored, { constraint: 'equal_opportunity', tolerance: 0.02 }),
  };
  const summary: FairnessRunReport['summary'] = {};
  for (const section of report.attributes) {
    summary[section.attribute] = {
      demographic_parity_difference: section.between_groups.demographic_parity_difference,
      equalized_odds_difference: section.between_groups.equalized_odds_difference,
    };
  }
  return {
    version: 1,
    task: 'binary',
    threshold,
    report,
    bootstrap: { resamples: boot.resamples, seed: boot.seed, confidence: boot.confidence, intervals: boot.intervals },
    curve,
    mitigation,
    summary,
  };
}
