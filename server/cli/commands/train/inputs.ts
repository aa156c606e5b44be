/** The find-or-create of `deepboard train`'s dataset version and architecture version (see ../train.ts). */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { checkArchitecture, type ArchitectureSummary } from '@/lib/arch/infer';
import type { ArchitectureSpec } from '@/lib/arch/spec';
import { getTemplate, TemplateMismatchError } from '@/lib/arch/templates';
import type { DatasetColumn } from '@/lib/datasets/schema';
import type { SplitSettings } from '@/lib/datasets/split';
import { prisma } from '@/lib/db/client';
import { checkCompatibility, dataShapeOf, type DataShape } from '@/lib/runs/compat';
import { createFromUpload, getDatasetVersion, stageUpload } from '../../../services/datasets';
import { asUsage, canonical, saveArchitecture } from '../../shared/architectures';
import type { Place } from '../../shared/place';
import { UsageError } from '../../types';
import type { ArchSource, TrainArgs } from './args';

const SPLIT = { train: 0.7, validation: 0.15, test: 0.15 } as const;

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface DatasetResult {
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

export async function importDataset(args: TrainArgs, file: string, place: Place): Promise<DatasetResult> {
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

export interface ArchResult {
  id: string;
  name: string;
  version: number;
  reused: boolean;
  source: 'template' | 'file';
  totalParams: number;
}

/** The spec to train: a template built for the data, or the file's (which must fit the data). */
export function specFor(arch: ArchSource, data: DatasetResult, args: TrainArgs): { spec: ArchitectureSpec; summary: ArchitectureSummary } {
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

export async function importArchitecture(arch: ArchSource, spec: ArchitectureSpec, summary: ArchitectureSummary, data: DatasetResult, place: Place): Promise<ArchResult> {
  const saved = await saveArchitecture({
    place,
    spec,
    base: arch.source === 'template' ? `${arch.id} (${data.name})` : path.basename(arch.file).replace(/\.json$/i, '') || 'architecture',
    description: arch.source === 'template' ? `Template ${arch.id}, fitted to ${data.name}` : `Imported by \`deepboard train\` from ${path.basename(arch.file)}`,
    errorPrefix: arch.source === 'template' ? arch.id : arch.file,
  });
  return { ...saved, source: arch.source, totalParams: summary.totalParams };
}
