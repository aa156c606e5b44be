/**
 * `deepboard dataset profile FILE.csv --label COL [--sensitive COL[,COL…]] [--json]`: profiles a
 * CSV file (types, missing values, statistics), infers the task from the label and prints the
 * label base rate per group of each sensitive column and of their intersection.
 *
 * The file is streamed twice: once to profile it, once for the bias profile, which needs the
 * task and the numeric ranges the first pass found (numeric sensitive columns such as age are
 * grouped into quartile ranges). Memory stays flat whatever the file size.
 *
 * --json prints one object:
 *   {
 *     file: string,                         // as given
 *     rows: number,
 *     format: { delimiter, hasHeader, bom },
 *     warnings: string[],                   // e.g. renamed duplicate headers
 *     columns: (ColumnProfile & { role })[],// ColumnProfile from lib/datasets/stats.ts; role is
 *                                           // 'label', 'sensitive' or the suggested role
 *     label: { column: string, task: Task, reason: string },
 *     bias: BiasProfile | null              // lib/datasets/bias.ts; null without --sensitive
 *   }
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { createBiasAccumulator, type BiasAttribute, type BiasProfile, type BiasTable } from '@/lib/datasets/bias';
import { openCsv, profileCsvReader, type CsvProfile } from '@/lib/datasets/csv';
import { DatasetError } from '@/lib/datasets/errors';
import { inferTask, TaskError, type ColumnRole, type Task } from '@/lib/datasets/schema';
import { labelSummary, quantileEdges, type ColumnProfile } from '@/lib/datasets/stats';
import { parseCommandArgs } from '../args';
import { UsageError, type CliCommand } from '../types';

const USAGE = 'deepboard dataset profile FILE.csv --label COL [--sensitive COL[,COL…]] [--json]';

/** Numeric sensitive columns with more distinct values than this are grouped into quartile ranges. */
const MAX_RAW_GROUPS = 12;

interface Args {
  file: string;
  label: string;
  sensitive: string[];
  json: boolean;
}

function parse(argv: string[]): Args {
  const { values, positionals } = parseCommandArgs(argv, { label: { type: 'string' }, sensitive: { type: 'string' }, json: { type: 'boolean', default: false } }, USAGE, 1);
  const [file] = positionals;
  if (file === undefined) throw new UsageError(`missing FILE.csv; usage: ${USAGE}`);
  if (!values.label) throw new UsageError(`missing --label COL; usage: ${USAGE}`);
  const sensitive = (values.sensitive ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  if (values.sensitive !== undefined && sensitive.length === 0) throw new UsageError(`--sensitive needs column names; usage: ${USAGE}`);
  return { file, label: values.label, sensitive, json: values.json === true };
}

export interface DatasetProfileReport {
  file: string;
  rows: number;
  format: CsvProfile['format'];
  warnings: string[];
  columns: (ColumnProfile & { role: ColumnRole })[];
  label: { column: string; task: Task; reason: string };
  bias: BiasProfile | null;
}

/** Both passes over the file; every data problem comes back as a one-line UsageError. */
async function profileFile(args: Args, cwd: string): Promise<DatasetProfileReport> {
  const full = path.resolve(cwd, args.file);
  try {
    const info = await stat(full);
    if (info.isDirectory()) throw new UsageError(`cannot read ${args.file}: it is a directory`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${args.file}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')}`);
  }
  try {
    const reader = await openCsv(createReadStream(full));
    try {
      checkColumns(args, reader.layout.columns);
    } catch (error) {
      await reader.close();
      throw error;
    }
    const profile = await profileCsvReader(reader);
    const byName = new Map(profile.columns.map((c) => [c.name, c]));
    const { task, reason } = inferTask(labelSummary(byName.get(args.label)!));

    let bias: BiasProfile | null = null;
    if (args.sensitive.length > 0) {
      const attributes: BiasAttribute[] = args.sensitive.map((column) => {
        const p = byName.get(column)!;
        return p.type === 'numeric' && p.distinct > MAX_RAW_GROUPS ? { column, edges: quantileEdges(p) } : { column };
      });
      const second = await openCsv(createReadStream(full));
      const acc = createBiasAccumulator(second.layout.columns, { label: args.label, task, sensitive: attributes });
      for await (const row of second.rows()) acc.add(row.cells, `line ${row.line}`);
      bias = acc.finish();
    }
    const role = (c: ColumnProfile): ColumnRole => (c.name === args.label ? 'label' : args.sensitive.includes(c.name) ? 'sensitive' : c.suggestedRole);
    return {
      file: args.file,
      rows: profile.rowCount,
      format: profile.format,
      warnings: profile.warnings,
      columns: profile.columns.map((c) => ({ ...c, role: role(c) })),
      label: { column: args.label, task, reason },
      bias,
    };
  } catch (error) {
    if (error instanceof DatasetError || error instanceof TaskError) throw new UsageError(`${args.file}: ${error.message}`);
    throw error;
  }
}

/** Refuses unknown column names before the (possibly long) pass over the rows. */
function checkColumns(args: Args, known: readonly string[]): void {
  for (const [flag, names] of [
    ['--label', [args.label]],
    ['--sensitive', args.sensitive],
  ] as const) {
    for (const name of names) {
      if (!known.includes(name)) {
        const shown = known.length > 20 ? [...known.slice(0, 20), '…'] : known;
        throw new UsageError(`unknown column '${name}' in ${flag}; the columns of ${args.file} are: ${shown.join(', ')}`);
      }
    }
  }
  if (args.sensitive.includes(args.label)) throw new UsageError(`column '${args.label}' is the label; it cannot also be sensitive`);
}

// ---------------------------------------------------------------------------------------------
// The readable report

const int = (n: number) => n.toLocaleString('en-US');
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const num = (x: number) => (Number.isInteger(x) ? int(x) : Math.abs(x) >= 1000 ? int(Math.round(x)) : x.toPrecision(4).replace(/\.?0+$/, ''));
const DELIMITER_NAMES: Record<string, string> = { ',': "','", ';': "';'", '\t': 'tab', '|': "'|'" };

function table(headers: string[], rows: string[][], rightAligned: boolean[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (rightAligned[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

function summary(c: ColumnProfile): string {
  if (c.count === 0) return 'all missing';
  if (c.numeric) return `${num(c.numeric.min)} – ${num(c.numeric.max)}, mean ${num(c.numeric.mean)}, std ${num(c.numeric.std)}`;
  if (c.datetime) return `${c.datetime.min.slice(0, 10)} – ${c.datetime.max.slice(0, 10)}`;
  if (c.type === 'text') return `${c.typeReason}; mean length ${num(c.text?.meanLength ?? 0)}`;
  const top = c.topValues.slice(0, 3).map((v) => `${v.value} ${int(v.count)}`);
  const more = c.distinct > 3 ? ', …' : '';
  const text = `${top.join(', ')}${more}`;
  return text.length > 70 ? `${text.slice(0, 69)}…` : text;
}

function biasSection(t: BiasTable, task: Task, label: string): string {
  const by = t.columns.join(' × ');
  const title = task.kind === 'binary' ? `Base rate of ${label} = '${task.positiveClass}' by ${by}` : task.kind === 'regression' ? `Mean ${label} by ${by}` : `Distribution of ${label} by ${by}`;
  const classes = task.kind === 'multiclass' ? task.classes : [];
  const headers = ['Group', 'Rows', 'Share', ...(task.kind === 'multiclass' ? classes : [task.kind === 'binary' ? 'Base rate' : 'Mean'])];
  const rows = t.groups.map((g) => [
    g.name,
    int(g.count),
    pct(g.share),
    ...(task.kind === 'multiclass'
      ? classes.map((_, i) => (g.distribution ? pct(g.distribution[i]!) : '—'))
      : [g.baseRate === null ? '—' : task.kind === 'binary' ? pct(g.baseRate) : num(g.baseRate)]),
  ]);
  const out = [
    title,
    table(
      headers,
      rows,
      headers.map((_, i) => i > 0),
    ),
  ];
  if (t.gap) out.push(gapLine(t.gap, task, 'Gap'));
  else out.push('Gap: fewer than two groups with labelled rows');
  return out.join('\n');
}

function gapLine(gap: NonNullable<BiasTable['gap']>, task: Task, prefix: string): string {
  const show = (x: number) => (task.kind === 'regression' ? num(x) : pct(x));
  const size = task.kind === 'regression' ? num(gap.difference) : `${(gap.difference * 100).toFixed(1)} points`;
  const cls = gap.class !== undefined ? ` in class '${gap.class}'` : '';
  const ratio = gap.ratio === null ? '' : `, ratio ${gap.ratio.toFixed(2)}`;
  return `${prefix}: ${size}${cls} (${gap.lowest.group} ${show(gap.lowest.rate)} vs ${gap.highest.group} ${show(gap.highest.rate)})${ratio}`;
}

export function formatProfileReport(r: DatasetProfileReport): string {
  const out: string[] = [];
  const header = r.format.hasHeader ? 'header row' : 'no header row';
  out.push(`${r.file}: ${int(r.rows)} rows × ${r.columns.length} columns (delimiter ${DELIMITER_NAMES[r.format.delimiter]}, ${header}${r.format.bom ? ', UTF-8 BOM' : ''})`);
  for (const w of r.warnings) out.push(`note: ${w}`);
  out.push('');
  out.push(
    table(
      ['Column', 'Type', 'Role', 'Missing', 'Distinct', 'Summary'],
      r.columns.map((c) => [c.name, c.type, c.role, int(c.missing), `${c.distinctExact ? '' : '~'}${int(c.distinct)}`, summary(c)]),
      [false, false, false, true, true, false],
    ),
  );
  out.push('');
  const { task } = r.label;
  const kind = task.kind === 'binary' ? `binary, ${r.label.reason}` : task.kind === 'multiclass' ? `multiclass, ${task.classes.length} classes` : 'regression';
  out.push(`Label ${r.label.column}: ${kind}`);
  if (r.bias) {
    const b = r.bias;
    if (b.overallRate !== null) {
      const overall = task.kind === 'binary' ? `base rate ${pct(b.overallRate)}` : `mean ${r.label.column} ${num(b.overallRate)}`;
      out.push(`Overall ${overall} over ${int(b.labelled)} labelled rows`);
    }
    for (const t of b.tables) out.push('', biasSection(t, task, r.label.column));
    if (b.largestGap) out.push('', gapLine(b.largestGap.gap, task, `Largest gap: ${b.largestGap.columns.join(' × ')}`));
  }
  return out.join('\n');
}

export const datasetProfileCommand: CliCommand = {
  path: ['dataset', 'profile'],
  summary: 'Profile a CSV file: column types, missing values, and label base rates per sensitive group',
  usage: USAGE,
  async run(argv, io) {
    const args = parse(argv);
    const report = await profileFile(args, io.cwd);
    io.stdout(`${args.json ? JSON.stringify(report, null, 2) : formatProfileReport(report)}\n`);
    return 0;
  },
};
