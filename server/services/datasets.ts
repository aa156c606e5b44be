import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Prisma } from '@prisma/client';
import { artifactStore } from '@/lib/artifacts/store';
import { computeBiasProfile, type BiasProfile } from '@/lib/datasets/bias';
import { profileCsvStream, readCsvTable, ZCsvProfile, type CsvProfile } from '@/lib/datasets/csv';
import { fitEncoder } from '@/lib/datasets/encode';
import { effectiveType, inferTask, ZDatasetColumns, ZSupervisedColumns, type DatasetColumn, type Task } from '@/lib/datasets/schema';
import { splitRows, stratumKeys, type SplitResult, type SplitSettings } from '@/lib/datasets/split';
import { forecastWindows } from '@/lib/datasets/sequence';
import { labelSummary } from '@/lib/datasets/stats';
import { generateLoanApprovals, generateSequencePatterns, generateShapeImages } from '@/lib/datasets/synthetic';
import type { Table } from '@/lib/datasets/table';
import { fitTokenizer } from '@/lib/datasets/text';
import { prisma } from '@/lib/db/client';
import { env } from '@/lib/env';
import { dataDir } from '@/lib/paths';
import { can } from '@/lib/roles';
import { ZCreateFromUploadInput, ZCreateSyntheticInput, type CreateFromUploadInput, type CreateSyntheticInput, type DatasetKind } from '@/lib/schemas/datasets';
import type { Role } from '@/lib/schemas/teams';
import { readImageZip, ZImageZipOptions, type ImageDataset } from '../datasets/images';
import { DomainError, badRequest, conflict, forbidden, notFound } from './errors';
import { logFailure } from '@/lib/log';

/**
 * Datasets and their immutable versions. A version is made in two steps: an upload is received,
 * checked and profiled (stageUpload), then the user confirms roles, task and split and the version
 * is built (createFromUpload). Files are written under a fresh artifact prefix before the version
 * row is inserted; if anything fails the prefix is deleted, so nothing is ever half-saved.
 */

export const MAX_UPLOAD_BYTES = env().DEEPBOARD_MAX_UPLOAD_MB * 1024 * 1024;
const UPLOAD_TTL_MS = 24 * 3600 * 1000;

function uploadsDir(): string {
  return path.join(dataDir(), 'uploads');
}

class SizeLimit extends Transform {
  size = 0;
  hash = createHash('sha256');
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null, data?: Buffer) => void) {
    this.size += chunk.length;
    if (this.size > this.limit) return cb(new DomainError('PAYLOAD_TOO_LARGE', `The file is larger than the ${Math.round(this.limit / 1024 / 1024)} MB upload limit`));
    this.hash.update(chunk);
    cb(null, chunk);
  }
}

async function receive(body: AsyncIterable<Uint8Array> | Readable, file: string, limit: number) {
  await mkdir(path.dirname(file), { recursive: true });
  const meter = new SizeLimit(limit);
  try {
    await pipeline(body, meter, createWriteStream(file));
  } catch (err) {
    await rm(file, { force: true });
    throw err;
  }
  if (meter.size === 0) {
    await rm(file, { force: true });
    throw badRequest('The file is empty');
  }
  return { size: meter.size, sha256: meter.hash.digest('hex') };
}

export interface ImageUploadProfile {
  kind: 'image-zip';
  classNames: string[];
  counts: number[];
  width: number;
  height: number;
  channels: number;
  images: number;
  skipped: string[];
  /** data: URLs of a few resized images per class. */
  previews: { className: string; images: string[] }[];
}

export type UploadProfile = ({ kind: 'csv' } & CsvProfile) | ImageUploadProfile;

function imageProfile(data: ImageDataset): ImageUploadProfile {
  return {
    kind: 'image-zip',
    classNames: data.classNames,
    counts: data.counts,
    width: data.width,
    height: data.height,
    channels: data.channels,
    images: data.labels.length,
    skipped: data.skipped,
    previews: data.previews.map((p) => ({ className: p.className, images: p.png.map((b) => `data:image/png;base64,${b.toString('base64')}`) })),
  };
}

/**
 * Receives an upload (streamed, size-capped, hashed), checks and profiles it. Nothing is kept if
 * any check fails. Image zips are decoded here, once, at the size chosen for the dataset.
 */
export async function stageUpload(args: {
  teamId: string;
  userId: string;
  role: Role;
  kind: 'csv' | 'image-zip';
  filename: string;
  body: AsyncIterable<Uint8Array> | Readable;
  imageOptions?: unknown;
  limitBytes?: number;
}) {
  if (!can.write(args.role)) throw forbidden('Viewers cannot upload datasets');
  const filename = path.basename(args.filename || 'upload').slice(0, 200);
  const id = randomBytes(12).toString('hex');
  const dir = path.join(uploadsDir(), id);
  const file = path.join(dir, args.kind === 'csv' ? 'data.csv' : 'images.zip');
  try {
    const { size, sha256 } = await receive(args.body, file, args.limitBytes ?? MAX_UPLOAD_BYTES);
    let profile: UploadProfile;
    if (args.kind === 'csv') {
      profile = { kind: 'csv', ...(await profileCsvStream(createReadStream(file))) };
    } else {
      const options = ZImageZipOptions.safeParse(args.imageOptions ?? {});
      if (!options.success) throw badRequest(`Image options: ${options.error.issues[0]!.message}`);
      const data = await readImageZip(file, options.data);
      const store = artifactStore();
      // The decoded pixels wait next to the zip until the version is created.
      await store.put(`uploads/${id}/pixels.u8`, Buffer.from(data.pixels.buffer, data.pixels.byteOffset, data.pixels.byteLength));
      await store.put(`uploads/${id}/labels.i32`, Buffer.from(data.labels.buffer, data.labels.byteOffset, data.labels.byteLength));
      profile = imageProfile(data);
    }
    const row = await prisma.datasetUpload.create({
      data: {
        id,
        teamId: args.teamId,
        userId: args.userId,
        filename,
        kind: args.kind,
        path: dir,
        sizeBytes: BigInt(size),
        sha256,
        profile: profile as unknown as Prisma.InputJsonValue,
        expiresAt: new Date(Date.now() + UPLOAD_TTL_MS),
      },
    });
    return { uploadId: row.id, kind: args.kind, filename, sizeBytes: size, profile };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    await artifactStore()
      .deletePrefix(`uploads/${id}`)
      .catch(logFailure(`removing the stored files of failed upload ${id}`));
    throw err;
  }
}

export async function getUpload(teamId: string, userId: string, uploadId: string) {
  const row = await prisma.datasetUpload.findFirst({ where: { id: uploadId, teamId, userId } });
  if (!row || row.expiresAt < new Date()) throw notFound('Upload (it may have expired; upload the file again)');
  return { uploadId: row.id, kind: row.kind as 'csv' | 'image-zip', filename: row.filename, sizeBytes: Number(row.sizeBytes), profile: row.profile as unknown as UploadProfile, path: row.path };
}

async function discardUpload(uploadId: string, dir: string) {
  // deleteMany: a concurrent discard may have removed the row already.
  await prisma.datasetUpload.deleteMany({ where: { id: uploadId } }).catch(logFailure(`deleting upload ${uploadId}`));
  await rm(dir, { recursive: true, force: true });
  await artifactStore()
    .deletePrefix(`uploads/${uploadId}`)
    .catch(logFailure(`removing the stored files of upload ${uploadId}`));
}

/** Removes uploads nobody turned into a dataset. */
export async function purgeExpiredUploads(now = new Date()): Promise<number> {
  const rows = await prisma.datasetUpload.findMany({ where: { expiresAt: { lt: now } }, select: { id: true, path: true } });
  for (const r of rows) await discardUpload(r.id, r.path);
  return rows.length;
}

// ---------------------------------------------------------------------------------------------
// Building versions

interface VersionDraft {
  kind: DatasetKind;
  source: Record<string, unknown>;
  schema: Record<string, unknown>;
  task: Task | null;
  labelColumn: string | null;
  sensitiveColumns: string[];
  rowCount: number;
  profile: Record<string, unknown>;
  split: Record<string, unknown>;
  preprocessing: Record<string, unknown>;
  /** Writes the version's files under `prefix`; returns what was stored. */
  write: (prefix: string) => Promise<Record<string, { key: string; size: number; sha256: string }>>;
}

function splitSummary(settings: SplitSettings, split: SplitResult) {
  return { settings, counts: { train: split.train.length, validation: split.validation.length, test: split.test.length }, strata: split.strata.length };
}

function splitJson(split: SplitResult): Buffer {
  return Buffer.from(JSON.stringify({ train: Array.from(split.train), validation: Array.from(split.validation), test: Array.from(split.test) }));
}

/** Roles, task, split, bias profile and fitted preprocessing of a tabular (or text) table. */
function tabularDraft(args: {
  table: Table;
  columns: DatasetColumn[];
  csvProfile: CsvProfile;
  taskOverride?: { kind?: 'binary' | 'multiclass' | 'regression'; positiveClass?: string };
  split: SplitSettings;
  tokenizer?: Record<string, unknown>;
  source: Record<string, unknown>;
  writeData: (prefix: string) => Promise<{ key: string; size: number; sha256: string }>;
}): VersionDraft {
  const label = args.columns.find((c) => c.role === 'label');
  const parsedColumns = (label ? ZSupervisedColumns : ZDatasetColumns).safeParse(args.columns);
  if (!parsedColumns.success) throw badRequest(parsedColumns.error.issues.map((i) => i.message).join('; '), 'columns');
  const columns = parsedColumns.data;
  const names = args.csvProfile.columns.map((c) => c.name);
  const mismatch = columns.find((c, i) => names[i] !== c.name);
  if (columns.length !== names.length || mismatch) throw badRequest(`The columns do not match the file (expected ${names.join(', ')})`, 'columns');
  const sensitive = columns.filter((c) => c.role === 'sensitive').map((c) => c.name);

  let task: Task | null = null;
  if (label) {
    const labelProfile = args.csvProfile.columns.find((c) => c.name === label.name)!;
    const summary = { ...labelSummary(labelProfile), type: effectiveType(label) };
    task = inferTask(summary, args.taskOverride ?? {}).task;
  }
  const keys = stratumKeys(args.table, { stratify: args.split.stratify, label: label?.name, sensitive, task: task ?? undefined });
  const split = splitRows(args.table.rows.length, args.split, keys);
  const bias: BiasProfile | null = label && task && sensitive.length ? computeBiasProfile(args.table.columns, args.table.rows, { label: label.name, task, sensitive }, args.table.lines) : null;

  const textColumns = columns.filter((c) => c.role === 'feature' && effectiveType(c) === 'text');
  const tabularColumns = columns.map((c) => (textColumns.includes(c) ? { ...c, role: 'ignored' as const } : c));
  // A text dataset whose only input is the text has no tabular features to encode; its label
  // is encoded from the task.
  const hasTabularInputs = tabularColumns.some((c) => c.role === 'feature' || (c.role === 'sensitive' && c.useAsFeature));
  const encoder = hasTabularInputs ? fitEncoder(args.table, tabularColumns, { trainRows: split.train, task: task ?? undefined }) : null;
  let tokenizer = null;
  if (textColumns.length) {
    const at = args.table.columns.indexOf(textColumns[0]!.name);
    tokenizer = fitTokenizer(
      Array.from(split.train, (i) => args.table.rows[i]![at] ?? null),
      args.tokenizer ?? {},
    );
  }
  return {
    kind: textColumns.length ? 'text' : 'tabular',
    source: args.source,
    schema: { columns, textColumn: textColumns[0]?.name ?? null },
    task,
    labelColumn: label?.name ?? null,
    sensitiveColumns: sensitive,
    rowCount: args.table.rows.length,
    profile: { csv: args.csvProfile, bias },
    split: splitSummary(args.split, split),
    preprocessing: { encoder, tokenizer },
    write: async (prefix) => {
      const store = artifactStore();
      const data = await args.writeData(prefix);
      const splitFile = await store.put(`${prefix}/split.json`, splitJson(split));
      return { data, split: splitFile };
    },
  };
}

function classCounts(labels: Int32Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const l of labels) counts[l]!++;
  return counts;
}

function labelledSplit(labels: Int32Array, classNames: string[], settings: SplitSettings) {
  const keys = Array.from(labels, (l) => (settings.stratify === 'none' ? '' : classNames[l]!));
  return splitRows(labels.length, settings, keys);
}

/**
 * A CSV whose rows are time steps, cut into forecasting windows. Splits are chronological (the
 * first windows train, the last test) so no future values leak into training; features are
 * standardised with train-window statistics stored in the version.
 */
function timeSeriesDraft(args: {
  table: Table;
  columns: DatasetColumn[];
  csvProfile: CsvProfile;
  settings: { window: number; stride: number; horizon: number; target: string };
  split: SplitSettings;
  source: Record<string, unknown>;
  file: string;
}): VersionDraft {
  const { table, settings } = args;
  const features = args.columns.filter((c) => (c.role === 'feature' || c.name === settings.target) && effectiveType(c) === 'numeric').map((c) => c.name);
  if (!table.columns.includes(settings.target)) throw badRequest(`unknown target column '${settings.target}'`, 'timeSeries');
  if (!features.includes(settings.target)) throw badRequest(`the target column '${settings.target}' must be numeric`, 'timeSeries');
  const at = features.map((f) => table.columns.indexOf(f));
  const steps = table.rows.length;
  const values = new Float32Array(steps * features.length);
  table.rows.forEach((row, r) => {
    at.forEach((c, k) => {
      const cell = row[c];
      const v = cell === null || cell === undefined ? Number.NaN : Number(cell);
      if (!Number.isFinite(v)) {
        throw badRequest(`line ${table.lines?.[r] ?? r + 2}: column '${features[k]}' has no number ('${cell ?? ''}'); a time series needs a value at every step`);
      }
      values[r * features.length + k] = v;
    });
  });
  const w = forecastWindows({ values, features: features.length }, settings, features.indexOf(settings.target));
  if (w.samples < 3) throw badRequest(`${steps} steps make only ${w.samples} windows of ${settings.window} + ${settings.horizon}; use a shorter window or more rows`, 'timeSeries');
  // Chronological split by window start.
  const n = w.samples;
  const nTrain = Math.max(1, Math.round(n * args.split.train));
  const nVal = Math.round(n * args.split.validation);
  const range = (a: number, b: number) => Int32Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i);
  const split: SplitResult = { train: range(0, nTrain), validation: range(nTrain, Math.min(n, nTrain + nVal)), test: range(Math.min(n, nTrain + nVal), n), strata: [] };
  // Standardisation from the steps the train windows cover.
  const lastTrainStep = w.starts[nTrain - 1]! + settings.window;
  const mean = features.map((_, k) => {
    let s = 0;
    for (let r = 0; r < lastTrainStep; r++) s += values[r * features.length + k]!;
    return s / lastTrainStep;
  });
  const std = features.map((_, k) => {
    let s = 0;
    for (let r = 0; r < lastTrainStep; r++) s += (values[r * features.length + k]! - mean[k]!) ** 2;
    return Math.sqrt(s / lastTrainStep) || 1;
  });
  const store = artifactStore();
  return {
    kind: 'sequence',
    source: { ...args.source, timeSeries: true },
    schema: { columns: args.columns, length: settings.window, features: features.length, featureNames: features, target: settings.target, horizon: settings.horizon },
    task: { kind: 'regression' },
    labelColumn: settings.target,
    sensitiveColumns: [],
    rowCount: n,
    profile: { csv: args.csvProfile, timeSeries: { steps, windows: n, window: settings.window, stride: settings.stride, horizon: settings.horizon, target: settings.target } },
    split: { settings: { ...args.split, stratify: 'none' }, counts: { train: split.train.length, validation: split.validation.length, test: split.test.length }, strata: 0, chronological: true },
    preprocessing: { standardize: { features, mean, std } },
    write: async (prefix) => ({
      data: await store.putFile(`${prefix}/data.csv`, args.file),
      series: await store.put(`${prefix}/series.f32`, Buffer.from(w.x.buffer, w.x.byteOffset, w.x.byteLength)),
      targets: await store.put(`${prefix}/targets.f32`, Buffer.from(w.y.buffer, w.y.byteOffset, w.y.byteLength)),
      split: await store.put(`${prefix}/split.json`, splitJson(split)),
    }),
  };
}

async function buildFromUpload(teamId: string, userId: string, input: ReturnType<typeof ZCreateFromUploadInput.parse>): Promise<VersionDraft & { cleanup: () => Promise<void> }> {
  const upload = await getUpload(teamId, userId, input.uploadId);
  const cleanup = () => discardUpload(upload.uploadId, upload.path);
  const source = { kind: upload.kind, filename: upload.filename, sizeBytes: upload.sizeBytes };
  if (upload.profile.kind === 'csv') {
    const csvProfile = ZCsvProfile.parse(upload.profile);
    if (!input.columns) throw badRequest('Choose the role of each column', 'columns');
    const file = path.join(upload.path, 'data.csv');
    const { table } = await readCsvTable(createReadStream(file));
    if (input.timeSeries) {
      return { ...timeSeriesDraft({ table, columns: input.columns, csvProfile, settings: input.timeSeries, split: input.split, source, file }), cleanup };
    }
    const draft = tabularDraft({
      table,
      columns: input.columns,
      csvProfile,
      taskOverride: input.task,
      split: input.split,
      tokenizer: input.tokenizer,
      source,
      writeData: (prefix) => artifactStore().putFile(`${prefix}/data.csv`, file),
    });
    return { ...draft, cleanup };
  }
  const p = upload.profile;
  const store = artifactStore();
  const labelsBuf = await store.get(`uploads/${upload.uploadId}/labels.i32`);
  const labels = new Int32Array(labelsBuf.buffer, labelsBuf.byteOffset, labelsBuf.byteLength / 4);
  const split = labelledSplit(labels, p.classNames, input.split);
  return {
    kind: 'image',
    source,
    schema: { width: p.width, height: p.height, channels: p.channels, classNames: p.classNames },
    task: p.classNames.length === 2 ? { kind: 'binary', negativeClass: p.classNames[0]!, positiveClass: p.classNames[1]! } : { kind: 'multiclass', classes: p.classNames },
    labelColumn: 'class',
    sensitiveColumns: [],
    rowCount: labels.length,
    profile: { images: p },
    split: splitSummary(input.split, split),
    preprocessing: { augmentation: input.augmentation ?? null, scale: '0-1' },
    write: async (prefix) => {
      const pixels = await store.move(`uploads/${upload.uploadId}/pixels.u8`, `${prefix}/pixels.u8`);
      const labelsFile = await store.put(`${prefix}/labels.i32`, labelsBuf);
      const splitFile = await store.put(`${prefix}/split.json`, splitJson(split));
      return { pixels, labels: labelsFile, split: splitFile };
    },
    cleanup,
  };
}

function tableToCsv(table: Table): Buffer {
  const esc = (v: string | null) => (v === null ? '' : /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = [table.columns.map(esc).join(',')];
  for (const r of table.rows) lines.push(r.map(esc).join(','));
  return Buffer.from(lines.join('\n') + '\n');
}

async function buildSynthetic(input: ReturnType<typeof ZCreateSyntheticInput.parse>): Promise<VersionDraft> {
  const spec = input.spec;
  const store = artifactStore();
  if (spec.generator === 'loans') {
    const gen = generateLoanApprovals(spec.settings);
    const csv = tableToCsv(gen.table);
    const csvProfile = await profileCsvStream([csv]);
    // The generator knows the roles; the profile's inferred types are kept.
    const columns = csvProfile.columns.map((c) => {
      const known = gen.columns.find((k) => k.name === c.name);
      return { name: c.name, type: c.type, role: known?.role ?? c.suggestedRole, useAsFeature: false };
    });
    const { table } = await readCsvTable([csv]);
    return tabularDraft({
      table,
      columns,
      csvProfile,
      taskOverride: gen.task.kind === 'binary' ? { kind: 'binary', positiveClass: gen.task.positiveClass } : undefined,
      split: input.split,
      source: { kind: 'synthetic', generator: 'loans', settings: spec.settings },
      writeData: (prefix) => store.put(`${prefix}/data.csv`, csv),
    });
  }
  if (spec.generator === 'shapes') {
    const set = generateShapeImages(spec.settings);
    const pixels = Buffer.concat(set.images.map((i) => Buffer.from(i.buffer, i.byteOffset, i.byteLength)));
    const split = labelledSplit(set.labels, set.classNames, input.split);
    const sharp = (await import('sharp')).default;
    const previews = await Promise.all(
      set.classNames.map(async (className, c) => {
        const idx: number[] = [];
        for (let i = 0; i < set.labels.length && idx.length < 4; i++) if (set.labels[i] === c) idx.push(i);
        const images = await Promise.all(
          idx.map(async (i) => {
            const png = await sharp(Buffer.from(set.images[i]!), { raw: { width: set.width, height: set.height, channels: set.channels as 1 | 3 } })
              .png()
              .toBuffer();
            return `data:image/png;base64,${png.toString('base64')}`;
          }),
        );
        return { className, images };
      }),
    );
    const counts = classCounts(set.labels, set.classNames.length);
    return {
      kind: 'image',
      source: { kind: 'synthetic', generator: 'shapes', settings: spec.settings },
      schema: { width: set.width, height: set.height, channels: set.channels, classNames: set.classNames },
      task: { kind: 'multiclass', classes: set.classNames },
      labelColumn: 'class',
      sensitiveColumns: [],
      rowCount: set.labels.length,
      profile: { images: { kind: 'image-zip', classNames: set.classNames, counts, width: set.width, height: set.height, channels: set.channels, images: set.labels.length, skipped: [], previews } },
      split: splitSummary(input.split, split),
      preprocessing: { augmentation: spec.augmentation ?? null, scale: '0-1' },
      write: async (prefix) => ({
        pixels: await store.put(`${prefix}/pixels.u8`, pixels),
        labels: await store.put(`${prefix}/labels.i32`, Buffer.from(set.labels.buffer, set.labels.byteOffset, set.labels.byteLength)),
        split: await store.put(`${prefix}/split.json`, splitJson(split)),
      }),
    };
  }
  const set = generateSequencePatterns(spec.settings);
  const series = Buffer.concat(set.series.map((s) => Buffer.from(s.buffer, s.byteOffset, s.byteLength)));
  const split = labelledSplit(set.labels, set.classNames, input.split);
  return {
    kind: 'sequence',
    source: { kind: 'synthetic', generator: 'sequences', settings: spec.settings },
    schema: { length: set.length, features: 1, classNames: set.classNames },
    task: set.classNames.length === 2 ? { kind: 'binary', negativeClass: set.classNames[0]!, positiveClass: set.classNames[1]! } : { kind: 'multiclass', classes: set.classNames },
    labelColumn: 'class',
    sensitiveColumns: [],
    rowCount: set.labels.length,
    profile: {
      sequences: {
        classNames: set.classNames,
        counts: classCounts(set.labels, set.classNames.length),
        length: set.length,
        examples: set.classNames.map((className, c) => ({ className, values: Array.from(set.series[set.labels.indexOf(c)] ?? []) })),
      },
    },
    split: splitSummary(input.split, split),
    preprocessing: {},
    write: async (prefix) => ({
      series: await store.put(`${prefix}/series.f32`, series),
      labels: await store.put(`${prefix}/labels.i32`, Buffer.from(set.labels.buffer, set.labels.byteOffset, set.labels.byteLength)),
      split: await store.put(`${prefix}/split.json`, splitJson(split)),
    }),
  };
}

/** Stores the draft's files and its version row (a new dataset, or the next version of one). */
async function commitVersion(args: { teamId: string; userId: string; projectId: string; datasetId?: string; name: string; description: string; message: string; draft: VersionDraft }) {
  const project = await prisma.project.findFirst({ where: { id: args.projectId, teamId: args.teamId }, select: { id: true } });
  if (!project) throw notFound('Project');
  let dataset = args.datasetId ? await prisma.dataset.findFirst({ where: { id: args.datasetId, teamId: args.teamId } }) : null;
  if (args.datasetId && !dataset) throw notFound('Dataset');
  if (!dataset && (await prisma.dataset.findUnique({ where: { projectId_name: { projectId: args.projectId, name: args.name } } }))) {
    throw conflict(`This project already has a dataset named "${args.name}"; add a version to it or pick another name`, 'name');
  }
  if (dataset && dataset.kind !== args.draft.kind) throw badRequest(`"${dataset.name}" holds ${dataset.kind} data; this file makes a ${args.draft.kind} dataset`);

  const prefix = `teams/${args.teamId}/datasets/${randomBytes(8).toString('hex')}`;
  const store = artifactStore();
  try {
    const artifacts = await args.draft.write(prefix);
    const sizeBytes = Object.values(artifacts).reduce((n, a) => n + a.size, 0);
    return await prisma.$transaction(async (tx) => {
      if (!dataset) {
        dataset = await tx.dataset.create({
          data: { teamId: args.teamId, projectId: args.projectId, name: args.name, description: args.description, kind: args.draft.kind, latestVersion: 0, createdById: args.userId },
        });
      }
      const bumped = await tx.dataset.update({ where: { id: dataset.id }, data: { latestVersion: { increment: 1 } }, select: { latestVersion: true } });
      const d = args.draft;
      const version = await tx.datasetVersion.create({
        data: {
          datasetId: dataset.id,
          version: bumped.latestVersion,
          message: args.message || (bumped.latestVersion === 1 ? 'First version' : ''),
          source: d.source as Prisma.InputJsonValue,
          schema: d.schema as Prisma.InputJsonValue,
          task: d.task ? JSON.stringify(d.task) : null,
          labelColumn: d.labelColumn,
          sensitiveColumns: d.sensitiveColumns,
          rowCount: d.rowCount,
          profile: d.profile as Prisma.InputJsonValue,
          split: d.split as Prisma.InputJsonValue,
          preprocessing: d.preprocessing as Prisma.InputJsonValue,
          artifacts: { prefix, ...artifacts } as Prisma.InputJsonValue,
          sizeBytes: BigInt(sizeBytes),
          createdById: args.userId,
        },
        select: { id: true, version: true },
      });
      return { datasetId: dataset.id, versionId: version.id, version: version.version };
    });
  } catch (err) {
    await store.deletePrefix(prefix).catch(logFailure(`removing the files under ${prefix} of a dataset version that was not saved`));
    if ((err as { code?: string }).code === 'P2002') throw conflict(`This project already has a dataset named "${args.name}"`, 'name');
    throw err;
  }
}

export async function createFromUpload(args: { teamId: string; userId: string; role: Role; input: CreateFromUploadInput }) {
  if (!can.write(args.role)) throw forbidden('Viewers cannot create datasets');
  const input = ZCreateFromUploadInput.parse(args.input);
  const draft = await buildFromUpload(args.teamId, args.userId, input);
  const res = await commitVersion({ ...args, projectId: input.projectId, datasetId: input.datasetId, name: input.name, description: input.description, message: input.message, draft });
  await draft.cleanup();
  return res;
}

export async function createSynthetic(args: { teamId: string; userId: string; role: Role; input: CreateSyntheticInput }) {
  if (!can.write(args.role)) throw forbidden('Viewers cannot create datasets');
  const input = ZCreateSyntheticInput.parse(args.input);
  const draft = await buildSynthetic(input);
  return commitVersion({ ...args, projectId: input.projectId, datasetId: input.datasetId, name: input.name, description: input.description, message: input.message, draft });
}

// ---------------------------------------------------------------------------------------------
// Reading

export async function listDatasets(teamId: string, projectId?: string) {
  const rows = await prisma.dataset.findMany({
    where: { teamId, ...(projectId ? { projectId } : {}) },
    orderBy: { updatedAt: 'desc' },
    include: { createdBy: { select: { name: true } }, versions: { orderBy: { version: 'desc' }, take: 1, select: { rowCount: true, task: true, sensitiveColumns: true, createdAt: true } } },
  });
  return rows.map((d) => ({
    id: d.id,
    name: d.name,
    kind: d.kind,
    projectId: d.projectId,
    latestVersion: d.latestVersion,
    createdBy: d.createdBy?.name ?? null,
    updatedAt: d.updatedAt,
    rowCount: d.versions[0]?.rowCount ?? 0,
    task: d.versions[0]?.task ? (JSON.parse(d.versions[0].task) as Task) : null,
    sensitiveColumns: d.versions[0]?.sensitiveColumns ?? [],
  }));
}

export async function getDataset(teamId: string, datasetId: string) {
  const d = await prisma.dataset.findFirst({
    where: { id: datasetId, teamId },
    include: {
      project: { select: { id: true, name: true, slug: true } },
      versions: { orderBy: { version: 'desc' }, select: { version: true, message: true, rowCount: true, createdAt: true, sizeBytes: true, createdBy: { select: { name: true } } } },
    },
  });
  if (!d) throw notFound('Dataset');
  return {
    id: d.id,
    name: d.name,
    description: d.description,
    kind: d.kind as DatasetKind,
    latestVersion: d.latestVersion,
    project: d.project,
    versions: d.versions.map((v) => ({ ...v, sizeBytes: Number(v.sizeBytes), createdBy: v.createdBy?.name ?? null })),
  };
}

export async function getDatasetVersion(teamId: string, datasetId: string, version?: number) {
  const d = await prisma.dataset.findFirst({ where: { id: datasetId, teamId }, select: { id: true, latestVersion: true, kind: true, name: true } });
  if (!d) throw notFound('Dataset');
  const v = await prisma.datasetVersion.findUnique({ where: { datasetId_version: { datasetId, version: version ?? d.latestVersion } } });
  if (!v) throw notFound(`Version ${version} of this dataset`);
  return {
    id: v.id,
    datasetId,
    name: d.name,
    kind: d.kind as DatasetKind,
    version: v.version,
    latestVersion: d.latestVersion,
    message: v.message,
    source: v.source as Record<string, unknown>,
    schema: v.schema as Record<string, unknown>,
    task: v.task ? (JSON.parse(v.task) as Task) : null,
    labelColumn: v.labelColumn,
    sensitiveColumns: v.sensitiveColumns,
    rowCount: v.rowCount,
    profile: v.profile as Record<string, unknown>,
    split: v.split as { settings: SplitSettings; counts: { train: number; validation: number; test: number }; strata: number },
    preprocessing: v.preprocessing as Record<string, unknown>,
    sizeBytes: Number(v.sizeBytes),
    createdAt: v.createdAt,
  };
}
