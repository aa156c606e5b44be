/**
 * Seeded bootstrap percentile intervals for every group metric and every disparity.
 *
 * Each resample draws rows with replacement — over all rows, or within each cell (the
 * intersection of all sensitive features) keeping cell sizes when `stratify` is set, so small
 * groups never vanish from a resample — recounts the cells and rebuilds the report. Resample b
 * uses its own generator seeded with deriveSeed(seed, b), so a run is reproducible and the
 * first N resamples are the same whatever the total.
 *
 * Intervals are percentile intervals with linear interpolation between order statistics
 * (numpy's default). A metric that is undefined (null) in some resamples is summarised over
 * the resamples where it is defined; `defined` says how many that was.
 */
import { createRng, deriveSeed } from '@/lib/random';
import {
  AIF360_METRICS,
  checkInput,
  countCells,
  DISPARITY_METRICS,
  encodeGroups,
  FairnessInputError,
  reportFromCounts,
  ZGroupMetrics,
  type FairnessInput,
  type FairnessOptions,
  type FairnessReport,
  type GroupMetrics,
} from './metrics';

export interface BootstrapOptions extends FairnessOptions {
  resamples: number;
  seed: number;
  /** Two-sided confidence level; default 0.95. */
  confidence?: number;
  /** Resample within each intersection cell, keeping its size. Default false. */
  stratify?: boolean;
}

export interface Interval {
  /** Path into the report, e.g. ['attributes', 'sex', 'groups', 'F', 'tpr']. */
  path: string[];
  /** The value on the full data. */
  estimate: number | null;
  lower: number | null;
  upper: number | null;
  /** Resamples in which the metric was defined. */
  defined: number;
}

export interface BootstrapResult {
  resamples: number;
  seed: number;
  confidence: number;
  stratified: boolean;
  report: FairnessReport;
  intervals: Interval[];
}

/** Metric rates of a group (count is not a metric). */
const RATE_KEYS = Object.keys(ZGroupMetrics.shape).filter((k) => k !== 'count') as Exclude<keyof GroupMetrics, 'count'>[];

/** Every numeric metric of a report with its path, in a fixed order. */
export function flattenReport(report: FairnessReport): { path: string[]; value: number | null }[] {
  const out: { path: string[]; value: number | null }[] = [];
  for (const k of RATE_KEYS) out.push({ path: ['overall', k], value: report.overall[k] });
  for (const s of report.attributes) {
    for (const g of s.groups) for (const k of RATE_KEYS) out.push({ path: ['attributes', s.attribute, 'groups', g.group, k], value: g[k] });
    for (const method of ['between_groups', 'to_overall'] as const) {
      for (const k of DISPARITY_METRICS) out.push({ path: ['attributes', s.attribute, method, k], value: s[method][k] });
    }
  }
  if (report.reference) {
    for (const k of AIF360_METRICS) out.push({ path: ['reference', 'pooled', k], value: report.reference.pooled[k] });
    for (const g of report.reference.by_group) for (const k of AIF360_METRICS) out.push({ path: ['reference', 'by_group', g.group, k], value: g[k] });
  }
  out.push({ path: ['individual', 'generalized_entropy_index'], value: report.individual.generalized_entropy_index });
  out.push({ path: ['individual', 'theil_index'], value: report.individual.theil_index });
  return out;
}

/** Quantile of ascending values, linear interpolation between order statistics (numpy's default). */
export function quantile(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const a = sorted[lo]!;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)]!;
  return a === b ? a : a + (h - lo) * (b - a);
}

export function bootstrapFairness(input: FairnessInput, options: BootstrapOptions): BootstrapResult {
  const { resamples, seed, confidence = 0.95, stratify = false } = options;
  if (!Number.isInteger(resamples) || resamples < 1) throw new FairnessInputError(`resamples must be a positive integer, got ${resamples}`);
  if (!Number.isInteger(seed)) throw new FairnessInputError(`seed must be an integer, got ${seed}`);
  if (!(confidence > 0 && confidence < 1)) throw new FairnessInputError(`confidence must be between 0 and 1, got ${confidence}`);
  checkInput(input);
  const n = input.yTrue.length;
  const encoding = encodeGroups(input.sensitive, n);
  const report = reportFromCounts(encoding, countCells(input.yTrue, input.yPred, encoding), options);
  const base = flattenReport(report);
  const index = new Map(base.map((e, i) => [e.path.join('\u0000'), i]));
  const samples: number[][] = base.map(() => []);

  const cells: number[][] = Array.from({ length: encoding.cellCount }, () => []);
  if (stratify) for (let i = 0; i < n; i++) cells[encoding.cellOf[i]!]!.push(i);
  const rows = new Int32Array(n);
  for (let b = 0; b < resamples; b++) {
    const rng = createRng(deriveSeed(seed, b));
    if (stratify) {
      let j = 0;
      for (const members of cells) for (let k = 0; k < members.length; k++) rows[j++] = members[rng.int(members.length)]!;
    } else {
      for (let j = 0; j < n; j++) rows[j] = rng.int(n);
    }
    const resampled = reportFromCounts(encoding, countCells(input.yTrue, input.yPred, encoding, rows), options);
    for (const e of flattenReport(resampled)) {
      // Paths are fixed by the encoding, except that a resample never adds new ones.
      const i = index.get(e.path.join('\u0000'));
      if (i !== undefined && e.value !== null && !Number.isNaN(e.value)) samples[i]!.push(e.value);
    }
  }

  const tail = (1 - confidence) / 2;
  const intervals = base.map((e, i): Interval => {
    const xs = samples[i]!.sort((a, b) => a - b);
    return {
      path: e.path,
      estimate: e.value,
      lower: xs.length === 0 ? null : quantile(xs, tail),
      upper: xs.length === 0 ? null : quantile(xs, 1 - tail),
      defined: xs.length,
    };
  });
  return { resamples, seed, confidence, stratified: stratify, report, intervals };
}

/** The interval at a path, e.g. findInterval(r, 'attributes', 'sex', 'between_groups', 'demographic_parity_difference'). */
export function findInterval(result: BootstrapResult, ...path: string[]): Interval | undefined {
  return result.intervals.find((iv) => iv.path.length === path.length && iv.path.every((p, i) => p === path[i]));
}
