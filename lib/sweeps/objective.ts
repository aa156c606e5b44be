/**
 * The objective of a sweep and median early stopping, pure: where an objective's values are
 * stored, which run is best, and whether a run should be pruned at an epoch.
 */
import type { MedianStopping, SweepObjective } from '../schemas/sweeps';

/** The metric series an objective reads: `val_loss` → (loss, validation), `test_accuracy` → (accuracy, test). */
export function objectiveSeries(metric: string): { key: string; context: 'train' | 'validation' | 'test' } {
  if (metric.startsWith('val_')) return { key: metric.slice(4), context: 'validation' };
  if (metric.startsWith('test_')) return { key: metric.slice(5), context: 'test' };
  return { key: metric, context: 'train' };
}

/** A run's objective value from its summary row (last, min, max). */
export function objectiveValue(objective: Pick<SweepObjective, 'direction' | 'summary'>, summary: { last: number | null; min: number | null; max: number | null } | undefined): number | null {
  if (!summary) return null;
  const v = objective.summary === 'best' ? (objective.direction === 'min' ? summary.min : summary.max) : summary.last;
  return v !== null && Number.isFinite(v) ? v : null;
}

export const isBetter = (direction: 'min' | 'max', a: number, b: number) => (direction === 'min' ? a < b : a > b);

/** The index of the best value (ties: the first), or -1 when none has a value. */
export function bestIndex(direction: 'min' | 'max', values: Array<number | null>): number {
  let best = -1;
  values.forEach((v, i) => {
    if (v !== null && Number.isFinite(v) && (best < 0 || isBetter(direction, v, values[best]!))) best = i;
  });
  return best;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export type PruneDecision = { prune: false; reason: string } | { prune: true; reason: string; median: number; best: number };

/**
 * Optuna's MedianPruner with epochs as steps: after `warmupEpochs`, and once `startupRuns` runs
 * have completed, a run is pruned when the best objective it has reached so far is worse than
 * the median of the completed runs' values at the same epoch.
 *
 * `own` holds the run's values for epochs 1…epoch; `completedAtEpoch` the completed runs' values
 * at this epoch (runs that never reached it are absent); `completedRuns` how many have completed.
 */
export function medianPrune(args: {
  settings: MedianStopping;
  direction: 'min' | 'max';
  epoch: number;
  own: number[];
  completedAtEpoch: number[];
  completedRuns: number;
  metric: string;
}): PruneDecision {
  const { settings, direction, epoch } = args;
  if (epoch <= settings.warmupEpochs) return { prune: false, reason: `warm-up (${settings.warmupEpochs} epochs)` };
  if (args.completedRuns < settings.startupRuns) return { prune: false, reason: `${args.completedRuns} of ${settings.startupRuns} start-up runs completed` };
  const others = args.completedAtEpoch.filter(Number.isFinite);
  if (others.length === 0) return { prune: false, reason: `no completed run reached epoch ${epoch}` };
  const own = args.own.filter(Number.isFinite);
  if (own.length === 0) return { prune: false, reason: 'no value yet' };
  const best = direction === 'min' ? Math.min(...own) : Math.max(...own);
  const m = median(others);
  if (isBetter(direction, m, best)) {
    return {
      prune: true,
      median: m,
      best,
      reason: `pruned after epoch ${epoch}: its best ${args.metric} ${fmt(best)} is worse than the median ${fmt(m)} of ${others.length} completed run(s) at that epoch`,
    };
  }
  return { prune: false, reason: `${args.metric} ${fmt(best)} is not worse than the median ${fmt(m)}` };
}

const fmt = (v: number) => Number(v.toPrecision(4)).toString();
