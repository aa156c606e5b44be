/**
 * Train / validation / test splits: seeded, optionally stratified, deterministic for a seed.
 *
 * Within each stratum (all rows when not stratified) rows are shuffled with the seeded
 * generator and cut by exact counts: each split's quota n·fraction is rounded down and the
 * rows left over go, one each, to the splits with the largest fractional remainders (ties to
 * train, then validation, then test). Every split therefore holds within one row of its exact
 * share of every stratum; totals can drift from N·fraction by at most one row per stratum.
 */
import { z } from 'zod';
import { createRng } from '../random';
import { DatasetError } from './errors';
import type { Task } from './schema';
import { quantileSorted } from './stats';
import { MISSING_GROUP, columnIndex, type Table } from './table';

export const SPLIT_NAMES = ['train', 'validation', 'test'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

/** label-and-sensitive: strata are label × every sensitive attribute, so small groups land in every split. */
export const ZStratify = z.enum(['none', 'label', 'label-and-sensitive']);
export type Stratify = z.infer<typeof ZStratify>;

export const ZSplitSettings = z
  .object({
    train: z.number().min(0).max(1),
    validation: z.number().min(0).max(1),
    test: z.number().min(0).max(1),
    seed: z
      .int()
      .min(0)
      .max(2 ** 32 - 1),
    stratify: ZStratify.default('label'),
  })
  .refine((s) => Math.abs(s.train + s.validation + s.test - 1) < 1e-9, { message: 'train, validation and test must add up to 1' })
  .refine((s) => s.train > 0, { message: 'the train split cannot be empty', path: ['train'] });
export type SplitSettings = z.infer<typeof ZSplitSettings>;

export const DEFAULT_SPLIT: SplitSettings = { train: 0.7, validation: 0.15, test: 0.15, seed: 0, stratify: 'label' };

export interface StratumCounts {
  key: string;
  train: number;
  validation: number;
  test: number;
}

export interface SplitResult {
  /** Row indices of each split, ascending. */
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
  /** Counts per stratum (one stratum, key '', when not stratified), sorted by key. */
  strata: StratumCounts[];
}

/** Rounds n·fractions down and hands the rows left over to the largest remainders (ties in list order). */
export function largestRemainder(n: number, fractions: readonly number[]): number[] {
  const quotas = fractions.map((f) => n * f);
  const counts = quotas.map((q) => Math.floor(q + 1e-9));
  let left = n - counts.reduce((a, b) => a + b, 0);
  const order = quotas.map((q, i) => ({ i, r: q - Math.floor(q + 1e-9) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) counts[order[k]!.i]!++;
  return counts;
}

/**
 * Splits `count` rows. With `strata` (one key per row, e.g. from stratumKeys), each stratum is
 * split on its own; strata are visited in sorted key order, so the result depends only on the
 * seed and the keys, not on how rows happen to be grouped in memory.
 */
export function splitRows(count: number, settings: SplitSettings, strata?: ArrayLike<string>): SplitResult {
  const parsed = ZSplitSettings.parse(settings);
  if (strata && strata.length !== count) throw new DatasetError(`got ${strata.length} stratum keys for ${count} rows`);
  const groups = new Map<string, number[]>();
  for (let i = 0; i < count; i++) {
    const key = strata && parsed.stratify !== 'none' ? strata[i]! : '';
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(i);
  }
  const rng = createRng(parsed.seed);
  const fractions = [parsed.train, parsed.validation, parsed.test];
  const out: number[][] = [[], [], []];
  const counts: StratumCounts[] = [];
  for (const key of [...groups.keys()].sort()) {
    const rows = rng.shuffle(groups.get(key)!);
    const [train, validation, test] = largestRemainder(rows.length, fractions) as [number, number, number];
    out[0]!.push(...rows.slice(0, train));
    out[1]!.push(...rows.slice(train, train + validation));
    out[2]!.push(...rows.slice(train + validation));
    counts.push({ key, train, validation, test });
  }
  const [train, validation, test] = out.map((rows) => Int32Array.from(rows).sort()) as [Int32Array, Int32Array, Int32Array];
  return { train, validation, test, strata: counts };
}

/** Regression labels are stratified by this many quantile bins. */
export const REGRESSION_STRATA = 5;

/**
 * One stratum key per row for the chosen stratification: the label value (regression labels
 * binned into REGRESSION_STRATA quantile bins), joined with the sensitive values for
 * 'label-and-sensitive'. Missing values form their own stratum.
 */
export function stratumKeys(table: Table, options: { stratify: Stratify; label?: string; sensitive?: readonly string[]; task?: Task }): string[] {
  if (options.stratify === 'none' || options.label === undefined) return table.rows.map(() => '');
  const labelAt = columnIndex(table.columns, options.label);
  const sensitiveAt = options.stratify === 'label-and-sensitive' ? (options.sensitive ?? []).map((c) => columnIndex(table.columns, c)) : [];
  let labelKey = (cell: string | null) => cell ?? MISSING_GROUP;
  if (options.task?.kind === 'regression') {
    const values = table.rows
      .map((r) => Number(r[labelAt]))
      .filter((v) => Number.isFinite(v))
      .sort((a, b) => a - b);
    const cuts = Array.from({ length: REGRESSION_STRATA - 1 }, (_, i) => quantileSorted(values, (i + 1) / REGRESSION_STRATA));
    labelKey = (cell) => {
      const v = cell === null ? NaN : Number(cell);
      if (!Number.isFinite(v)) return MISSING_GROUP;
      let bin = 0;
      while (bin < cuts.length && v > cuts[bin]!) bin++;
      return `q${bin}`;
    };
  }
  return table.rows.map((row) => [labelKey(row[labelAt]!), ...sensitiveAt.map((j) => row[j] ?? MISSING_GROUP)].join('\u241f'));
}
