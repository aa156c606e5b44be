/**
 * Group error metrics for regression: MAE and RMSE per group (each sensitive feature, then their
 * intersection when there are 2+, empty intersections with count 0 and null errors) and their
 * gaps — max − min and min / max over the groups with rows (Fairlearn's between_groups
 * difference and ratio; the ratio is null when every group's error is 0).
 */
import { cellValues, encodeGroups, FairnessInputError, groupDifference, groupRatio, type SensitiveFeature } from './metrics';

export interface RegressionGroup {
  group: string;
  values: Record<string, string>;
  count: number;
  mae: number | null;
  rmse: number | null;
}

export interface RegressionSection {
  attribute: string;
  features: string[];
  groups: RegressionGroup[];
  mae_difference: number | null;
  mae_ratio: number | null;
  rmse_difference: number | null;
  rmse_ratio: number | null;
}

export interface RegressionReport {
  overall: { count: number; mae: number; rmse: number };
  attributes: RegressionSection[];
}

export function regressionFairness(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, sensitive: readonly SensitiveFeature[]): RegressionReport {
  const n = yTrue.length;
  if (yPred.length !== n) throw new FairnessInputError(`y_true has ${n} rows but y_pred has ${yPred.length}`);
  if (n === 0) throw new FairnessInputError('there are no rows');
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(yTrue[i]) || !Number.isFinite(yPred[i])) throw new FairnessInputError(`row ${i + 1}: targets and predictions must be finite numbers`);
  }
  const enc = encodeGroups(sensitive, n);
  // Per cell: count, Σ|e|, Σe².
  const sums = new Float64Array(enc.cellCount * 3);
  for (let i = 0; i < n; i++) {
    const e = yPred[i]! - yTrue[i]!;
    const c = enc.cellOf[i]! * 3;
    sums[c]!++;
    sums[c + 1]! += Math.abs(e);
    sums[c + 2]! += e * e;
  }
  const names = enc.features.map((f) => f.name);
  const cellGroups: RegressionGroup[] = [];
  const totals = [0, 0, 0];
  for (let c = 0; c < enc.cellCount; c++) {
    const vals = cellValues(enc, c);
    for (let j = 0; j < 3; j++) totals[j]! += sums[c * 3 + j]!;
    cellGroups.push(group(vals.join(' | '), Object.fromEntries(names.map((name, j) => [name, vals[j]!])), sums[c * 3]!, sums[c * 3 + 1]!, sums[c * 3 + 2]!));
  }

  const section = (features: number[]): RegressionSection => {
    let groups: RegressionGroup[];
    if (features.length === enc.features.length) groups = cellGroups;
    else {
      const k = features[0]!;
      groups = enc.features[k]!.values.map((value) => {
        const acc = [0, 0, 0];
        for (let c = 0; c < enc.cellCount; c++) {
          if (cellValues(enc, c)[k] !== value) continue;
          for (let j = 0; j < 3; j++) acc[j]! += sums[c * 3 + j]!;
        }
        return group(value, { [enc.features[k]!.name]: value }, acc[0]!, acc[1]!, acc[2]!);
      });
    }
    const mae = groups.map((g) => g.mae);
    const rmse = groups.map((g) => g.rmse);
    return {
      attribute: features.map((k) => names[k]!).join(' & '),
      features: features.map((k) => names[k]!),
      groups,
      mae_difference: groupDifference(mae, null, 'between_groups'),
      mae_ratio: groupRatio(mae, null, 'between_groups'),
      rmse_difference: groupDifference(rmse, null, 'between_groups'),
      rmse_ratio: groupRatio(rmse, null, 'between_groups'),
    };
  };
  const attributes = enc.features.length === 1 ? [section([0])] : [...enc.features.map((_, k) => section([k])), section(enc.features.map((_, k) => k))];
  return { overall: { count: n, mae: totals[1]! / n, rmse: Math.sqrt(totals[2]! / n) }, attributes };
}

function group(name: string, values: Record<string, string>, count: number, abs: number, sq: number): RegressionGroup {
  return { group: name, values, count, mae: count === 0 ? null : abs / count, rmse: count === 0 ? null : Math.sqrt(sq / count) };
}
