/**
 * Attributions per sensitive group, and a proxy check: does the model lean on features that stand
 * in for a sensitive attribute?
 *
 * A source feature's attribution on a row is the signed sum of its columns' attributions (a one-hot
 * group counts once; completeness makes attributions additive). Per group of each sensitive
 * attribute we report the mean |attribution| per feature, and per feature the gap between the
 * groups with the highest and lowest mean (max − min; with two groups, their absolute difference).
 *
 * Proxy check, per (feature, sensitive attribute), on the same rows:
 *   - value association: for a numeric feature (one column, or several that are not all 0/1 —
 *     the first column is used), the correlation ratio η = √(SS_between / SS_total) of the value
 *     across the sensitive groups; with two groups η equals |point-biserial r|. For a one-hot
 *     group (≥ 2 columns, all 0/1) the row's category is its hot column and the statistic is
 *     Cramér's V = √(χ² / (n · (min(r, c) − 1))) of the category × group table (no bias correction).
 *   - attribution association: η of the feature's per-row attribution across the groups.
 * A feature is flagged when it matters (share of the total mean |attribution| ≥ minShare) and
 * either association reaches the threshold; a feature named like the attribute is flagged 'direct'.
 */
import type { FeatureGroup } from './permutation';

export interface GroupAttributionInput {
  /** n × rowSize attributions, laid out like x. */
  attributions: ArrayLike<number>;
  /** n × rowSize feature values (the encoded rows the attributions explain). */
  x: ArrayLike<number>;
  n: number;
  rowSize: number;
  features: FeatureGroup[];
  /** Values of each sensitive attribute per row. */
  sensitive: Record<string, string[]>;
  /** Association at or above which a used feature is flagged (default 0.3). */
  proxyThreshold?: number;
  /** Share of the total mean |attribution| a feature needs to count as used (default 0.05). */
  minShare?: number;
}

export interface GroupSummary {
  value: string;
  count: number;
  /** Mean |attribution| per feature (in `features` order) over this group's rows. */
  meanAbs: number[];
}

export interface FeatureGap {
  feature: string;
  high: string;
  low: string;
  /** Highest minus lowest group mean |attribution|. */
  difference: number;
}

export type AssociationStatistic = 'correlation-ratio' | 'cramers-v';

export interface ProxyCheck {
  feature: string;
  /** This feature's share of the total mean |attribution|. */
  share: number;
  valueStatistic: AssociationStatistic;
  valueAssociation: number;
  /** η of the per-row attribution across groups. */
  attributionAssociation: number;
  flag: 'direct' | 'proxy' | null;
}

export interface SensitiveAttributeSummary {
  attribute: string;
  features: string[];
  /** Mean |attribution| per feature over all rows. */
  overallMeanAbs: number[];
  groups: GroupSummary[];
  gaps: FeatureGap[];
  proxies: ProxyCheck[];
}

/** Per-row attribution of each source feature: the signed sum over its columns. */
export function featureAttributions(attributions: ArrayLike<number>, n: number, rowSize: number, features: FeatureGroup[]): Float64Array[] {
  return features.map(({ columns }) => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) for (const c of columns) out[i] = out[i]! + attributions[i * rowSize + c]!;
    return out;
  });
}

/** Mean |attribution| of each source feature over all rows. */
export function meanAbsPerFeature(attributions: ArrayLike<number>, n: number, rowSize: number, features: FeatureGroup[]): number[] {
  return featureAttributions(attributions, n, rowSize, features).map((values) => (n === 0 ? 0 : values.reduce((s, v) => s + Math.abs(v), 0) / n));
}

/** Correlation ratio η of numeric values across groups; 0 when the values do not vary. */
export function correlationRatio(values: ArrayLike<number>, groups: readonly string[]): number {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i]!;
  mean /= n;
  const sums = new Map<string, { sum: number; count: number }>();
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += (values[i]! - mean) ** 2;
    const s = sums.get(groups[i]!) ?? { sum: 0, count: 0 };
    s.sum += values[i]!;
    s.count += 1;
    sums.set(groups[i]!, s);
  }
  if (!(total > 0)) return 0;
  let between = 0;
  for (const { sum, count } of sums.values()) between += count * (sum / count - mean) ** 2;
  return Math.min(1, Math.sqrt(between / total));
}

/** Cramér's V of two categorical variables; 0 when either has a single category. */
export function cramersV(a: readonly string[], b: readonly string[]): number {
  const n = a.length;
  const rows = [...new Set(a)];
  const cols = [...new Set(b)];
  if (rows.length < 2 || cols.length < 2) return 0;
  const table = new Map<string, number>();
  const rowTotal = new Map<string, number>();
  const colTotal = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const key = `${a[i]}\u0000${b[i]}`;
    table.set(key, (table.get(key) ?? 0) + 1);
    rowTotal.set(a[i]!, (rowTotal.get(a[i]!) ?? 0) + 1);
    colTotal.set(b[i]!, (colTotal.get(b[i]!) ?? 0) + 1);
  }
  let chi2 = 0;
  for (const r of rows) {
    for (const c of cols) {
      const expected = (rowTotal.get(r)! * colTotal.get(c)!) / n;
      chi2 += ((table.get(`${r}\u0000${c}`) ?? 0) - expected) ** 2 / expected;
    }
  }
  return Math.min(1, Math.sqrt(chi2 / (n * (Math.min(rows.length, cols.length) - 1))));
}

/** The hot column's index per row (−1 when none is hot), or null when the group is not one-hot. */
function oneHotCategories(x: ArrayLike<number>, n: number, rowSize: number, columns: number[]): string[] | null {
  if (columns.length < 2) return null;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let hot = -1;
    for (const c of columns) {
      const v = x[i * rowSize + c]!;
      if (v !== 0 && v !== 1) return null;
      if (v === 1 && hot === -1) hot = c;
    }
    out.push(String(hot));
  }
  return out;
}

export function summariseGroupAttributions(input: GroupAttributionInput): SensitiveAttributeSummary[] {
  const { n, rowSize, features } = input;
  const threshold = input.proxyThreshold ?? 0.3;
  const minShare = input.minShare ?? 0.05;
  const perFeature = featureAttributions(input.attributions, n, rowSize, features);
  const meanAbs = (values: Float64Array, rows: number[]) => (rows.length === 0 ? 0 : rows.reduce((s, i) => s + Math.abs(values[i]!), 0) / rows.length);
  const all = Array.from({ length: n }, (_, i) => i);
  const overallMeanAbs = perFeature.map((values) => meanAbs(values, all));
  const totalMeanAbs = overallMeanAbs.reduce((a, b) => a + b, 0);
  const names = features.map((f) => f.name);

  return Object.entries(input.sensitive).map(([attribute, rowValues]) => {
    if (rowValues.length !== n) throw new RangeError(`sensitive attribute '${attribute}' has ${rowValues.length} values for ${n} rows`);
    const byGroup = new Map<string, number[]>();
    rowValues.forEach((value, i) => {
      const rows = byGroup.get(value);
      if (rows) rows.push(i);
      else byGroup.set(value, [i]);
    });
    const groups: GroupSummary[] = [...byGroup]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([value, rows]) => ({ value, count: rows.length, meanAbs: perFeature.map((values) => meanAbs(values, rows)) }));
    const gaps: FeatureGap[] = names.map((feature, f) => {
      let high = groups[0]!;
      let low = groups[0]!;
      for (const g of groups) {
        if (g.meanAbs[f]! > high.meanAbs[f]!) high = g;
        if (g.meanAbs[f]! < low.meanAbs[f]!) low = g;
      }
      return { feature, high: high.value, low: low.value, difference: high.meanAbs[f]! - low.meanAbs[f]! };
    });
    const proxies: ProxyCheck[] = features.map((feature, f) => {
      const categories = oneHotCategories(input.x, n, rowSize, feature.columns);
      const valueStatistic: AssociationStatistic = categories ? 'cramers-v' : 'correlation-ratio';
      const valueAssociation = categories
        ? cramersV(categories, rowValues)
        : correlationRatio(
            Float64Array.from(all, (i) => input.x[i * rowSize + feature.columns[0]!]!),
            rowValues,
          );
      const attributionAssociation = correlationRatio(perFeature[f]!, rowValues);
      const share = totalMeanAbs > 0 ? overallMeanAbs[f]! / totalMeanAbs : 0;
      const used = share >= minShare;
      const flag = used && feature.name === attribute ? 'direct' : used && Math.max(valueAssociation, attributionAssociation) >= threshold ? 'proxy' : null;
      return { feature: feature.name, share, valueStatistic, valueAssociation, attributionAssociation, flag };
    });
    return { attribute, features: names, overallMeanAbs, groups, gaps, proxies };
  });
}
