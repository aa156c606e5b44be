/**
 * Bias mitigation: pre-processing by reweighing and post-processing by per-group thresholds.
 *
 * Groups are the cells of all the given sensitive features together (their intersection; one
 * feature gives its plain groups).
 *
 * Reweighing (Kamiran & Calders 2012, AIF360's Reweighing): each row of group s and label y gets
 * w(s, y) = P(s)·P(y) / P(s, y) = n_s·n_y / (n·n_sy), which makes label and group independent
 * under the weights: Σw·y / Σw equals the overall base rate in every group that has both
 * labels (a group with one label keeps its rate of 0 or 1 whatever the weights), and the
 * weights then sum to n.
 *
 * Threshold optimisation (a deterministic variant of Fairlearn's ThresholdOptimizer, without its
 * randomised mixing of two thresholds): each group is thresholded at one of its own scores
 * (ŷ = score ≥ t; t = Infinity selects nobody). For every target rate r on a grid of 0…1 (step
 * 1/gridSize), each constrained group takes, among its thresholds whose constrained rate
 * (selection rate for demographic parity, TPR for equal opportunity) lies within r ± tolerance/2,
 * the one with the most correct predictions in that group — or, when none lies there, the one
 * whose rate is nearest r. The target whose thresholds keep max − min of the rate within the
 * tolerance and give the highest overall accuracy wins (ties: smaller disparity, then smaller r).
 * When no target meets the tolerance, the one with the smallest disparity is returned with
 * `satisfied: false`. Under equal opportunity a group without positives has no TPR and simply
 * takes its most accurate threshold.
 */
import { cellValues, checkBinary, computeFairness, encodeGroups, FairnessInputError, predictFromScores, type FairnessOptions, type FairnessReport, type SensitiveFeature } from './metrics';
import { checkScores, type ScoredInput } from './thresholds';

export interface ReweighingCell {
  group: string;
  values: Record<string, string>;
  label: 0 | 1;
  count: number;
  /** null where no row has this (group, label). */
  weight: number | null;
}

export interface ReweighingResult {
  /** One weight per row. */
  weights: Float64Array;
  cells: ReweighingCell[];
}

export function reweigh(yTrue: ArrayLike<number>, sensitive: readonly SensitiveFeature[]): ReweighingResult {
  checkBinary(yTrue, 'y_true');
  const n = yTrue.length;
  if (n === 0) throw new FairnessInputError('there are no rows');
  const enc = encodeGroups(sensitive, n);
  const nsy = new Float64Array(enc.cellCount * 2);
  const ny = [0, 0];
  for (let i = 0; i < n; i++) {
    nsy[enc.cellOf[i]! * 2 + yTrue[i]!]!++;
    ny[yTrue[i]!]!++;
  }
  const weightOf = (c: number, y: number): number | null => {
    const count = nsy[c * 2 + y]!;
    if (count === 0) return null;
    const ns = nsy[c * 2]! + nsy[c * 2 + 1]!;
    return (ns * ny[y]!) / (n * count);
  };
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) weights[i] = weightOf(enc.cellOf[i]!, yTrue[i]!)!;
  const names = enc.features.map((f) => f.name);
  const cells: ReweighingCell[] = [];
  for (let c = 0; c < enc.cellCount; c++) {
    const vals = cellValues(enc, c);
    for (const label of [0, 1] as const) {
      cells.push({
        group: vals.join(' | '),
        values: Object.fromEntries(names.map((name, j) => [name, vals[j]!])),
        label,
        count: nsy[c * 2 + label]!,
        weight: weightOf(c, label),
      });
    }
  }
  return { weights, cells };
}

export type ThresholdConstraint = 'demographic_parity' | 'equal_opportunity';

export interface ThresholdOptimizerOptions extends FairnessOptions {
  constraint: ThresholdConstraint;
  /** Largest allowed max − min of the constrained rate; default 0.01. */
  tolerance?: number;
  /** Target rates 0, 1/gridSize, …, 1; default 200. */
  gridSize?: number;
  /** The single threshold the "before" report uses; default 0.5. */
  baseThreshold?: number;
}

export interface GroupThreshold {
  group: string;
  values: Record<string, string>;
  /** ŷ = score ≥ threshold; Infinity selects nobody. */
  threshold: number;
  /** The constrained rate this threshold gives on the fitting data (null: undefined). */
  rate: number | null;
}

export interface ThresholdOptimizerResult {
  constraint: ThresholdConstraint;
  tolerance: number;
  target: number;
  satisfied: boolean;
  /** max − min of the constrained rate over the groups after optimisation. */
  disparity: number;
  thresholds: GroupThreshold[];
  before: FairnessReport;
  after: FairnessReport;
}

interface GroupCuts {
  /** Thresholds, strictest first: cut k selects the rows with score ≥ thresholds[k]. */
  thresholds: number[];
  /** Constrained rate of each cut, nondecreasing in k; null when undefined for the group. */
  rates: (number | null)[];
  correct: number[];
}

function groupCuts(scores: number[], labels: number[], constraint: ThresholdConstraint): GroupCuts {
  const order = scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const positives = labels.reduce((s, y) => s + y, 0);
  const negatives = labels.length - positives;
  const thresholds = [Infinity];
  let selected = 0;
  let tp = 0;
  const rateOf = () => (constraint === 'demographic_parity' ? selected / labels.length : positives === 0 ? null : tp / positives);
  const rates = [rateOf()];
  const correct = [negatives];
  for (let j = 0; j < order.length;) {
    const s = scores[order[j]!]!;
    while (j < order.length && scores[order[j]!] === s) {
      selected++;
      tp += labels[order[j]!]!;
      j++;
    }
    thresholds.push(s);
    rates.push(rateOf());
    correct.push(tp + negatives - (selected - tp));
  }
  return { thresholds, rates, correct };
}

/** The cut for target r: most correct within r ± half, else the nearest rate. */
function pickCut(cuts: GroupCuts, r: number, half: number): number {
  let best = -1;
  let nearest = 0;
  for (let k = 0; k < cuts.rates.length; k++) {
    const rate = cuts.rates[k] ?? null;
    if (rate === null) {
      if (best < 0 || cuts.correct[k]! > cuts.correct[best]!) best = k;
      continue;
    }
    if (Math.abs(rate - r) <= half + 1e-12 && (best < 0 || cuts.correct[k]! > cuts.correct[best]!)) best = k;
    if (Math.abs(rate - r) < Math.abs(cuts.rates[nearest]! - r)) nearest = k;
  }
  return best >= 0 ? best : nearest;
}

export function optimizeThresholds(input: ScoredInput, options: ThresholdOptimizerOptions): ThresholdOptimizerResult {
  const { constraint, tolerance = 0.01, gridSize = 200, baseThreshold = 0.5 } = options;
  if (!(tolerance >= 0 && tolerance <= 1)) throw new FairnessInputError(`tolerance must be in [0, 1], got ${tolerance}`);
  if (!Number.isInteger(gridSize) || gridSize < 1) throw new FairnessInputError(`gridSize must be a positive integer, got ${gridSize}`);
  const { yTrue, scores, sensitive } = input;
  if (yTrue.length !== scores.length) throw new FairnessInputError(`y_true has ${yTrue.length} rows but scores has ${scores.length}`);
  if (yTrue.length === 0) throw new FairnessInputError('there are no rows');
  checkBinary(yTrue, 'y_true');
  checkScores(scores);
  const enc = encodeGroups(sensitive, yTrue.length);
  const members: { scores: number[]; labels: number[] }[] = Array.from({ length: enc.cellCount }, () => ({ scores: [], labels: [] }));
  for (let i = 0; i < yTrue.length; i++) {
    members[enc.cellOf[i]!]!.scores.push(scores[i]!);
    members[enc.cellOf[i]!]!.labels.push(yTrue[i]!);
  }
  const present = members.flatMap((m, c) => (m.scores.length > 0 ? [c] : []));
  const cuts = new Map(present.map((c) => [c, groupCuts(members[c]!.scores, members[c]!.labels, constraint)]));

  let best: { r: number; picks: Map<number, number>; correct: number; disparity: number; feasible: boolean } | null = null;
  for (let step = 0; step <= gridSize; step++) {
    const r = step / gridSize;
    const picks = new Map<number, number>();
    let correct = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (const c of present) {
      const gc = cuts.get(c)!;
      const k = pickCut(gc, r, tolerance / 2);
      picks.set(c, k);
      correct += gc.correct[k]!;
      const rate = gc.rates[k] ?? null;
      if (rate !== null) {
        lo = Math.min(lo, rate);
        hi = Math.max(hi, rate);
      }
    }
    const disparity = hi >= lo ? hi - lo : 0;
    const feasible = disparity <= tolerance + 1e-12;
    const better =
      best === null ||
      (feasible && !best.feasible) ||
      (feasible === best.feasible &&
        (feasible ? correct > best.correct || (correct === best.correct && disparity < best.disparity) : disparity < best.disparity || (disparity === best.disparity && correct > best.correct)));
    if (better) best = { r, picks, correct, disparity, feasible };
  }

  const names = enc.features.map((f) => f.name);
  const thresholds: GroupThreshold[] = present.map((c) => {
    const vals = cellValues(enc, c);
    const gc = cuts.get(c)!;
    const k = best!.picks.get(c)!;
    return { group: vals.join(' | '), values: Object.fromEntries(names.map((name, j) => [name, vals[j]!])), threshold: gc.thresholds[k]!, rate: gc.rates[k] ?? null };
  });
  const reportOptions: FairnessOptions = { reference: options.reference, alpha: options.alpha };
  return {
    constraint,
    tolerance,
    target: best!.r,
    satisfied: best!.feasible,
    disparity: best!.disparity,
    thresholds,
    before: computeFairness({ yTrue, yPred: predictFromScores(scores, baseThreshold), sensitive }, reportOptions),
    after: computeFairness({ yTrue, yPred: applyThresholds(scores, sensitive, thresholds), sensitive }, reportOptions),
  };
}

/** Per-group thresholds applied to (new) scores; a row of a group without a threshold is an error. */
export function applyThresholds(scores: ArrayLike<number>, sensitive: readonly SensitiveFeature[], thresholds: readonly GroupThreshold[]): Uint8Array {
  checkScores(scores);
  for (const f of sensitive) {
    if (f.values.length !== scores.length) throw new FairnessInputError(`sensitive feature '${f.name}' has ${f.values.length} values for ${scores.length} rows`);
  }
  const keyOf = (vals: readonly string[]) => JSON.stringify(vals);
  const byKey = new Map(
    thresholds.map((t) => {
      const missing = sensitive.find((f) => t.values[f.name] === undefined);
      if (missing) throw new FairnessInputError(`the threshold for group ${t.group} has no value for '${missing.name}'`);
      return [keyOf(sensitive.map((f) => t.values[f.name]!)), t.threshold];
    }),
  );
  const out = new Uint8Array(scores.length);
  for (let i = 0; i < scores.length; i++) {
    const vals = sensitive.map((f) => f.values[i]!);
    const t = byKey.get(keyOf(vals));
    if (t === undefined) throw new FairnessInputError(`row ${i + 1}: no threshold for group ${vals.join(' | ')}`);
    out[i] = scores[i]! >= t ? 1 : 0;
  }
  return out;
}
