/**
 * `deepboard fairness --csv FILE --label COL (--pred COL | --score COL [--threshold T])
 *   --sensitive COL[,COL…] [--reference [COL=]GROUP] [--alpha A] [--bootstrap N --seed S [--stratify]] [--json]`
 *
 * Fairness metrics of a binary classifier's predictions stored in a CSV file: overall, per group
 * of each sensitive column and per intersection of them, with Fairlearn's disparities, AIF360's
 * metrics against a reference group and the generalized entropy / Theil indices. Definitions and
 * the null conventions are in lib/fairness/metrics.ts.
 *
 * Labels and predictions must be 0 or 1; scores are thresholded as score ≥ T (default 0.5, T in
 * [0, 1]). A missing sensitive value forms its own group, '(missing)'. --reference defaults to no
 * AIF360 comparison; a bare GROUP belongs to the first sensitive column. --bootstrap and --seed
 * go together; --stratify resamples within each intersection.
 *
 * --json prints one object:
 *   {
 *     file: string, rows: number, label: string,
 *     prediction: { column: string, kind: 'pred' } | { column: string, kind: 'score', threshold: number },
 *     sensitive: string[],
 *     overall: GroupMetrics,          // count, base_rate, selection_rate, accuracy, tpr, fpr, fnr,
 *                                     // tnr, precision, fdr, for — each number | null
 *     attributes: [{                  // each sensitive column, then 'a & b' for the intersection
 *       attribute: string, features: string[],
 *       groups: [{ group: string, values: { [column]: value }, ...GroupMetrics }],
 *       between_groups: Disparities,  // demographic_parity_difference, demographic_parity_ratio,
 *       to_overall: Disparities,      // equalized_odds_difference, equalized_odds_ratio,
 *     }],                             // equal_opportunity_difference, equal_opportunity_ratio
 *     reference: null | {
 *       attribute: string, reference: string,
 *       pooled: Aif360Metrics,        // disparate_impact, statistical_parity_difference,
 *                                     // average_odds_difference, equal_opportunity_difference
 *       by_group: [{ group: string, ...Aif360Metrics }],
 *       worst: { [metric]: { group: string, value: number } | null },
 *     },
 *     individual: { alpha: number, generalized_entropy_index: number | null, theil_index: number | null },
 *     bootstrap: null | { resamples, seed, confidence, stratified,
 *       intervals: [{ path: string[], estimate, lower, upper, defined }] },
 *   }
 * An infinite value (the generalized entropy index at α ≤ 0 when some benefit is 0) prints as null.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { DatasetError } from '@/lib/datasets/errors';
import { readCsvTable } from '@/lib/datasets/csv';
import { MISSING_GROUP, type Table } from '@/lib/datasets/table';
import { bootstrapFairness, type BootstrapResult } from '@/lib/fairness/bootstrap';
import {
  computeFairness,
  FairnessInputError,
  predictFromScores,
  type AttributeSection,
  type FairnessReport,
  type GroupMetrics,
  type ReferenceGroup,
  type SensitiveFeature,
} from '@/lib/fairness/metrics';
import { parseCommandArgs } from '../args';
import { UsageError, type CliCommand } from '../types';

const USAGE =
  'deepboard fairness --csv FILE --label COL (--pred COL | --score COL [--threshold T]) --sensitive COL[,COL…] [--reference [COL=]GROUP] [--alpha A] [--bootstrap N --seed S [--stratify]] [--json]';

const MAX_RESAMPLES = 100_000;

interface Args {
  csv: string;
  label: string;
  prediction: { column: string; kind: 'pred' } | { column: string; kind: 'score'; threshold: number };
  sensitive: string[];
  reference: string | null;
  alpha: number;
  bootstrap: { resamples: number; seed: number; stratify: boolean } | null;
  json: boolean;
}

function parseNumberFlag(flag: string, text: string): number {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value)) throw new UsageError(`${flag} must be a number, got '${text}'`);
  return value;
}

function parse(argv: string[]): Args {
  const { values } = parseCommandArgs(
    argv,
    {
      csv: { type: 'string' },
      label: { type: 'string' },
      pred: { type: 'string' },
      score: { type: 'string' },
      threshold: { type: 'string' },
      sensitive: { type: 'string' },
      reference: { type: 'string' },
      alpha: { type: 'string' },
      bootstrap: { type: 'string' },
      seed: { type: 'string' },
      stratify: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    USAGE,
  );
  if (!values.csv) throw new UsageError(`missing --csv FILE; usage: ${USAGE}`);
  if (!values.label) throw new UsageError(`missing --label COL; usage: ${USAGE}`);
  if (values.pred !== undefined && values.score !== undefined) throw new UsageError(`give --pred or --score, not both; usage: ${USAGE}`);
  if (!values.pred && !values.score) throw new UsageError(`missing --pred COL or --score COL; usage: ${USAGE}`);
  if (values.threshold !== undefined && values.score === undefined) throw new UsageError('--threshold applies to --score only');
  let prediction: Args['prediction'];
  if (values.score) {
    const threshold = values.threshold === undefined ? 0.5 : parseNumberFlag('--threshold', values.threshold);
    if (threshold < 0 || threshold > 1) throw new UsageError(`--threshold must be between 0 and 1, got ${values.threshold}`);
    prediction = { column: values.score, kind: 'score', threshold };
  } else {
    prediction = { column: values.pred!, kind: 'pred' };
  }
  const sensitive = (values.sensitive ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  if (sensitive.length === 0) throw new UsageError(`missing --sensitive COL[,COL…]; usage: ${USAGE}`);
  const alpha = values.alpha === undefined ? 2 : parseNumberFlag('--alpha', values.alpha);
  if ((values.bootstrap === undefined) !== (values.seed === undefined)) throw new UsageError('--bootstrap N and --seed S go together');
  if (values.stratify && values.bootstrap === undefined) throw new UsageError('--stratify applies to --bootstrap only');
  let bootstrap: Args['bootstrap'] = null;
  if (values.bootstrap !== undefined) {
    const resamples = parseNumberFlag('--bootstrap', values.bootstrap);
    if (!Number.isInteger(resamples) || resamples < 1 || resamples > MAX_RESAMPLES) {
      throw new UsageError(`--bootstrap must be a whole number from 1 to ${MAX_RESAMPLES}, got ${values.bootstrap}`);
    }
    const seed = parseNumberFlag('--seed', values.seed!);
    if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed must be a whole number, got ${values.seed}`);
    bootstrap = { resamples, seed, stratify: values.stratify === true };
  }
  return { csv: values.csv, label: values.label, prediction, sensitive, reference: values.reference ?? null, alpha, bootstrap, json: values.json === true };
}

export interface FairnessCliReport extends FairnessReport {
  file: string;
  label: string;
  prediction: Args['prediction'];
  sensitive: string[];
  bootstrap: Omit<BootstrapResult, 'report'> | null;
}

async function readTable(file: string, cwd: string): Promise<Table> {
  const full = path.resolve(cwd, file);
  try {
    const info = await stat(full);
    if (info.isDirectory()) throw new UsageError(`cannot read ${file}: it is a directory`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')}`);
  }
  try {
    return (await readCsvTable(createReadStream(full))).table;
  } catch (error) {
    if (error instanceof DatasetError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
}

function columnOf(table: Table, file: string, flag: string, name: string): number {
  const i = table.columns.indexOf(name);
  if (i < 0) {
    const shown = table.columns.length > 20 ? [...table.columns.slice(0, 20), '…'] : table.columns;
    throw new UsageError(`unknown column '${name}' in ${flag}; the columns of ${file} are: ${shown.join(', ')}`);
  }
  return i;
}

const where = (table: Table, row: number) => (table.lines?.[row] !== undefined ? `line ${table.lines[row]}` : `row ${row + 1}`);

function binaryColumn(table: Table, file: string, index: number, name: string): number[] {
  return table.rows.map((row, r) => {
    const cell = row[index];
    const value = cell === null || cell === undefined ? Number.NaN : Number(cell);
    if (value !== 0 && value !== 1) throw new UsageError(`${file} ${where(table, r)}: ${name} must be 0 or 1, got ${cell === null ? 'a missing value' : `'${cell}'`}`);
    return value;
  });
}

function scoreColumn(table: Table, file: string, index: number, name: string): number[] {
  return table.rows.map((row, r) => {
    const cell = row[index];
    const value = cell === null || cell === undefined ? Number.NaN : Number(cell);
    if (!Number.isFinite(value)) throw new UsageError(`${file} ${where(table, r)}: ${name} must be a number, got ${cell === null ? 'a missing value' : `'${cell}'`}`);
    return value;
  });
}

function resolveReference(text: string, sensitive: string[]): ReferenceGroup {
  const eq = text.indexOf('=');
  if (eq > 0 && sensitive.includes(text.slice(0, eq))) return { attribute: text.slice(0, eq), group: text.slice(eq + 1) };
  return { attribute: sensitive[0]!, group: text };
}

export async function runFairness(args: Args, cwd: string): Promise<FairnessCliReport> {
  const table = await readTable(args.csv, cwd);
  const labelIndex = columnOf(table, args.csv, '--label', args.label);
  const predIndex = columnOf(table, args.csv, args.prediction.kind === 'pred' ? '--pred' : '--score', args.prediction.column);
  const sensitiveIndex = args.sensitive.map((name) => columnOf(table, args.csv, '--sensitive', name));
  for (const name of args.sensitive) {
    if (name === args.label || name === args.prediction.column) throw new UsageError(`column '${name}' cannot be both sensitive and the label or prediction`);
  }
  const yTrue = binaryColumn(table, args.csv, labelIndex, args.label);
  const yPred =
    args.prediction.kind === 'pred'
      ? binaryColumn(table, args.csv, predIndex, args.prediction.column)
      : predictFromScores(scoreColumn(table, args.csv, predIndex, args.prediction.column), args.prediction.threshold);
  const sensitive: SensitiveFeature[] = args.sensitive.map((name, k) => ({
    name,
    values: table.rows.map((row) => row[sensitiveIndex[k]!] ?? MISSING_GROUP),
  }));
  const options = { alpha: args.alpha, reference: args.reference === null ? undefined : resolveReference(args.reference, args.sensitive) };
  try {
    const input = { yTrue, yPred, sensitive };
    const report = computeFairness(input, options);
    let bootstrap: FairnessCliReport['bootstrap'] = null;
    if (args.bootstrap) {
      const { report: _ignored, ...rest } = bootstrapFairness(input, { ...options, ...args.bootstrap });
      bootstrap = rest;
    }
    return { file: args.csv, label: args.label, prediction: args.prediction, sensitive: args.sensitive, ...report, bootstrap };
  } catch (error) {
    if (error instanceof FairnessInputError) throw new UsageError(`${args.csv}: ${error.message}`);
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// The readable report

const fmt = (x: number | null) => (x === null ? '—' : Number.isFinite(x) ? x.toFixed(4) : x > 0 ? '∞' : '−∞');

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const METRIC_COLUMNS: [keyof GroupMetrics, string][] = [
  ['base_rate', 'base rate'],
  ['selection_rate', 'selection'],
  ['accuracy', 'accuracy'],
  ['tpr', 'TPR'],
  ['fpr', 'FPR'],
  ['fnr', 'FNR'],
  ['precision', 'precision'],
];

function section(s: AttributeSection, bootstrap: FairnessCliReport['bootstrap']): string {
  const rows = s.groups.map((g) => [g.group, String(g.count), ...METRIC_COLUMNS.map(([k]) => fmt(g[k]))]);
  const interval = (method: string, key: string) => {
    const iv = bootstrap?.intervals.find((i) => i.path.join('\u0000') === ['attributes', s.attribute, method, key].join('\u0000'));
    return iv ? `  [${fmt(iv.lower)}, ${fmt(iv.upper)}]` : '';
  };
  const disparities = (['between_groups', 'to_overall'] as const).flatMap((method) => Object.entries(s[method]).map(([key, value]) => `  ${key} (${method}): ${fmt(value)}${interval(method, key)}`));
  return [`By ${s.attribute}`, table(['group', 'count', ...METRIC_COLUMNS.map(([, h]) => h)], rows), ...disparities].join('\n');
}

export function formatFairnessReport(r: FairnessCliReport): string {
  const pred = r.prediction.kind === 'pred' ? `predictions ${r.prediction.column}` : `scores ${r.prediction.column} ≥ ${r.prediction.threshold}`;
  const out = [`${r.file}: ${r.rows} rows, label ${r.label}, ${pred}`, ''];
  out.push(`Overall: ${METRIC_COLUMNS.map(([k, h]) => `${h} ${fmt(r.overall[k])}`).join(', ')}`);
  for (const s of r.attributes) out.push('', section(s, r.bootstrap));
  if (r.reference) {
    const ref = r.reference;
    out.push('', `Against ${ref.attribute} = ${ref.reference} (AIF360; unprivileged = every other group)`);
    for (const [key, value] of Object.entries(ref.pooled)) {
      const worst = ref.worst[key as keyof typeof ref.worst];
      out.push(`  ${key}: ${fmt(value)}${ref.by_group.length > 1 && worst ? ` (worst: ${worst.group} ${fmt(worst.value)})` : ''}`);
    }
  }
  out.push('', `Generalized entropy index (α = ${r.individual.alpha}): ${fmt(r.individual.generalized_entropy_index)}; Theil index: ${fmt(r.individual.theil_index)}`);
  if (r.bootstrap) {
    const b = r.bootstrap;
    out.push(`Intervals: ${Math.round(b.confidence * 100)}% percentile bootstrap, ${b.resamples} resamples, seed ${b.seed}${b.stratified ? ', stratified' : ''} (all of them in --json)`);
  }
  return out.join('\n');
}

export const fairnessCommand: CliCommand = {
  path: ['fairness'],
  summary: 'Fairness metrics of a classifier from a CSV of labels and predictions or scores',
  usage: USAGE,
  async run(argv, io) {
    const args = parse(argv);
    const report = await runFairness(args, io.cwd);
    io.stdout(`${args.json ? JSON.stringify(report, null, 2) : formatFairnessReport(report)}\n`);
    return 0;
  },
};
