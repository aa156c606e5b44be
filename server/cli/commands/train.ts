/**
 * `deepboard train --arch (FILE.json | TEMPLATE) --csv FILE --label COL …`: imports a CSV as a
 * dataset version and an architecture, queues a supervised run through the same services as the
 * web app, lets a worker train it (one in this process when none is online), waits, and prints
 * the test-set evaluation. Exit code 0 when the run succeeded, 1 when it failed or was canceled,
 * 2 (one line) for bad usage or input that cannot train: unknown option, template, file or
 * column, a malformed CSV (the message names the line), an architecture that does not fit.
 *
 * Where things go: the database is DATABASE_URL, else the running embedded database (one is
 * started, and stopped again, when none runs). The team is --team, else DEEPBOARD_TEAM, else the
 * first team created (the demo team after `npm start`'s first start), else a new team "Command
 * line" owned by cli@deepboard.local; the project is --project, else "Command line" (created when
 * missing). Everything is attributed to the team's first owner and tagged `cli`, so it shows up
 * in the web app like anything made there.
 *
 * Names and reuse, so that repeated commands make comparable runs rather than piles of copies:
 * - the dataset is named after the CSV file ("adult.csv" → "adult"). When the project has one of
 *   that name with a version of the same bytes, label, sensitive columns and split (seed), that
 *   version is reused; otherwise the file becomes the dataset's next version.
 * - the architecture is named after the file ("net.json" → "net"), or "TEMPLATE (dataset)" for a
 *   template, which is built for the dataset's encoded feature count and task. A version with
 *   the identical spec is reused; a new spec is saved as the next version; a name held by an
 *   architecture of another kind gets a numeric suffix.
 * The dataset is imported before the architecture is checked against it (the check needs its
 * encoded feature count), so an architecture that does not fit leaves the dataset version behind,
 * to be reused by the next attempt.
 *
 * Defaults (not tuned to any dataset): a 70/15/15 split stratified by the label (and by the
 * sensitive columns when given) seeded with --seed (42); Adam at --lr 1e-3, --batch-size 32,
 * --epochs 20 at most with early stopping on the validation loss (patience 5) that restores the
 * best epoch's weights, so the evaluated model is the best one seen rather than the last.
 * Sensitive columns are kept out of the model's inputs (the dataset default); the fairness
 * reports still group by them.
 *
 * --json prints one object on stdout (progress goes to stderr only without --json):
 *   {
 *     runId: string, runNumber: number, name: string,
 *     status: 'SUCCEEDED' | 'FAILED' | 'CANCELED',
 *     error: string | null,                 // the run's error when it failed
 *     backend: string | null,               // TensorFlow.js backend that trained it (wasm, cpu, …)
 *     device: string | null,
 *     durationSeconds: number | null,       // started → finished, on the worker
 *     url: string,                          // the run's page, relative to the web app
 *     team: { slug: string }, project: { slug: string },
 *     worker: 'in-process' | 'existing',    // who trained it
 *     dataset: { id, name, version, reused: boolean, rows, features, split: { train, validation, test } },
 *     architecture: { id, name, version, reused: boolean, source: 'template' | 'file', totalParams },
 *     config: { epochs, batchSize, learningRate, seed },
 *     epochsRun: number | null,             // less than epochs after early stopping
 *     stopReason: string | null,            // e.g. 'completed', 'early-stopping'
 *     evaluation: null                      // the test split; null unless SUCCEEDED
 *       | { task: 'binary' | 'multiclass', testExamples, classNames: string[], accuracy,
 *           precision, recall, f1,          // macro averages
 *           rocAuc: number | null,          // binary only
 *           confusion: number[][] }         // confusion[true][predicted], in classNames order
 *       | { task: 'regression', testExamples, mae, rmse, r2 }
 *   }
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { checkArchitecture, type ArchitectureSummary } from '@/lib/arch/infer';
import { ZArchitectureSpec, type ArchitectureSpec } from '@/lib/arch/spec';
import { ArchitectureLoadError, loadArchitectureJson } from '@/lib/arch/summary';
import { getTemplate, TEMPLATE_IDS, TemplateMismatchError, type TemplateId } from '@/lib/arch/templates';
import { openCsv } from '@/lib/datasets/csv';
import { DatasetError } from '@/lib/datasets/errors';
import type { DatasetColumn } from '@/lib/datasets/schema';
import type { SplitSettings } from '@/lib/datasets/split';
import { disconnectPrisma, prisma } from '@/lib/db/client';
import { migrationStatus } from '@/lib/db/migrate';
import { prepareDatabase } from '@/lib/db/setup';
import { settingsFrom } from '@/lib/env';
import { checkCompatibility, dataShapeOf, type DataShape } from '@/lib/runs/compat';
import { parseEvaluation } from '@/lib/runs/reports';
import { isSupervisedEvaluation } from '@/lib/schemas/run-documents';
import type { RunConfigInput } from '@/lib/schemas/runs';
import { slugify } from '@/lib/slug';
import { resolveDatabase } from '../../db/resolve';
import { hashPassword } from '../../auth/password';
import { createArchitecture, saveVersion } from '../../services/architectures';
import { createFromUpload, getDatasetVersion, stageUpload } from '../../services/datasets';
import { createProject } from '../../services/projects';
import { cancelRun, createRun, runLogs } from '../../services/runs';
import { createTeam } from '../../services/teams';
import { countOnlineWorkers } from '../../services/workers';
import { parseCommandArgs } from '../args';
import { UsageError, type CliCommand, type CliIO } from '../types';
import { isUserError } from '@/lib/errors';
import { ignoreError, logFailure } from '@/lib/log';

const USAGE =
  'deepboard train --arch (FILE.json | TEMPLATE) --csv FILE --label COL [--sensitive COL[,COL…]] [--epochs N] [--seed S] ' +
  '[--batch-size N] [--lr RATE] [--team SLUG] [--project SLUG] [--json]';

export const TRAIN_DEFAULTS = { epochs: 20, batchSize: 32, learningRate: 1e-3, seed: 42, patience: 5 } as const;
export const CLI_PROJECT_NAME = 'Command line';
export const CLI_USER = { email: 'cli@deepboard.local', name: 'Command line' } as const;
const SPLIT = { train: 0.7, validation: 0.15, test: 0.15 } as const;
const POLL_MS = 500;

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

// ---------------------------------------------------------------------------------------------
// Checks that need no database: files, template, columns

type ArchSource = { source: 'template'; id: TemplateId } | { source: 'file'; file: string; spec: ArchitectureSpec; warnings: string[] };

function unreadable(file: string, error: unknown): UsageError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? 'unreadable');
  return new UsageError(`cannot read ${file}: ${reason}`);
}

/** A template id, else a file; a bare word that is neither is reported as an unknown template. */
async function readArchSource(arch: string, cwd: string): Promise<ArchSource> {
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
async function checkCsvColumns(args: TrainArgs, file: string): Promise<void> {
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
  for (const [flag, names] of [['--label', [args.label]], ['--sensitive', args.sensitive]] as const) {
    for (const name of names) {
      if (!columns.includes(name)) throw new UsageError(`unknown column '${name}' in ${flag}; the columns of ${args.csv} are: ${shown}`);
    }
  }
  if (args.sensitive.includes(args.label)) throw new UsageError(`column '${args.label}' is the label; it cannot also be sensitive`);
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** JSON with sorted keys, so specs that went through Postgres jsonb compare equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** Data problems found by the services (bad CSV, unfit architecture) are usage errors: exit 2. */
function asUsage(prefix: string) {
  return (error: unknown): never => {
    if (isUserError(error) && error.mapping.exit === 2) {
      throw new UsageError(`${prefix}: ${error.message}`);
    }
    throw error;
  };
}

// ---------------------------------------------------------------------------------------------
// Where things go: team, owner, project

export interface Place {
  teamId: string;
  teamSlug: string;
  userId: string;
  projectId: string;
  projectSlug: string;
}

async function cliTeam(): Promise<{ id: string; slug: string }> {
  const user = await prisma.user.upsert({
    where: { email: CLI_USER.email },
    update: {},
    // Nobody signs in as this user: its password is random and thrown away.
    create: { email: CLI_USER.email, name: CLI_USER.name, passwordHash: await hashPassword(randomBytes(24).toString('hex')) },
  });
  const team = await createTeam(user.id, { name: CLI_PROJECT_NAME });
  return { id: team.id, slug: team.slug };
}

/** The team, owner and project `deepboard train` works in (see the top of this file). */
export async function resolvePlace(args: { team?: string; project?: string }, env: NodeJS.ProcessEnv): Promise<Place> {
  const wanted = args.team ?? settingsFrom(env).DEEPBOARD_TEAM;
  let team: { id: string; slug: string } | null;
  if (wanted) {
    team = await prisma.team.findUnique({ where: { slug: wanted }, select: { id: true, slug: true } });
    if (!team) {
      const slugs = (await prisma.team.findMany({ orderBy: { createdAt: 'asc' }, take: 20, select: { slug: true } })).map((t) => t.slug);
      const from = args.team ? '--team' : 'DEEPBOARD_TEAM';
      throw new UsageError(`no team '${wanted}' (${from}); ${slugs.length ? `the teams are: ${slugs.join(', ')}` : 'there are no teams yet'}`);
    }
  } else {
    team = (await prisma.team.findFirst({ orderBy: { createdAt: 'asc' }, select: { id: true, slug: true } })) ?? (await cliTeam());
  }
  const owner = await prisma.membership.findFirst({ where: { teamId: team.id, role: 'OWNER' }, orderBy: { createdAt: 'asc' }, select: { userId: true } });
  if (!owner) throw new Error(`team '${team.slug}' has no owner to attribute the run to`);
  let project: { id: string; slug: string } | null;
  if (args.project) {
    project = await prisma.project.findUnique({ where: { teamId_slug: { teamId: team.id, slug: args.project } }, select: { id: true, slug: true } });
    if (!project) {
      const slugs = (await prisma.project.findMany({ where: { teamId: team.id }, orderBy: { createdAt: 'asc' }, take: 20, select: { slug: true } })).map((p) => p.slug);
      throw new UsageError(`team '${team.slug}' has no project '${args.project}'${slugs.length ? `; its projects are: ${slugs.join(', ')}` : ''}`);
    }
  } else {
    project =
      (await prisma.project.findFirst({ where: { teamId: team.id, OR: [{ slug: slugify(CLI_PROJECT_NAME) }, { name: CLI_PROJECT_NAME }] }, orderBy: { createdAt: 'asc' }, select: { id: true, slug: true } })) ??
      (await createProject({
        teamId: team.id,
        userId: owner.userId,
        role: 'OWNER',
        input: { name: CLI_PROJECT_NAME, description: 'Datasets, architectures and runs made with `deepboard train`' },
      }));
  }
  return { teamId: team.id, teamSlug: team.slug, userId: owner.userId, projectId: project.id, projectSlug: project.slug };
}

// ---------------------------------------------------------------------------------------------
// Dataset and architecture

interface DatasetResult {
  id: string;
  name: string;
  version: number;
  reused: boolean;
  rows: number;
  shape: DataShape;
  split: { train: number; validation: number; test: number };
}

function datasetName(file: string): string {
  const base = path.basename(file).replace(/\.(csv|tsv|txt)$/i, '');
  return (base || 'data').slice(0, 80);
}

async function importDataset(args: TrainArgs, file: string, place: Place): Promise<DatasetResult> {
  const name = datasetName(args.csv);
  const split: SplitSettings = { ...SPLIT, seed: args.seed, stratify: args.sensitive.length ? 'label-and-sensitive' : 'label' };
  const existing = await prisma.dataset.findUnique({ where: { projectId_name: { projectId: place.projectId, name } }, select: { id: true, latestVersion: true } });
  let reusable: { datasetId: string; version: number } | null = null;
  if (existing && existing.latestVersion > 0) {
    const sha256 = await sha256File(file);
    const versions = await prisma.datasetVersion.findMany({
      where: { datasetId: existing.id, labelColumn: args.label },
      orderBy: { version: 'desc' },
      select: { version: true, source: true, artifacts: true, split: true, sensitiveColumns: true },
    });
    const same = versions.find((v) => {
      const source = v.source as { kind?: string; timeSeries?: boolean };
      return (
        source.kind === 'csv' &&
        !source.timeSeries &&
        (v.artifacts as { data?: { sha256?: string } }).data?.sha256 === sha256 &&
        canonical([...v.sensitiveColumns].sort()) === canonical([...args.sensitive].sort()) &&
        canonical((v.split as { settings?: unknown }).settings) === canonical(split)
      );
    });
    if (same) reusable = { datasetId: existing.id, version: same.version };
  }
  let reused = true;
  if (!reusable) {
    reused = false;
    const upload = await stageUpload({
      teamId: place.teamId,
      userId: place.userId,
      role: 'OWNER',
      kind: 'csv',
      filename: path.basename(args.csv),
      body: createReadStream(file),
    }).catch(asUsage(args.csv));
    if (upload.profile.kind !== 'csv') throw new Error('expected a CSV profile');
    const columns: DatasetColumn[] = upload.profile.columns.map((c) => ({
      name: c.name,
      type: c.type,
      role: c.name === args.label ? 'label' : args.sensitive.includes(c.name) ? 'sensitive' : c.suggestedRole,
      useAsFeature: false,
    }));
    const created = await createFromUpload({
      teamId: place.teamId,
      userId: place.userId,
      role: 'OWNER',
      input: {
        projectId: place.projectId,
        datasetId: existing?.id,
        name,
        description: existing ? '' : `Imported by \`deepboard train\` from ${path.basename(args.csv)}`,
        message: `deepboard train: label ${args.label}${args.sensitive.length ? `, sensitive ${args.sensitive.join(', ')}` : ''}, seed ${args.seed}`,
        uploadId: upload.uploadId,
        columns,
        split,
      },
    }).catch(asUsage(args.csv));
    reusable = { datasetId: created.datasetId, version: created.version };
  }
  const v = await getDatasetVersion(place.teamId, reusable.datasetId, reusable.version);
  return {
    id: v.datasetId,
    name: v.name,
    version: v.version,
    reused,
    rows: v.rowCount,
    shape: dataShapeOf({ kind: v.kind, task: v.task ? JSON.stringify(v.task) : null, schema: v.schema, preprocessing: v.preprocessing }),
    split: { train: v.split.counts.train, validation: v.split.counts.validation, test: v.split.counts.test },
  };
}

interface ArchResult {
  id: string;
  name: string;
  version: number;
  reused: boolean;
  source: 'template' | 'file';
  totalParams: number;
}

/** The spec to train: a template built for the data, or the file's (which must fit the data). */
function specFor(arch: ArchSource, data: DatasetResult, args: TrainArgs): { spec: ArchitectureSpec; summary: ArchitectureSummary } {
  let spec: ArchitectureSpec;
  if (arch.source === 'template') {
    const task = data.shape.task;
    if (!task) throw new UsageError(`${args.csv}: the dataset has no label column`);
    try {
      spec = getTemplate(arch.id).build({
        inputShape: data.shape.inputShape,
        task: task.kind,
        ...(task.kind === 'multiclass' ? { numClasses: task.classes.length } : {}),
        ...(data.shape.vocabSize !== null ? { vocabSize: data.shape.vocabSize } : {}),
      });
    } catch (error) {
      if (error instanceof TemplateMismatchError) throw new UsageError(`${error.message} (${args.csv}, label ${args.label})`);
      throw error;
    }
  } else spec = arch.spec;
  const check = checkArchitecture(spec);
  if (!check.ok) throw new UsageError(`${args.arch}: the architecture cannot be built: ${check.issue.message}`);
  const problems = checkCompatibility('supervised', check.summary, data.shape);
  if (problems.length) throw new UsageError(`${args.arch} does not fit ${args.csv}: ${problems.join('; ')}`);
  return { spec, summary: check.summary };
}

/**
 * Finds or stores `spec` under `base` in the project: a version with the identical spec is
 * reused, a new spec becomes the next version, and a name held by another kind of architecture
 * moves on to `base-2`, `base-3` …
 */
export async function saveArchitecture(args: { place: Place; base: string; spec: ArchitectureSpec; description: string; errorPrefix: string }) {
  const { place, spec } = args;
  const wanted = canonical(spec);
  for (let i = 1; i < 100; i++) {
    const name = (i === 1 ? args.base : `${args.base.slice(0, 76)}-${i}`).slice(0, 80);
    const existing = await prisma.architecture.findUnique({ where: { projectId_name: { projectId: place.projectId, name } } });
    if (!existing) {
      const created = await createArchitecture({
        teamId: place.teamId,
        userId: place.userId,
        role: 'OWNER',
        input: { projectId: place.projectId, name, description: args.description, message: 'deepboard train', spec },
      }).catch(asUsage(args.errorPrefix));
      return { id: created.id, name, version: created.latestVersion, reused: false };
    }
    if (existing.kind !== spec.kind) continue;
    const versions = await prisma.architectureVersion.findMany({ where: { architectureId: existing.id }, orderBy: { version: 'desc' }, select: { version: true, spec: true } });
    const same = versions.find((v) => {
      const stored = ZArchitectureSpec.safeParse(v.spec);
      return stored.success && canonical(stored.data) === wanted;
    });
    if (same) return { id: existing.id, name, version: same.version, reused: true };
    const saved = await saveVersion({
      teamId: place.teamId,
      userId: place.userId,
      role: 'OWNER',
      input: { architectureId: existing.id, baseVersion: existing.latestVersion, spec, message: 'deepboard train: changed spec' },
    }).catch(asUsage(args.errorPrefix));
    return { id: existing.id, name, version: saved.version, reused: false };
  }
  throw new Error(`could not find a free architecture name after '${args.base}'`);
}

async function importArchitecture(arch: ArchSource, spec: ArchitectureSpec, summary: ArchitectureSummary, data: DatasetResult, place: Place): Promise<ArchResult> {
  const saved = await saveArchitecture({
    place,
    spec,
    base: arch.source === 'template' ? `${arch.id} (${data.name})` : path.basename(arch.file).replace(/\.json$/i, '') || 'architecture',
    description: arch.source === 'template' ? `Template ${arch.id}, fitted to ${data.name}` : `Imported by \`deepboard train\` from ${path.basename(arch.file)}`,
    errorPrefix: arch.source === 'template' ? arch.id : arch.file,
  });
  return { ...saved, source: arch.source, totalParams: summary.totalParams };
}

// ---------------------------------------------------------------------------------------------
// The run: worker, waiting, report

export type TrainEvaluation =
  | {
      task: 'binary' | 'multiclass';
      testExamples: number;
      classNames: string[];
      accuracy: number;
      precision: number;
      recall: number;
      f1: number;
      rocAuc: number | null;
      confusion: number[][];
    }
  | { task: 'regression'; testExamples: number; mae: number; rmse: number; r2: number };

export interface TrainReport {
  runId: string;
  runNumber: number;
  name: string;
  status: 'SUCCEEDED' | 'FAILED' | 'CANCELED';
  error: string | null;
  backend: string | null;
  device: string | null;
  durationSeconds: number | null;
  url: string;
  team: { slug: string };
  project: { slug: string };
  worker: 'in-process' | 'existing';
  dataset: Omit<DatasetResult, 'shape'> & { features: number };
  architecture: ArchResult;
  config: { epochs: number; batchSize: number; learningRate: number; seed: number };
  epochsRun: number | null;
  stopReason: string | null;
  evaluation: TrainEvaluation | null;
}

function summarizeEvaluation(raw: unknown): TrainEvaluation | null {
  const ev = parseEvaluation(raw).value;
  if (!isSupervisedEvaluation(ev)) return null;
  if (ev.task === 'regression') return { task: 'regression', testExamples: ev.testExamples ?? 0, mae: ev.report.mae, rmse: ev.report.rmse, r2: ev.report.r2 };
  const r = ev.report;
  return { task: ev.task, testExamples: ev.testExamples ?? 0, classNames: ev.classNames ?? [], accuracy: r.accuracy, precision: r.macro.precision, recall: r.macro.recall, f1: r.macro.f1, rocAuc: r.roc?.auc ?? null, confusion: r.confusion };
}

const fixed = (x: number, digits = 4) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));
const int = (n: number) => n.toLocaleString('en-US');

function formatEvaluation(ev: TrainEvaluation): string[] {
  const out = [`Test set (${int(ev.testExamples)} examples):`];
  if (ev.task === 'regression') {
    out.push(`  MAE       ${fixed(ev.mae)}`, `  RMSE      ${fixed(ev.rmse)}`, `  R²        ${fixed(ev.r2)}`);
    return out;
  }
  out.push(`  accuracy  ${fixed(ev.accuracy)}`);
  out.push(`  macro precision ${fixed(ev.precision)}, recall ${fixed(ev.recall)}, F1 ${fixed(ev.f1)}`);
  if (ev.rocAuc !== null) out.push(`  ROC AUC   ${fixed(ev.rocAuc)}`);
  const names = ev.classNames.length === ev.confusion.length ? ev.classNames : ev.confusion.map((_, i) => String(i));
  const width = Math.max(...names.map((n) => n.length), ...ev.confusion.flat().map((n) => String(n).length), 4);
  out.push('  confusion matrix (rows: true class, columns: predicted)');
  out.push(`  ${''.padEnd(width)}  ${names.map((n) => n.padStart(width)).join('  ')}`);
  ev.confusion.forEach((row, i) => out.push(`  ${names[i]!.padEnd(width)}  ${row.map((n) => String(n).padStart(width)).join('  ')}`));
  return out;
}

export function formatTrainReport(r: TrainReport): string {
  const out: string[] = [];
  const took = r.durationSeconds === null ? '' : ` in ${r.durationSeconds.toFixed(1)} s`;
  const epochs = r.epochsRun === null ? '' : `, ${r.epochsRun} of ${r.config.epochs} epochs${r.stopReason === 'early-stopping' ? ' (early stopping)' : ''}`;
  out.push(`Run #${r.runNumber} ${r.status}${took} on ${r.backend ?? 'no backend'}${epochs}`);
  if (r.error) out.push(`error: ${r.error}`);
  if (r.evaluation) out.push(...formatEvaluation(r.evaluation));
  out.push(`run ${r.runId}: ${r.url}`);
  return out.join('\n');
}

/** Waits for the run's end, echoing its log lines; Ctrl-C cancels the run. */
export async function waitForRun(runId: string, place: Place, echo: ((line: string) => void) | null, workerFailure: () => unknown) {
  let lastLog: bigint | undefined;
  let queuedNoted = false;
  let interrupted = false;
  let forced = false;
  const onSignal = () => {
    if (interrupted) {
      forced = true;
      return;
    }
    interrupted = true;
    echo?.('interrupted: canceling the run…');
    void cancelRun({ teamId: place.teamId, role: 'OWNER', runId }).catch(logFailure(`canceling run ${runId}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    for (;;) {
      const run = await prisma.run.findUniqueOrThrow({ where: { id: runId } });
      if (echo) {
        const lines = await runLogs(place.teamId, runId, lastLog);
        for (const l of lines) {
          lastLog = BigInt(l.id);
          if (l.level !== 'debug') echo(`[run ${run.number}] ${l.message}`);
        }
        if (run.status === 'QUEUED' && !queuedNoted && Date.now() - run.queuedAt.getTime() > 5000) {
          queuedNoted = true;
          echo('waiting for a worker to take the run…');
        }
      }
      if (run.status === 'SUCCEEDED' || run.status === 'FAILED' || run.status === 'CANCELED') return run;
      const failure = workerFailure();
      if (failure) throw new Error(`the worker in this process stopped: ${failure instanceof Error ? failure.message : String(failure)}`);
      if (forced) throw new Error(`interrupted twice; run ${runId} may still be ${run.status.toLowerCase()}`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * A worker in this process until `stop()`: the same runWorker as `deepboard worker`, with its
 * own and the queue's messages sent to `debug` (never stdout, which carries the report).
 */
export async function startInProcessWorker(databaseUrl: string, debug: (line: string) => void = () => {}) {
  const [{ runWorker }, { Logger }] = await Promise.all([import('@/worker/main'), import('graphile-worker')]);
  const controller = new AbortController();
  const queueLogger = new Logger(() => (level, message) => debug(`queue ${level}: ${message}`));
  const done = runWorker({ databaseUrl, signal: controller.signal, log: debug, queueLogger });
  let failure: unknown = null;
  done.catch((error) => (failure = error));
  return {
    failed: () => failure,
    stop: async () => {
      controller.abort();
      await done.catch(ignoreError('its failure is kept in `failure` above'));
    },
  };
}

/**
 * DATABASE_URL, else the running embedded database, else one started here (and migrated); the
 * process's Prisma client points at it until close(), which stops what was started.
 */
export async function openDatabase(log: (line: string) => void) {
  const db = await resolveDatabase({ startIfNeeded: true, log });
  const previousUrl = process.env.DATABASE_URL;
  const close = async () => {
    await disconnectPrisma();
    if (previousUrl === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = previousUrl;
    await db.stop();
  };
  try {
    const status = await migrationStatus(db.url);
    if (status.pending.length) {
      if (db.kind !== 'embedded') throw new Error(`the database has ${status.pending.length} pending migration(s); run \`deepboard db migrate\` first`);
      await prepareDatabase(db.url);
    }
  } catch (error) {
    await close();
    throw error;
  }
  // The services use the process's one Prisma client, which follows DATABASE_URL.
  process.env.DATABASE_URL = db.url;
  return { url: db.url, close };
}

async function train(args: TrainArgs, arch: ArchSource, csvFile: string, io: CliIO): Promise<number> {
  const echo = args.json ? null : (line: string) => io.stderr(line);
  const db = await openDatabase((l) => io.stderr(l));
  let worker: Awaited<ReturnType<typeof startInProcessWorker>> | null = null;
  try {
    const place = await resolvePlace(args, io.env);
    const data = await importDataset(args, csvFile, place);
    const { spec, summary } = specFor(arch, data, args);
    const architecture = await importArchitecture(arch, spec, summary, data, place);
    echo?.(
      `dataset ${data.name} v${data.version}${data.reused ? ' (reused)' : ''}: ${int(data.rows)} rows, ${data.shape.inputShape.join('×')} encoded features, ` +
        `${int(data.split.train)} train / ${int(data.split.validation)} validation / ${int(data.split.test)} test`,
    );
    echo?.(`architecture ${architecture.name} v${architecture.version}${architecture.reused ? ' (reused)' : ''}: ${int(summary.totalParams)} parameters`);

    const config: RunConfigInput = {
      paradigm: 'supervised',
      epochs: args.epochs,
      batchSize: args.batchSize,
      learningRate: args.learningRate,
      seed: args.seed,
      earlyStopping: { monitor: 'val_loss', patience: TRAIN_DEFAULTS.patience, restoreBestWeights: true },
    };
    const online = await countOnlineWorkers();
    const created = await createRun({
      teamId: place.teamId,
      userId: place.userId,
      role: 'OWNER',
      input: { projectId: place.projectId, architectureId: architecture.id, architectureVersion: architecture.version, datasetId: data.id, datasetVersion: data.version, config, tags: ['cli'] },
    }).catch(asUsage(`${args.arch} on ${args.csv}`));
    if (online === 0) {
      echo?.('no worker is online: training in this process');
      worker = await startInProcessWorker(db.url, settingsFrom(io.env).DEEPBOARD_DEBUG ? (line) => io.stderr(`[worker] ${line}`) : undefined);
    }
    echo?.(`run #${created.number} queued: ${created.name}`);
    const run = await waitForRun(created.id, place, echo, () => worker?.failed() ?? null);
    const environment = (run.environment ?? {}) as { stopReason?: string };
    const progress = (run.progress ?? {}) as { epoch?: number };
    const report: TrainReport = {
      runId: run.id,
      runNumber: run.number,
      name: run.name,
      status: run.status as TrainReport['status'],
      error: run.error ?? (run.status === 'CANCELED' ? 'the run was canceled' : null),
      backend: run.backend,
      device: run.device,
      durationSeconds: run.startedAt && run.finishedAt ? (run.finishedAt.getTime() - run.startedAt.getTime()) / 1000 : null,
      url: `/t/${place.teamSlug}/projects/${place.projectSlug}/runs/${run.id}`,
      team: { slug: place.teamSlug },
      project: { slug: place.projectSlug },
      worker: worker ? 'in-process' : 'existing',
      dataset: { id: data.id, name: data.name, version: data.version, reused: data.reused, rows: data.rows, features: data.shape.inputShape.reduce((a, b) => a * b, 1), split: data.split },
      architecture,
      config: { epochs: args.epochs, batchSize: args.batchSize, learningRate: args.learningRate, seed: args.seed },
      epochsRun: typeof progress.epoch === 'number' ? progress.epoch : null,
      stopReason: environment.stopReason ?? null,
      evaluation: run.status === 'SUCCEEDED' ? summarizeEvaluation(run.evaluation) : null,
    };
    if (args.json) io.stdout(JSON.stringify(report, null, 2));
    else io.stdout(formatTrainReport(report));
    if (report.status !== 'SUCCEEDED' && args.json) io.stderr(`deepboard: run #${report.runNumber} ${report.status.toLowerCase()}: ${report.error ?? 'no error recorded'}`);
    return report.status === 'SUCCEEDED' ? 0 : 1;
  } finally {
    await worker?.stop();
    await db.close();
  }
}

export const trainCommand: CliCommand = {
  path: ['train'],
  summary: 'Import a CSV and an architecture (file or template), train a run on a worker, and print its test-set evaluation',
  usage: USAGE,
  async run(argv, io) {
    const args = parseTrainArgs(argv);
    const arch = await readArchSource(args.arch, io.cwd);
    const csvFile = path.resolve(io.cwd, args.csv);
    await checkCsvColumns(args, csvFile);
    if (arch.source === 'file') for (const w of arch.warnings) io.stderr(`warning: ${w}`);
    return train(args, arch, csvFile, io);
  },
};
