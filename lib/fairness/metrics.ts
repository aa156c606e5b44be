/**
 * Group fairness metrics for binary classifiers, computed exactly from confusion counts.
 *
 * Every row falls into one *cell*: the combination of its values of all sensitive features
 * (the cartesian product of each feature's observed values, so an intersection that no row
 * belongs to still has a cell, with count 0). A report is a pure function of the per-cell
 * confusion counts (tp, fp, tn, fn), which is what makes bootstrap resamples and threshold
 * sweeps cheap: they only recount cells.
 *
 * Conventions (read these before comparing with other libraries):
 * - Prediction from a score: ŷ = 1 when score ≥ threshold.
 * - A rate whose denominator is zero (TPR of a group without positives, precision of a group
 *   that selects nobody, any rate of an empty intersection) is `null`, never 0. Fairlearn
 *   returns 0 in that case (sklearn's confusion_matrix(normalize='true') fills 0); we refuse to
 *   invent a value, so a `null` group is left out of min/max aggregates — like pandas' skipna,
 *   which Fairlearn relies on for empty intersections. When no group has a defined value, the
 *   disparity is `null`.
 * - Disparities follow Fairlearn's MetricFrame.difference()/ratio():
 *   between_groups: difference = max − min, ratio = min / max (null when max = 0, Fairlearn's NaN);
 *   to_overall: difference = max |group − overall|, ratio = min over groups of group/overall
 *   turned ≤ 1 (x > 1 → 1/x), groups with 0/0 skipped.
 *   equalized_odds_difference = max(TPR difference, FPR difference),
 *   equalized_odds_ratio = min(TPR ratio, FPR ratio) (a null component is ignored),
 *   equal_opportunity_* = the TPR difference / ratio.
 * - AIF360's signed metrics compare unprivileged with a chosen reference (privileged) group:
 *   `pooled` pools every non-reference row into one unprivileged group (AIF360 with
 *   unprivileged_groups = all the others); disparate impact is null when the reference group
 *   selects nobody (AIF360 divides by zero); `by_group` compares each other group alone with the
 *   reference; `worst` is the by_group value farthest from parity (0 for differences; for
 *   disparate impact the smallest min(DI, 1/DI)).
 * - Generalized entropy on benefits b = ŷ − y + 1 ∈ {0, 1, 2} (AIF360): with μ = mean(b),
 *   GE(α) = 1/(n α(α−1)) Σ[(b/μ)^α − 1]; α = 1 is the Theil index 1/n Σ (b/μ) ln(b/μ) with
 *   0·ln 0 = 0; α = 0 is −1/n Σ ln(b/μ), which is +Infinity when some b = 0 (as in AIF360;
 *   JSON.stringify writes it as null). Null when μ = 0 (every row a false negative).
 */
import { InvalidInputError } from '../errors';
import { z } from 'zod';

export class FairnessInputError extends InvalidInputError {
  constructor(message: string) {
    super(message);
    this.name = 'FairnessInputError';
  }
}

/** One sensitive feature: its name and one value per row. */
export interface SensitiveFeature {
  name: string;
  values: readonly string[];
}

export interface ConfusionCounts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export const ZGroupMetrics = z.object({
  count: z.number(),
  base_rate: z.number().nullable(),
  selection_rate: z.number().nullable(),
  accuracy: z.number().nullable(),
  tpr: z.number().nullable(),
  fpr: z.number().nullable(),
  fnr: z.number().nullable(),
  tnr: z.number().nullable(),
  precision: z.number().nullable(),
  fdr: z.number().nullable(),
  /** False omission rate FN / (FN + TN). */
  for: z.number().nullable(),
});
export type GroupMetrics = z.infer<typeof ZGroupMetrics>;

export const DISPARITY_METRICS = [
  'demographic_parity_difference',
  'demographic_parity_ratio',
  'equalized_odds_difference',
  'equalized_odds_ratio',
  'equal_opportunity_difference',
  'equal_opportunity_ratio',
] as const;
export type DisparityMetric = (typeof DISPARITY_METRICS)[number];
export type Disparities = Record<DisparityMetric, number | null>;
export type DisparityMethod = 'between_groups' | 'to_overall';

export const AIF360_METRICS = ['disparate_impact', 'statistical_parity_difference', 'average_odds_difference', 'equal_opportunity_difference'] as const;
export type Aif360Metric = (typeof AIF360_METRICS)[number];
export type Aif360Metrics = Record<Aif360Metric, number | null>;

export interface GroupEntry extends GroupMetrics {
  /** Display name: the value, or the values joined with ' | ' for an intersection. */
  group: string;
  /** Feature name → value. */
  values: Record<string, string>;
}

export interface AttributeSection {
  /** The feature name, or the names joined with ' & ' for the intersection. */
  attribute: string;
  features: string[];
  groups: GroupEntry[];
  between_groups: Disparities;
  to_overall: Disparities;
}

export interface ReferenceComparison {
  attribute: string;
  reference: string;
  pooled: Aif360Metrics;
  by_group: ({ group: string } & Aif360Metrics)[];
  worst: Record<Aif360Metric, { group: string; value: number } | null>;
}

export interface IndividualFairness {
  alpha: number;
  generalized_entropy_index: number | null;
  theil_index: number | null;
}

export interface FairnessReport {
  rows: number;
  overall: GroupMetrics;
  /** One section per sensitive feature, then the intersection of all of them when there are 2+. */
  attributes: AttributeSection[];
  reference: ReferenceComparison | null;
  individual: IndividualFairness;
}

export interface ReferenceGroup {
  attribute: string;
  group: string;
}

export interface FairnessOptions {
  reference?: ReferenceGroup;
  /** Generalized entropy α; default 2. */
  alpha?: number;
}

// ---------------------------------------------------------------------------------------------
// Input checks and encoding

/** Checks that every entry is exactly 0 or 1, naming the first bad row (1-based). */
export function checkBinary(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== 0 && v !== 1) throw new FairnessInputError(`${what} must be 0 or 1; row ${i + 1} has ${String(v)}`);
  }
}

/** ŷ = 1 where score ≥ threshold. */
export function predictFromScores(scores: ArrayLike<number>, threshold: number): Uint8Array {
  if (!Number.isFinite(threshold)) throw new FairnessInputError(`threshold must be a finite number, got ${threshold}`);
  const out = new Uint8Array(scores.length);
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (!Number.isFinite(s)) throw new FairnessInputError(`score must be a finite number; row ${i + 1} has ${String(s)}`);
    out[i] = s >= threshold ? 1 : 0;
  }
  return out;
}

/** Rows mapped to cells of the cartesian product of the features' observed values. */
export interface GroupEncoding {
  rows: number;
  features: { name: string; values: string[] }[];
  /** Cell index of each row (mixed radix, first feature most significant). */
  cellOf: Int32Array;
  cellCount: number;
}

/** More intersections than this is a numeric or ID column used as a sensitive feature. */
export const MAX_CELLS = 100_000;

export function encodeGroups(sensitive: readonly SensitiveFeature[], rows: number): GroupEncoding {
  if (sensitive.length === 0) throw new FairnessInputError('at least one sensitive feature is needed');
  const names = new Set<string>();
  for (const f of sensitive) {
    if (names.has(f.name)) throw new FairnessInputError(`sensitive feature '${f.name}' is given twice`);
    names.add(f.name);
    if (f.values.length !== rows) throw new FairnessInputError(`sensitive feature '${f.name}' has ${f.values.length} values for ${rows} rows`);
  }
  const features = sensitive.map((f) => ({ name: f.name, values: [...new Set(f.values)].sort(compareStrings) }));
  const cells = features.reduce((p, f) => p * f.values.length, 1);
  if (cells > MAX_CELLS) {
    const sizes = features.map((f) => `${f.name} ${f.values.length}`).join(', ');
    throw new FairnessInputError(`too many groups: ${sizes} distinct values make ${cells} intersections (at most ${MAX_CELLS}); bin numeric columns first`);
  }
  const cellOf = new Int32Array(rows);
  let cellCount = 1;
  for (let k = 0; k < sensitive.length; k++) {
    const index = new Map(features[k]!.values.map((v, i) => [v, i]));
    const radix = features[k]!.values.length;
    const vals = sensitive[k]!.values;
    for (let i = 0; i < rows; i++) cellOf[i] = cellOf[i]! * radix + index.get(vals[i]!)!;
    cellCount *= radix;
  }
  return { rows, features, cellOf, cellCount };
}

/** Code-unit order, so the result does not depend on the machine's locale. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Per-cell confusion counts as [tp, fp, tn, fn] × cellCount. `rows` (a resample, with repeats)
 * defaults to every row once; `weights` weight each row.
 */
export function countCells(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, encoding: GroupEncoding, rows?: ArrayLike<number>, weights?: ArrayLike<number>): Float64Array {
  const counts = new Float64Array(encoding.cellCount * 4);
  const n = rows ? rows.length : encoding.rows;
  for (let j = 0; j < n; j++) {
    const i = rows ? rows[j]! : j;
    const slot = encoding.cellOf[i]! * 4 + (yTrue[i] === 1 ? (yPred[i] === 1 ? 0 : 3) : yPred[i] === 1 ? 1 : 2);
    counts[slot]! += weights ? weights[i]! : 1;
  }
  return counts;
}

// ---------------------------------------------------------------------------------------------
// Metrics from counts

const ratioOrNull = (num: number, den: number): number | null => (den === 0 ? null : num / den);

export function metricsFromCounts({ tp, fp, tn, fn }: ConfusionCounts): GroupMetrics {
  const count = tp + fp + tn + fn;
  return {
    count,
    base_rate: ratioOrNull(tp + fn, count),
    selection_rate: ratioOrNull(tp + fp, count),
    accuracy: ratioOrNull(tp + tn, count),
    tpr: ratioOrNull(tp, tp + fn),
    fpr: ratioOrNull(fp, fp + tn),
    fnr: ratioOrNull(fn, tp + fn),
    tnr: ratioOrNull(tn, fp + tn),
    precision: ratioOrNull(tp, tp + fp),
    fdr: ratioOrNull(fp, tp + fp),
    for: ratioOrNull(fn, fn + tn),
  };
}

function addCounts(into: ConfusionCounts, counts: Float64Array, cell: number): void {
  into.tp += counts[cell * 4]!;
  into.fp += counts[cell * 4 + 1]!;
  into.tn += counts[cell * 4 + 2]!;
  into.fn += counts[cell * 4 + 3]!;
}

const zero = (): ConfusionCounts => ({ tp: 0, fp: 0, tn: 0, fn: 0 });

/** Confusion counts per value of feature `k` (or per cell when k is null), plus the total. */
export function marginalCounts(encoding: GroupEncoding, counts: Float64Array, k: number | null): ConfusionCounts[] {
  if (k === null)
    return Array.from({ length: encoding.cellCount }, (_, c) => {
      const acc = zero();
      addCounts(acc, counts, c);
      return acc;
    });
  const radix = encoding.features[k]!.values.length;
  let below = 1;
  for (let j = k + 1; j < encoding.features.length; j++) below *= encoding.features[j]!.values.length;
  const out = Array.from({ length: radix }, zero);
  for (let c = 0; c < encoding.cellCount; c++) addCounts(out[Math.floor(c / below) % radix]!, counts, c);
  return out;
}

export function totalCounts(counts: Float64Array): ConfusionCounts {
  const acc = zero();
  for (let c = 0; c < counts.length / 4; c++) addCounts(acc, counts, c);
  return acc;
}

/** The feature values of cell c. */
export function cellValues(encoding: GroupEncoding, c: number): string[] {
  const out: string[] = new Array<string>(encoding.features.length);
  let rest = c;
  for (let k = encoding.features.length - 1; k >= 0; k--) {
    const radix = encoding.features[k]!.values.length;
    out[k] = encoding.features[k]!.values[rest % radix]!;
    rest = Math.floor(rest / radix);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Disparities

const defined = (xs: readonly (number | null)[]): number[] => xs.filter((x): x is number => x !== null && !Number.isNaN(x));

/** Fairlearn's MetricFrame.difference(method) on one metric. */
export function groupDifference(values: readonly (number | null)[], overall: number | null, method: DisparityMethod): number | null {
  const xs = defined(values);
  if (xs.length === 0) return null;
  if (method === 'between_groups') return Math.max(...xs) - Math.min(...xs);
  if (overall === null) return null;
  return Math.max(...xs.map((x) => Math.abs(x - overall)));
}

/** Fairlearn's MetricFrame.ratio(method) on one metric. */
export function groupRatio(values: readonly (number | null)[], overall: number | null, method: DisparityMethod): number | null {
  const xs = defined(values);
  if (xs.length === 0) return null;
  if (method === 'between_groups') {
    const max = Math.max(...xs);
    return max === 0 ? null : Math.min(...xs) / max;
  }
  if (overall === null) return null;
  const ratios = defined(
    xs.map((x) => {
      if (overall === 0) return x === 0 ? null : 0; // x/0 = ∞, and 1/∞ = 0
      const r = x / overall;
      return r > 1 ? 1 / r : r;
    }),
  );
  return ratios.length === 0 ? null : Math.min(...ratios);
}

const maxOrNull = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));
const minOrNull = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));

export function disparities(groups: readonly GroupMetrics[], overall: GroupMetrics, method: DisparityMethod): Disparities {
  const col = (key: 'selection_rate' | 'tpr' | 'fpr') => groups.map((g) => g[key]);
  const tprDiff = groupDifference(col('tpr'), overall.tpr, method);
  const fprDiff = groupDifference(col('fpr'), overall.fpr, method);
  const tprRatio = groupRatio(col('tpr'), overall.tpr, method);
  const fprRatio = groupRatio(col('fpr'), overall.fpr, method);
  return {
    demographic_parity_difference: groupDifference(col('selection_rate'), overall.selection_rate, method),
    demographic_parity_ratio: groupRatio(col('selection_rate'), overall.selection_rate, method),
    equalized_odds_difference: maxOrNull(tprDiff, fprDiff),
    equalized_odds_ratio: minOrNull(tprRatio, fprRatio),
    equal_opportunity_difference: tprDiff,
    equal_opportunity_ratio: tprRatio,
  };
}

// ---------------------------------------------------------------------------------------------
// AIF360

const diffOrNull = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);

/** AIF360's unprivileged-vs-privileged metrics. */
export function aif360Metrics(unprivileged: GroupMetrics, privileged: GroupMetrics): Aif360Metrics {
  const fprDiff = diffOrNull(unprivileged.fpr, privileged.fpr);
  const tprDiff = diffOrNull(unprivileged.tpr, privileged.tpr);
  return {
    disparate_impact: unprivileged.selection_rate === null || privileged.selection_rate === null ? null : ratioOrNull(unprivileged.selection_rate, privileged.selection_rate),
    statistical_parity_difference: diffOrNull(unprivileged.selection_rate, privileged.selection_rate),
    average_odds_difference: fprDiff === null || tprDiff === null ? null : (fprDiff + tprDiff) / 2,
    equal_opportunity_difference: tprDiff,
  };
}

/** How far a value is from parity, for picking the worst group. */
function parityDistance(metric: Aif360Metric, value: number): number {
  if (metric !== 'disparate_impact') return Math.abs(value);
  if (value === 0) return Infinity;
  return 1 - Math.min(value, 1 / value);
}

function referenceComparison(encoding: GroupEncoding, counts: Float64Array, reference: ReferenceGroup): ReferenceComparison {
  const k = encoding.features.findIndex((f) => f.name === reference.attribute);
  if (k < 0) throw new FairnessInputError(`reference attribute '${reference.attribute}' is not a sensitive feature`);
  const values = encoding.features[k]!.values;
  const r = values.indexOf(reference.group);
  if (r < 0) {
    throw new FairnessInputError(`reference group '${reference.group}' does not occur in '${reference.attribute}'; its groups are: ${values.join(', ')}`);
  }
  const perValue = marginalCounts(encoding, counts, k);
  const privileged = metricsFromCounts(perValue[r]!);
  const pooledCounts = zero();
  perValue.forEach((c, i) => {
    if (i === r) return;
    pooledCounts.tp += c.tp;
    pooledCounts.fp += c.fp;
    pooledCounts.tn += c.tn;
    pooledCounts.fn += c.fn;
  });
  const byGroup = values.flatMap((group, i) => (i === r ? [] : [{ group, ...aif360Metrics(metricsFromCounts(perValue[i]!), privileged) }]));
  const worst = Object.fromEntries(
    AIF360_METRICS.map((metric) => {
      let best: { group: string; value: number } | null = null;
      for (const g of byGroup) {
        const v = g[metric];
        if (v === null) continue;
        if (best === null || parityDistance(metric, v) > parityDistance(metric, best.value)) best = { group: g.group, value: v };
      }
      return [metric, best];
    }),
  ) as ReferenceComparison['worst'];
  return {
    attribute: reference.attribute,
    reference: reference.group,
    pooled: aif360Metrics(metricsFromCounts(pooledCounts), privileged),
    by_group: byGroup,
    worst,
  };
}

// ---------------------------------------------------------------------------------------------
// Individual fairness (generalized entropy)

/**
 * AIF360's generalized entropy index from confusion counts: benefit 0 for false negatives,
 * 1 for correct predictions, 2 for false positives.
 */
export function generalizedEntropyFromCounts({ tp, fp, tn, fn }: ConfusionCounts, alpha = 2): number | null {
  if (!Number.isFinite(alpha)) throw new FairnessInputError(`alpha must be a finite number, got ${alpha}`);
  const n = tp + fp + tn + fn;
  if (n === 0) return null;
  const n0 = fn;
  const n1 = tp + tn;
  const n2 = fp;
  const mu = (n1 + 2 * n2) / n;
  if (mu === 0) return null;
  const terms: [count: number, ratio: number][] = [
    [n0, 0],
    [n1, 1 / mu],
    [n2, 2 / mu],
  ];
  let sum = 0;
  if (alpha === 1) {
    for (const [c, x] of terms) if (c > 0 && x > 0) sum += c * x * Math.log(x);
    return sum / n;
  }
  if (alpha === 0) {
    for (const [c, x] of terms) if (c > 0) sum += c * (x === 0 ? -Infinity : Math.log(x));
    return -sum / n;
  }
  for (const [c, x] of terms) if (c > 0) sum += c * (x ** alpha - 1);
  return sum / (n * alpha * (alpha - 1));
}

/** The same index from per-row labels and predictions. */
export function generalizedEntropyIndex(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, alpha = 2): number | null {
  checkBinary(yTrue, 'y_true');
  checkBinary(yPred, 'y_pred');
  if (yTrue.length !== yPred.length) throw new FairnessInputError(`y_true has ${yTrue.length} rows but y_pred has ${yPred.length}`);
  const c = zero();
  for (let i = 0; i < yTrue.length; i++) {
    if (yTrue[i] === 1) {
      if (yPred[i] === 1) c.tp++;
      else c.fn++;
    } else if (yPred[i] === 1) c.fp++;
    else c.tn++;
  }
  return generalizedEntropyFromCounts(c, alpha);
}

export function theilIndex(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number | null {
  return generalizedEntropyIndex(yTrue, yPred, 1);
}

// ---------------------------------------------------------------------------------------------
// The report

/** The whole report from per-cell counts (see countCells). */
export function reportFromCounts(encoding: GroupEncoding, counts: Float64Array, options: FairnessOptions = {}): FairnessReport {
  const alpha = options.alpha ?? 2;
  const total = totalCounts(counts);
  const overall = metricsFromCounts(total);
  const section = (features: number[]): AttributeSection => {
    const single = features.length === 1;
    const perGroup = marginalCounts(encoding, counts, single ? features[0]! : null);
    const groups: GroupEntry[] = perGroup.map((c, i) => {
      const vals = single ? [encoding.features[features[0]!]!.values[i]!] : cellValues(encoding, i);
      const names = features.map((k) => encoding.features[k]!.name);
      return {
        group: vals.join(' | '),
        values: Object.fromEntries(names.map((name, j) => [name, vals[j]!])),
        ...metricsFromCounts(c),
      };
    });
    return {
      attribute: features.map((k) => encoding.features[k]!.name).join(' & '),
      features: features.map((k) => encoding.features[k]!.name),
      groups,
      between_groups: disparities(groups, overall, 'between_groups'),
      to_overall: disparities(groups, overall, 'to_overall'),
    };
  };
  const attributes = encoding.features.map((_, k) => section([k]));
  if (encoding.features.length > 1) attributes.push(section(encoding.features.map((_, k) => k)));
  return {
    rows: total.tp + total.fp + total.tn + total.fn,
    overall,
    attributes,
    reference: options.reference ? referenceComparison(encoding, counts, options.reference) : null,
    individual: {
      alpha,
      generalized_entropy_index: generalizedEntropyFromCounts(total, alpha),
      theil_index: generalizedEntropyFromCounts(total, 1),
    },
  };
}

export interface FairnessInput {
  yTrue: ArrayLike<number>;
  yPred: ArrayLike<number>;
  sensitive: readonly SensitiveFeature[];
}

export function checkInput({ yTrue, yPred, sensitive }: FairnessInput): void {
  if (yTrue.length !== yPred.length) throw new FairnessInputError(`y_true has ${yTrue.length} rows but y_pred has ${yPred.length}`);
  if (yTrue.length === 0) throw new FairnessInputError('there are no rows');
  checkBinary(yTrue, 'y_true');
  checkBinary(yPred, 'y_pred');
  for (const f of sensitive) {
    if (f.values.length !== yTrue.length) throw new FairnessInputError(`sensitive feature '${f.name}' has ${f.values.length} values for ${yTrue.length} rows`);
  }
}

/** Overall, per-group, per-intersection metrics and every disparity for one set of predictions. */
export function computeFairness(input: FairnessInput, options: FairnessOptions = {}): FairnessReport {
  checkInput(input);
  const encoding = encodeGroups(input.sensitive, input.yTrue.length);
  return reportFromCounts(encoding, countCells(input.yTrue, input.yPred, encoding), options);
}

/** The section for one attribute name ('sex', or 'sex & race' for the intersection). */
export function findSection(report: FairnessReport, attribute: string): AttributeSection | undefined {
  return report.attributes.find((s) => s.attribute === attribute);
}
