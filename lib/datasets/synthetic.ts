/**
 * Synthetic datasets for demos, tutorials and tests, all seeded and deterministic: the same
 * settings give the same bytes on every machine.
 *
 * - Loan approvals (tabular, binary): a fairness teaching set with a planted, adjustable bias.
 * - Shapes (images): circles, squares and triangles, rasterised in pure TypeScript.
 * - Patterns (sequences): sine, square, sawtooth waves or rising / falling trends with noise.
 */
import { z } from 'zod';
import { createRng, type Rng } from '../random';
import type { DatasetColumn, Task } from './schema';
import type { Cell, Table } from './table';

// ---------------------------------------------------------------------------------------------
// Loan approvals

export const ZLoanSettings = z.object({
  rows: z.int().min(1).max(1_000_000).default(2000),
  seed: z
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(0),
  /**
   * How strongly approvals are held back for the disadvantaged group: 0 = not at all, 1 = the
   * approval log-odds drop by BIAS_LOGIT_SHIFT. See generateLoanApprovals for what 0 means.
   */
  biasStrength: z.number().min(0).max(1).default(0),
  disadvantaged: z.object({ column: z.enum(['sex', 'ethnicity']), value: z.string() }).default({ column: 'sex', value: 'female' }),
  /** Share of income and employment cells left empty, to exercise imputation. */
  missingRate: z.number().min(0).max(0.5).default(0),
});
export type LoanSettings = z.input<typeof ZLoanSettings>;

/** The drop in approval log-odds at biasStrength 1 (about 0.5 → 0.05 for an average applicant). */
export const BIAS_LOGIT_SHIFT = 3;

export interface SyntheticTable {
  table: Table;
  columns: DatasetColumn[];
  label: string;
  sensitive: string[];
  task: Task;
}

const AGE_BANDS = [
  { name: '18-25', min: 18, max: 25 },
  { name: '26-35', min: 26, max: 35 },
  { name: '36-50', min: 36, max: 50 },
  { name: '51-65', min: 51, max: 65 },
  { name: '66+', min: 66, max: 80 },
] as const;
const EMPLOYMENT = [
  { name: 'salaried', p: 0.6, income: 1, score: 0.3 },
  { name: 'self-employed', p: 0.15, income: 1.1, score: -0.2 },
  { name: 'contract', p: 0.15, income: 0.8, score: -0.3 },
  { name: 'unemployed', p: 0.1, income: 0.3, score: -1.5 },
] as const;
const ETHNICITY = [
  { name: 'group_a', p: 0.6 },
  { name: 'group_b', p: 0.25 },
  { name: 'group_c', p: 0.15 },
] as const;

function pick<T extends { p: number }>(rng: Rng, options: readonly T[]): T {
  let u = rng.next();
  for (const o of options) {
    if (u < o.p) return o;
    u -= o.p;
  }
  return options[options.length - 1]!;
}

/**
 * Loan applications with an approval label ('yes' / 'no').
 *
 * Approval follows a logistic model of the legitimate features — income (log), debt ratio,
 * credit history, loan size relative to income and employment type — and the applicant's sex
 * and ethnicity are drawn independently of all of them. So at biasStrength 0 approval rates
 * differ between groups only by sampling noise (about 1/√n): there is no planted bias and no
 * proxy. With biasStrength b > 0 the disadvantaged group's log-odds drop by b · BIAS_LOGIT_SHIFT.
 * Every row consumes the same random draws whatever b is, so for one seed raising b only ever
 * turns approvals of the disadvantaged group into refusals: the gap grows monotonically.
 */
export function generateLoanApprovals(settings: LoanSettings = {}): SyntheticTable {
  const s = ZLoanSettings.parse(settings);
  const rng = createRng(s.seed);
  const columns = ['applicant_id', 'age_band', 'sex', 'ethnicity', 'employment_type', 'income', 'debt_ratio', 'credit_history_years', 'loan_amount', 'approved'];
  const rows: Cell[][] = [];
  for (let i = 0; i < s.rows; i++) {
    const sex = rng.next() < 0.5 ? 'female' : 'male';
    const ethnicity = pick(rng, ETHNICITY).name;
    const age = 18 + Math.floor(rng.next() * 63);
    const band = AGE_BANDS.find((b) => age <= b.max)!;
    const job = pick(rng, EMPLOYMENT);
    // Income in thousands a year: log-normal around 50k, highest mid-career.
    const career = 1 - ((age - 45) / 40) ** 2 * 0.5;
    const income = Math.exp(Math.log(50) + 0.45 * rng.normal()) * job.income * career;
    const debtRatio = Math.min(1.5, Math.max(0, 0.3 + 0.15 * rng.normal()));
    const history = (age - 18) * rng.uniform(0.3, 1);
    const loan = income * rng.uniform(0.3, 3);
    const u = rng.next();
    const missingIncome = rng.next() < s.missingRate;
    const missingJob = rng.next() < s.missingRate;

    const logit = 0.4 + 1.2 * Math.log(income / 50) - 4 * (debtRatio - 0.3) + 0.05 * (history - 10) - 0.5 * (loan / income - 1.65) + job.score;
    const disadvantaged = (s.disadvantaged.column === 'sex' ? sex : ethnicity) === s.disadvantaged.value;
    const shifted = logit - (disadvantaged ? s.biasStrength * BIAS_LOGIT_SHIFT : 0);
    const approved = u < 1 / (1 + Math.exp(-shifted));
    rows.push([
      `A${String(i + 1).padStart(6, '0')}`,
      band.name,
      sex,
      ethnicity,
      missingJob ? null : job.name,
      missingIncome ? null : income.toFixed(1),
      debtRatio.toFixed(3),
      history.toFixed(1),
      loan.toFixed(1),
      approved ? 'yes' : 'no',
    ]);
  }
  const column = (name: string, type: DatasetColumn['type'], role: DatasetColumn['role']): DatasetColumn => ({ name, type, role, useAsFeature: false });
  return {
    table: { columns, rows },
    columns: [
      column('applicant_id', 'text', 'id'),
      column('age_band', 'categorical', 'feature'),
      column('sex', 'categorical', 'sensitive'),
      column('ethnicity', 'categorical', 'sensitive'),
      column('employment_type', 'categorical', 'feature'),
      column('income', 'numeric', 'feature'),
      column('debt_ratio', 'numeric', 'feature'),
      column('credit_history_years', 'numeric', 'feature'),
      column('loan_amount', 'numeric', 'feature'),
      column('approved', 'boolean', 'label'),
    ],
    label: 'approved',
    sensitive: ['sex', 'ethnicity'],
    task: { kind: 'binary', positiveClass: 'yes', negativeClass: 'no' },
  };
}

// ---------------------------------------------------------------------------------------------
// Shapes

export const SHAPES = ['circle', 'square', 'triangle'] as const;
export const ZShapeSettings = z.object({
  count: z.int().min(1).max(100_000).default(300),
  seed: z
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(0),
  size: z.int().min(8).max(256).default(28),
  channels: z.union([z.literal(1), z.literal(3)]).default(1),
  /** Standard deviation of the pixel noise, on the 0–1 intensity scale. */
  noiseStd: z.number().min(0).max(1).default(0.05),
  classes: z
    .array(z.enum(SHAPES))
    .min(2)
    .default([...SHAPES]),
});
export type ShapeSettings = z.input<typeof ZShapeSettings>;

export interface ImageSet {
  /** One [height, width, channels] row-major image per sample, values 0–255. */
  images: Uint8Array[];
  /** Class ids (index in classNames). */
  labels: Int32Array;
  classNames: string[];
  height: number;
  width: number;
  channels: number;
}

/** Coverage of a pixel is measured on a SUPERSAMPLE × SUPERSAMPLE grid, so edges are anti-aliased. */
const SUPERSAMPLE = 4;

/**
 * Shape images with balanced classes in shuffled order. Each shape gets a random size (about
 * 35–70 % of the image), position (anywhere it fits whole), rotation (squares and triangles),
 * brightness or colour on a dark background, then Gaussian pixel noise.
 */
export function generateShapeImages(settings: ShapeSettings = {}): ImageSet {
  const s = ZShapeSettings.parse(settings);
  const rng = createRng(s.seed);
  const n = s.size;
  const labels = rng.shuffle(Int32Array.from({ length: s.count }, (_, i) => i % s.classes.length));
  const images = Array.from(labels, (label) => {
    const shape = s.classes[label]!;
    const radius = n * rng.uniform(0.18, 0.35);
    const cx = rng.uniform(radius, n - radius);
    const cy = rng.uniform(radius, n - radius);
    const angle = rng.uniform(0, 2 * Math.PI);
    const inside = shapeTest(shape, cx, cy, radius, angle);
    const background = Array.from({ length: s.channels }, () => rng.uniform(0, 0.2));
    const foreground = s.channels === 1 ? [rng.uniform(0.6, 1)] : brightColour(rng);
    const pixels = new Uint8Array(n * n * s.channels);
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        let hits = 0;
        for (let sy = 0; sy < SUPERSAMPLE; sy++) {
          for (let sx = 0; sx < SUPERSAMPLE; sx++) {
            if (inside(x + (sx + 0.5) / SUPERSAMPLE, y + (sy + 0.5) / SUPERSAMPLE)) hits++;
          }
        }
        const coverage = hits / (SUPERSAMPLE * SUPERSAMPLE);
        for (let c = 0; c < s.channels; c++) {
          const value = background[c]! + (foreground[c]! - background[c]!) * coverage + s.noiseStd * rng.normal();
          pixels[(y * n + x) * s.channels + c] = Math.round(Math.min(1, Math.max(0, value)) * 255);
        }
      }
    }
    return pixels;
  });
  return { images, labels, classNames: [...s.classes], height: n, width: n, channels: s.channels };
}

function brightColour(rng: Rng): number[] {
  const colour = [rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0, 1)];
  // Lift the brightest channel so the shape always stands out from the dark background.
  const lift = Math.max(0, 0.8 - Math.max(...colour));
  return colour.map((c) => c + lift);
}

/** A point-in-shape test; `radius` is the circle's radius or the polygon's circumradius. */
function shapeTest(shape: (typeof SHAPES)[number], cx: number, cy: number, radius: number, angle: number): (x: number, y: number) => boolean {
  if (shape === 'circle') return (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= radius * radius;
  const corners = shape === 'square' ? 4 : 3;
  const vertices = Array.from({ length: corners }, (_, k) => {
    const a = angle + (2 * Math.PI * k) / corners;
    return [cx + radius * Math.cos(a), cy + radius * Math.sin(a)] as const;
  });
  // Convex polygon: inside when the point is on the same side of every edge.
  return (x, y) => {
    let sign = 0;
    for (let k = 0; k < corners; k++) {
      const [x1, y1] = vertices[k]!;
      const [x2, y2] = vertices[(k + 1) % corners]!;
      const cross = (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1);
      if (cross !== 0) {
        if (sign === 0) sign = Math.sign(cross);
        else if (Math.sign(cross) !== sign) return false;
      }
    }
    return true;
  };
}

/** Images as one [n, height, width, channels] Float32Array scaled to 0–1, ready for a tensor. */
export function imagesToFloat32(set: Pick<ImageSet, 'images'>): Float32Array {
  const size = set.images[0]?.length ?? 0;
  const out = new Float32Array(set.images.length * size);
  set.images.forEach((img, i) => {
    for (let k = 0; k < size; k++) out[i * size + k] = img[k]! / 255;
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Sequence patterns

export const PATTERNS = ['sine', 'square', 'sawtooth', 'rising', 'falling'] as const;
export const ZPatternSettings = z.object({
  count: z.int().min(1).max(100_000).default(300),
  seed: z
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(0),
  length: z.int().min(8).max(10_000).default(64),
  noiseStd: z.number().min(0).max(5).default(0.1),
  classes: z.array(z.enum(PATTERNS)).min(2).default(['sine', 'square', 'sawtooth']),
});
export type PatternSettings = z.input<typeof ZPatternSettings>;

export interface SequenceSet {
  /** One series of `length` values per sample. */
  series: Float32Array[];
  labels: Int32Array;
  classNames: string[];
  length: number;
}

/**
 * Labelled 1-D series with balanced classes in shuffled order. Waves get a random frequency
 * (1.5–4 cycles per series), phase, amplitude (0.5–1.5) and offset; trends a random slope
 * (total rise 1–3) with a small wobble; then Gaussian noise.
 */
export function generateSequencePatterns(settings: PatternSettings = {}): SequenceSet {
  const s = ZPatternSettings.parse(settings);
  const rng = createRng(s.seed);
  const labels = rng.shuffle(Int32Array.from({ length: s.count }, (_, i) => i % s.classes.length));
  const series = Array.from(labels, (label) => {
    const pattern = s.classes[label]!;
    const cycles = rng.uniform(1.5, 4);
    const phase = rng.uniform(0, 1);
    const amplitude = rng.uniform(0.5, 1.5);
    const offset = 0.3 * rng.normal();
    const rise = rng.uniform(1, 3);
    const out = new Float32Array(s.length);
    for (let t = 0; t < s.length; t++) {
      const cycle = (t / s.length) * cycles + phase;
      let v: number;
      if (pattern === 'sine') v = amplitude * Math.sin(2 * Math.PI * cycle);
      else if (pattern === 'square') v = amplitude * (cycle - Math.floor(cycle) < 0.5 ? 1 : -1);
      else if (pattern === 'sawtooth') v = amplitude * (2 * (cycle - Math.floor(cycle)) - 1);
      else {
        const trend = (rise * t) / (s.length - 1) - rise / 2;
        v = (pattern === 'rising' ? trend : -trend) + 0.2 * Math.sin(2 * Math.PI * cycle);
      }
      out[t] = v + offset + s.noiseStd * rng.normal();
    }
    return out;
  });
  return { series, labels, classNames: [...s.classes], length: s.length };
}
