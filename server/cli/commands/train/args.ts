/** `deepboard train`'s arguments, and the checks that need no database: files, template, columns. */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { checkArchitecture } from '@/lib/arch/infer';
import type { ArchitectureSpec } from '@/lib/arch/spec';
import { ArchitectureLoadError, loadArchitectureJson } from '@/lib/arch/summary';
import { TEMPLATE_IDS, type TemplateId } from '@/lib/arch/templates';
import { openCsv } from '@/lib/datasets/csv';
import { DatasetError } from '@/lib/datasets/errors';
import { parseCommandArgs } from '../../args';
import { UsageError } from '../../types';

export const USAGE =
  'deepboard train --arch (FILE.json | TEMPLATE) --csv FILE --label COL [--sensitive COL[,COL…]] [--epochs N] [--seed S] ' + '[--batch-size N] [--lr RATE] [--team SLUG] [--project SLUG] [--json]';

export const TRAIN_DEFAULTS = { epochs: 20, batchSize: 32, learningRate: 1e-3, seed: 42, patience: 5 } as const;

export interface TrainArgs {
  arch: string;
  csv: string;
  label: string;
  sensitive: string[];
  epochs: number;
  seed: number;
  batchSize: number;
  learningRate: number;
  team?: string;
  project?: string;
  json: boolean;
}

function integer(flag: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max} (got '${raw}')`);
  }
  return n;
}

export function parseTrainArgs(argv: string[]): TrainArgs {
  const { values } = parseCommandArgs(
    argv,
    {
      arch: { type: 'string' },
      csv: { type: 'string' },
      label: { type: 'string' },
      sensitive: { type: 'string' },
      epochs: { type: 'string' },
      seed: { type: 'string' },
      'batch-size': { type: 'string' },
      lr: { type: 'string' },
      team: { type: 'string' },
      project: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    USAGE,
  );
  for (const flag of ['arch', 'csv', 'label'] as const) {
    if (!values[flag]) throw new UsageError(`missing --${flag}; usage: ${USAGE}`);
  }
  const sensitive = (values.sensitive ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  if (values.sensitive !== undefined && sensitive.length === 0) throw new UsageError(`--sensitive needs column names; usage: ${USAGE}`);
  let learningRate: number = TRAIN_DEFAULTS.learningRate;
  if (values.lr !== undefined) {
    learningRate = Number(values.lr);
    if (!Number.isFinite(learningRate) || learningRate <= 0 || values.lr.trim() === '') throw new UsageError(`--lr must be a positive number (got '${values.lr}')`);
  }
  return {
    arch: values.arch!,
    csv: values.csv!,
    label: values.label!,
    sensitive,
    epochs: integer('--epochs', values.epochs, TRAIN_DEFAULTS.epochs, 1, 100_000),
    seed: integer('--seed', values.seed, TRAIN_DEFAULTS.seed, 0, 4_294_967_295),
    batchSize: integer('--batch-size', values['batch-size'], TRAIN_DEFAULTS.batchSize, 1, 65_536),
    learningRate,
    team: values.team,
    project: values.project,
    json: values.json === true,
  };
}

export type ArchSource = { source: 'template'; id: TemplateId } | { source: 'file'; file: string; spec: ArchitectureSpec; warnings: string[] };

function unreadable(file: string, error: unknown): UsageError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? 'unreadable');
  return new UsageError(`cannot read ${file}: ${reason}`);
}

/** A template id, else a file; a bare word that is neither is reported as an unknown template. */
export async function readArchSource(arch: string, cwd: string): Promise<ArchSource> {
  if ((TEMPLATE_IDS as readonly string[]).includes(arch)) return { source: 'template', id: arch as TemplateId };
  const looksLikeFile = /\.json$/i.test(arch) || arch.includes('/') || arch.includes(path.sep);
  let text: string;
  try {
    text = await readFile(path.resolve(cwd, arch), 'utf8');
  } catch (error) {
    if (!looksLikeFile && (error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UsageError(`unknown template '${arch}' (and no such file); the templates are: ${TEMPLATE_IDS.join(', ')}`);
    }
    throw unreadable(arch, error);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${arch} is not valid JSON: ${(error as Error).message}`);
  }
  try {
    const { spec, warnings } = loadArchitectureJson(json);
    const check = checkArchitecture(spec);
    if (!check.ok) throw new UsageError(`${arch}: the architecture cannot be built: ${check.issue.message}`);
    return { source: 'file', file: arch, spec, warnings };
  } catch (error) {
    if (error instanceof ArchitectureLoadError) throw new UsageError(`${arch}: ${error.message}`);
    throw error;
  }
}

/** Refuses unknown column names from the header alone, before any row is read. */
export async function checkCsvColumns(args: TrainArgs, file: string): Promise<void> {
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
  } catch (error) {
    throw unreadable(args.csv, error);
  }
  let columns: string[];
  try {
    const reader = await openCsv(createReadStream(file));
    columns = reader.layout.columns;
    await reader.close();
  } catch (error) {
    if (error instanceof DatasetError) throw new UsageError(`${args.csv}: ${error.message}`);
    throw error;
  }
  const shown = (columns.length > 20 ? [...columns.slice(0, 20), '…'] : columns).join(', ');
  for (const [flag, names] of [
    ['--label', [args.label]],
    ['--sensitive', args.sensitive],
  ] as const) {
    for (const name of names) {
      if (!columns.includes(name)) throw new UsageError(`unknown column '${name}' in ${flag}; the columns of ${args.csv} are: ${shown}`);
    }
  }
  if (args.sensitive.includes(args.label)) throw new UsageError(`column '${args.label}' is the label; it cannot also be sensitive`);
}
