/**
 * Per-column statistics gathered in one streaming pass with bounded memory, whatever the row
 * count: running moments (Welford), exact min/max, exact value counts for the first
 * MAX_TRACKED_VALUES distinct values and a HyperLogLog estimate beyond, and a seeded
 * reservoir sample of RESERVOIR_SIZE numbers for the histogram and quantiles.
 */
import { z } from 'zod';
import { createRng, deriveSeed, type Rng } from '../random';
import { hasLeadingZero, inferColumnType, parseBooleanToken, parseDatetime, parseNumber, suggestRole, type TypeEvidence } from './infer-types';
import { MAX_CLASSES, ZColumnRole, ZColumnType, type LabelSummary } from './schema';

/** Distinct values counted exactly per column; beyond this, counts of new values are not kept. */
export const MAX_TRACKED_VALUES = 1000;
/** Numbers kept per column for histograms and quantiles; up to this count both are exact. */
export const RESERVOIR_SIZE = 16_384;
export const HISTOGRAM_BINS = 20;
const TOP_VALUES_SHOWN = 20;

export const ZValueCount = z.object({ value: z.string(), count: z.int().min(0) });

export const ZHistogram = z.object({
  /** bins + 1 ascending edges; bin i holds edges[i] ≤ x < edges[i+1] (the last bin includes its upper edge). */
  edges: z.array(z.number()),
  counts: z.array(z.int().min(0)),
  /**
   * False when the column has more numbers than RESERVOIR_SIZE: counts are then the sample's,
   * scaled to the column's count (largest remainder, so they still sum to it).
   */
  exact: z.boolean(),
});
export type Histogram = z.infer<typeof ZHistogram>;

export const ZNumericStats = z.object({
  min: z.number(),
  max: z.number(),
  mean: z.number(),
  /** Population standard deviation (ddof 0, as StandardScaler uses). */
  std: z.number(),
  integer: z.boolean(),
  /** Interpolated quantiles of the reservoir sample (exact up to RESERVOIR_SIZE numbers). */
  quantiles: z.object({ p5: z.number(), p25: z.number(), p50: z.number(), p75: z.number(), p95: z.number() }),
  histogram: ZHistogram,
});
export type NumericStats = z.infer<typeof ZNumericStats>;

export const ZColumnProfile = z.object({
  name: z.string(),
  index: z.int().min(0),
  type: ZColumnType,
  typeReason: z.string(),
  suggestedRole: ZColumnRole,
  /** Non-missing cells. */
  count: z.int().min(0),
  missing: z.int().min(0),
  distinct: z.int().min(0),
  /** False once the column passed MAX_TRACKED_VALUES distinct values: `distinct` is then a ±2 % estimate. */
  distinctExact: z.boolean(),
  /**
   * Most frequent values, most frequent first (ties by value). Complete (every distinct value)
   * for categorical and boolean columns and for numeric columns with at most MAX_CLASSES values;
   * the TOP_VALUES_SHOWN most frequent otherwise.
   */
  topValues: z.array(ZValueCount),
  numeric: ZNumericStats.optional(),
  /** String lengths, for categorical and text columns. */
  text: z.object({ minLength: z.int(), maxLength: z.int(), meanLength: z.number(), meanWords: z.number() }).optional(),
  /** ISO 8601 bounds, for datetime columns. */
  datetime: z.object({ min: z.string(), max: z.string() }).optional(),
});
export type ColumnProfile = z.infer<typeof ZColumnProfile>;

/** Accumulates one column's statistics, one (trimmed, non-missing or null) cell at a time. */
export class ColumnAccumulator {
  private missing = 0;
  private count = 0;
  // Numbers: Welford's running mean and sum of squared deviations.
  private numeric = 0;
  private numericNotBinary = 0;
  private integer = true;
  private mean = 0;
  private m2 = 0;
  private min = Infinity;
  private max = -Infinity;
  private reservoir: Float64Array | null = null;
  private readonly rng: Rng;
  // Other evidence.
  private booleanWords = 0;
  private datetime = 0;
  private dateMin = Infinity;
  private dateMax = -Infinity;
  private lengthSum = 0;
  private wordSum = 0;
  private minLength = Infinity;
  private maxLength = 0;
  // Distinct values.
  private readonly counts = new Map<string, number>();
  private hll: HyperLogLog | null = null;

  constructor(
    readonly name: string,
    readonly index: number,
  ) {
    // A fixed seed per column: the same file always gives the same profile.
    this.rng = createRng(deriveSeed(0x5eed, index));
  }

  add(cell: string | null): void {
    if (cell === null) {
      this.missing++;
      return;
    }
    this.count++;
    const known = this.counts.get(cell);
    if (known !== undefined) this.counts.set(cell, known + 1);
    else if (this.hll === null && this.counts.size < MAX_TRACKED_VALUES) this.counts.set(cell, 1);
    else {
      if (this.hll === null) {
        // Past the cap: seed the estimator with every value seen so far, then feed it the rest.
        this.hll = new HyperLogLog();
        for (const value of this.counts.keys()) this.hll.add(value);
      }
      this.hll.add(cell);
    }

    const length = cell.length;
    this.lengthSum += length;
    if (length < this.minLength) this.minLength = length;
    if (length > this.maxLength) this.maxLength = length;
    this.wordSum += countWords(cell);

    const number = parseNumber(cell);
    if (number !== null && !hasLeadingZero(cell)) {
      this.addNumber(number);
      return;
    }
    if (parseBooleanToken(cell) !== null) {
      this.booleanWords++;
      return;
    }
    const time = parseDatetime(cell);
    if (time !== null) {
      this.datetime++;
      if (time < this.dateMin) this.dateMin = time;
      if (time > this.dateMax) this.dateMax = time;
    }
  }

  private addNumber(x: number): void {
    const i = this.numeric++;
    if (x !== 0 && x !== 1) this.numericNotBinary++;
    if (this.integer && !Number.isInteger(x)) this.integer = false;
    const delta = x - this.mean;
    this.mean += delta / this.numeric;
    this.m2 += delta * (x - this.mean);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    // Reservoir sampling (Vitter's algorithm R): every number is kept with equal probability.
    if (i < RESERVOIR_SIZE) {
      this.reservoir ??= new Float64Array(RESERVOIR_SIZE);
      this.reservoir[i] = x;
    } else {
      const j = this.rng.int(i + 1);
      if (j < RESERVOIR_SIZE) this.reservoir![j] = x;
    }
  }

  evidence(): TypeEvidence {
    return {
      count: this.count,
      numeric: this.numeric,
      numericNotBinary: this.numericNotBinary,
      booleanWords: this.booleanWords,
      datetime: this.datetime,
      distinct: this.distinct(),
      meanLength: this.count ? this.lengthSum / this.count : 0,
      meanWords: this.count ? this.wordSum / this.count : 0,
    };
  }

  private distinct(): number {
    // The estimate can undershoot the exactly counted part; never report fewer than that.
    return this.hll ? Math.max(this.counts.size + 1, Math.min(this.count, this.hll.estimate())) : this.counts.size;
  }

  finish(): ColumnProfile {
    const evidence = this.evidence();
    const { type, reason } = inferColumnType(evidence);
    const sorted = [...this.counts].sort(([va, ca], [vb, cb]) => cb - ca || (va < vb ? -1 : va > vb ? 1 : 0));
    const complete = this.hll === null && (type === 'categorical' || type === 'boolean' || (type === 'numeric' && this.counts.size <= MAX_CLASSES));
    const profile: ColumnProfile = {
      name: this.name,
      index: this.index,
      type,
      typeReason: reason,
      suggestedRole: suggestRole(this.name, type, evidence),
      count: this.count,
      missing: this.missing,
      distinct: evidence.distinct,
      distinctExact: this.hll === null,
      topValues: (complete ? sorted : sorted.slice(0, TOP_VALUES_SHOWN)).map(([value, count]) => ({ value, count })),
    };
    if (type === 'numeric' && this.numeric > 0) {
      const sample = this.reservoir!.slice(0, Math.min(this.numeric, RESERVOIR_SIZE)).sort();
      profile.numeric = {
        min: this.min,
        max: this.max,
        mean: this.mean,
        std: Math.sqrt(this.m2 / this.numeric),
        integer: this.integer,
        quantiles: {
          p5: quantileSorted(sample, 0.05),
          p25: quantileSorted(sample, 0.25),
          p50: quantileSorted(sample, 0.5),
          p75: quantileSorted(sample, 0.75),
          p95: quantileSorted(sample, 0.95),
        },
        histogram: histogram(sample, this.min, this.max, this.integer, this.numeric),
      };
    }
    if ((type === 'categorical' || type === 'text') && this.count > 0) {
      profile.text = {
        minLength: this.minLength,
        maxLength: this.maxLength,
        meanLength: evidence.meanLength,
        meanWords: evidence.meanWords,
      };
    }
    if (type === 'datetime' && this.count > 0) {
      profile.datetime = { min: new Date(this.dateMin).toISOString(), max: new Date(this.dateMax).toISOString() };
    }
    return profile;
  }
}

function countWords(cell: string): number {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < cell.length; i++) {
    const c = cell.charCodeAt(i);
    const space = c === 32 || c === 9 || c === 10 || c === 13;
    if (!space && !inWord) words++;
    inWord = !space;
  }
  return words;
}

/** Linear interpolation between closest ranks (numpy's default, R's type 7). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * HISTOGRAM_BINS equal-width bins over the exact [min, max] — or one bin per value for integer
 * columns spanning at most HISTOGRAM_BINS values, so codes like education-num 1..16 get a bar
 * each. Counts come from the (sorted) sample, scaled to `total` when the sample is partial.
 */
export function histogram(sample: ArrayLike<number>, min: number, max: number, integer: boolean, total: number): Histogram {
  let edges: number[];
  if (integer && max - min + 1 <= HISTOGRAM_BINS) {
    edges = Array.from({ length: max - min + 2 }, (_, i) => min - 0.5 + i);
  } else if (min === max) {
    edges = [min, max];
  } else {
    const width = (max - min) / HISTOGRAM_BINS;
    edges = Array.from({ length: HISTOGRAM_BINS + 1 }, (_, i) => (i === HISTOGRAM_BINS ? max : min + i * width));
  }
  const bins = edges.length - 1;
  const lo = edges[0]!;
  const width = (edges[bins]! - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < sample.length; i++) {
    const b = width > 0 ? Math.floor((sample[i]! - lo) / width) : 0;
    counts[Math.min(bins - 1, Math.max(0, b))]!++;
  }
  const exact = sample.length === total;
  return { edges, counts: exact ? counts : scaleCounts(counts, total), exact };
}

/** Scales counts to sum to `total`, rounding by largest remainder (ties to the lower bin). */
export function scaleCounts(counts: readonly number[], total: number): number[] {
  const sum = counts.reduce((a, b) => a + b, 0);
  if (sum === 0) return counts.map(() => 0);
  const quotas = counts.map((c) => (c * total) / sum);
  const result = quotas.map(Math.floor);
  let left = total - result.reduce((a, b) => a + b, 0);
  const order = quotas.map((q, i) => ({ i, r: q - Math.floor(q) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left-- <= 0) break;
    result[i]!++;
  }
  return result;
}

/**
 * Cut points that split a numeric column into about `groups` groups of similar size (from its
 * quantiles; fewer when quantiles coincide), for grouping a numeric sensitive attribute such
 * as age in the bias report. Integer columns get integer cut points.
 */
export function quantileEdges(column: ColumnProfile, groups: 2 | 4 = 4): number[] {
  const stats = column.numeric;
  if (!stats) return [];
  const q = stats.quantiles;
  const candidates = groups === 2 ? [q.p50] : [q.p25, q.p50, q.p75];
  const edges = [...new Set(candidates.map((x) => (stats.integer ? Math.round(x) : x)))];
  return edges.filter((e) => e > stats.min && e <= stats.max).sort((a, b) => a - b);
}

/** What task inference needs from a label column's profile. */
export function labelSummary(column: ColumnProfile): LabelSummary {
  const complete = column.distinctExact && column.topValues.length === column.distinct && column.distinct <= MAX_CLASSES;
  return {
    column: column.name,
    type: column.type,
    values: complete ? column.topValues : null,
    distinct: column.distinct,
    integer: column.numeric?.integer ?? column.type === 'boolean',
  };
}

/**
 * HyperLogLog (Flajolet et al. 2007) with 2^12 one-byte registers: 4 KB per column and about
 * 1.6 % standard error, for distinct counts beyond what we count exactly.
 */
class HyperLogLog {
  private static readonly P = 12;
  private readonly registers = new Uint8Array(1 << HyperLogLog.P);

  add(value: string): void {
    const h = hashString(value);
    const index = h >>> (32 - HyperLogLog.P);
    const rest = (h << HyperLogLog.P) >>> 0;
    const rank = rest === 0 ? 32 - HyperLogLog.P + 1 : Math.clz32(rest) + 1;
    if (rank > this.registers[index]!) this.registers[index] = rank;
  }

  estimate(): number {
    const m = this.registers.length;
    let sum = 0;
    let zeros = 0;
    for (const r of this.registers) {
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const raw = ((0.7213 / (1 + 1.079 / m)) * m * m) / sum;
    // Small-range correction (linear counting) while registers are still empty.
    if (raw <= 2.5 * m && zeros > 0) return Math.round(m * Math.log(m / zeros));
    return Math.round(raw);
  }
}

/** FNV-1a over UTF-16 code units, finished with murmur3's fmix32 so all 32 bits mix well. */
function hashString(value: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    h ^= value.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
