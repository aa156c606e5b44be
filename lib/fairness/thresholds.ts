/**
 * Fairness at any decision threshold, fast enough for a slider: each cell's (see metrics.ts)
 * scores are sorted once, split by label, so the confusion counts at a threshold are two binary
 * searches per cell — O(cells · log n) per threshold instead of a pass over the rows.
 */
import { checkBinary, encodeGroups, FairnessInputError, findSection, reportFromCounts, type FairnessOptions, type FairnessReport, type GroupEncoding, type SensitiveFeature } from './metrics';

export interface ScoredInput {
  yTrue: ArrayLike<number>;
  scores: ArrayLike<number>;
  sensitive: readonly SensitiveFeature[];
}

export interface CurvePoint {
  threshold: number;
  accuracy: number | null;
  /** Group → selection rate, for the curve's attribute. */
  selection_rate: Record<string, number | null>;
  demographic_parity_difference: number | null;
  equalized_odds_difference: number | null;
}

export interface ThresholdExplorer {
  encoding: GroupEncoding;
  /** Per-cell confusion counts [tp, fp, tn, fn] × cells at a threshold (ŷ = score ≥ t). */
  countsAt(threshold: number): Float64Array;
  /** The full report at a threshold. */
  at(threshold: number, options?: FairnessOptions): FairnessReport;
  /** One point per threshold; `attribute` (default: the first feature) picks the groups. */
  curve(grid?: readonly number[], attribute?: string): CurvePoint[];
}

/** 0, 0.01, …, 1. */
export function defaultGrid(steps = 100): number[] {
  return Array.from({ length: steps + 1 }, (_, i) => i / steps);
}

/** Number of entries of the ascending `sorted` that are < t. */
export function lowerBound(sorted: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function checkScores(scores: ArrayLike<number>): void {
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) throw new FairnessInputError(`score must be a finite number; row ${i + 1} has ${String(scores[i])}`);
  }
}

export function createThresholdExplorer({ yTrue, scores, sensitive }: ScoredInput): ThresholdExplorer {
  if (yTrue.length !== scores.length) throw new FairnessInputError(`y_true has ${yTrue.length} rows but scores has ${scores.length}`);
  if (yTrue.length === 0) throw new FairnessInputError('there are no rows');
  checkBinary(yTrue, 'y_true');
  checkScores(scores);
  const encoding = encodeGroups(sensitive, yTrue.length);
  const buckets: { pos: number[]; neg: number[] }[] = Array.from({ length: encoding.cellCount }, () => ({ pos: [], neg: [] }));
  for (let i = 0; i < yTrue.length; i++) buckets[encoding.cellOf[i]!]![yTrue[i] === 1 ? 'pos' : 'neg'].push(scores[i]!);
  const sorted = buckets.map((b) => ({ pos: Float64Array.from(b.pos).sort(), neg: Float64Array.from(b.neg).sort() }));

  const countsAt = (threshold: number): Float64Array => {
    if (Number.isNaN(threshold)) throw new FairnessInputError('threshold must be a number');
    const counts = new Float64Array(encoding.cellCount * 4);
    sorted.forEach(({ pos, neg }, c) => {
      const fn = lowerBound(pos, threshold);
      const tn = lowerBound(neg, threshold);
      counts[c * 4] = pos.length - fn;
      counts[c * 4 + 1] = neg.length - tn;
      counts[c * 4 + 2] = tn;
      counts[c * 4 + 3] = fn;
    });
    return counts;
  };

  return {
    encoding,
    countsAt,
    at: (threshold, options) => reportFromCounts(encoding, countsAt(threshold), options),
    curve(grid = defaultGrid(), attribute = encoding.features[0]!.name) {
      return grid.map((threshold) => {
        const report = reportFromCounts(encoding, countsAt(threshold));
        const section = findSection(report, attribute);
        if (!section) throw new FairnessInputError(`'${attribute}' is not a sensitive feature`);
        return {
          threshold,
          accuracy: report.overall.accuracy,
          selection_rate: Object.fromEntries(section.groups.map((g) => [g.group, g.selection_rate])),
          demographic_parity_difference: section.between_groups.demographic_parity_difference,
          equalized_odds_difference: section.between_groups.equalized_odds_difference,
        };
      });
    },
  };
}
