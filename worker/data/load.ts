import { InvalidInputError } from '@/lib/errors';
import type { PrismaClient } from '@prisma/client';
import type { ArtifactStore } from '@/lib/artifacts/store';
import { readCsvTable } from '@/lib/datasets/csv';
import { applyEncoder, ZTabularEncoder } from '@/lib/datasets/encode';
import type { Task } from '@/lib/datasets/schema';
import { encodeTexts, ZTokenizer } from '@/lib/datasets/text';

/**
 * The first stage of the worker's pipeline: a pinned dataset version → typed arrays per split,
 * ready to become tensors. Everything the version needs to be decoded (encoder, tokenizer,
 * standardisation, image size) was fitted when the version was made and is read back here, so a
 * run trains on exactly what the dataset page shows.
 */

export type DataKind = 'tabular' | 'text' | 'image' | 'sequence';

export interface SplitArrays {
  /** Flattened inputs, n × prod(inputShape). Token ids for text (as int32). */
  x: Float32Array | Int32Array;
  /** Class ids (int32) or regression targets (float32). */
  y: Int32Array | Float32Array;
  n: number;
  /** Values of each sensitive attribute per row (tabular), for fairness reports. */
  sensitive: Record<string, string[]>;
}

export interface LoadedData {
  kind: DataKind;
  task: Task;
  /** Shape of one example, without the batch axis. */
  inputShape: number[];
  inputDtype: 'float32' | 'int32';
  classNames: string[] | null;
  featureNames: string[];
  vocabSize: number | null;
  /** Image datasets: augmentation to apply while training. */
  augmentation: Record<string, unknown> | null;
  train: SplitArrays;
  validation: SplitArrays;
  test: SplitArrays;
}

/** A dataset the run cannot train on (gone, or without the label it needs). */
export class DataLoadError extends InvalidInputError {
  constructor(message: string) {
    super(message);
    this.name = 'DataLoadError';
  }
}

interface Artifact {
  key: string;
}

function pick<T extends Float32Array | Int32Array>(x: T, rowSize: number, rows: ArrayLike<number>): T {
  const out = new (x.constructor as new (n: number) => T)(rows.length * rowSize);
  for (let i = 0; i < rows.length; i++) out.set(x.subarray(rows[i]! * rowSize, (rows[i]! + 1) * rowSize), i * rowSize);
  return out;
}

function f32(buf: Buffer): Float32Array {
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}
function i32(buf: Buffer): Int32Array {
  return new Int32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

function classNamesOf(task: Task): string[] | null {
  if (task.kind === 'binary') return [task.negativeClass, task.positiveClass];
  if (task.kind === 'multiclass') return task.classes;
  return null;
}

export async function loadDatasetVersion(prisma: PrismaClient, store: ArtifactStore, versionId: string): Promise<LoadedData> {
  const v = await prisma.datasetVersion.findUnique({ where: { id: versionId }, include: { dataset: { select: { kind: true, name: true } } } });
  if (!v) throw new DataLoadError(`dataset version ${versionId} no longer exists`);
  if (!v.task) throw new DataLoadError(`dataset "${v.dataset.name}" v${v.version} has no label, so it cannot train a supervised model`);
  const task = JSON.parse(v.task) as Task;
  const artifacts = v.artifacts as unknown as Record<string, Artifact>;
  const splitIdx = JSON.parse((await store.get(artifacts.split!.key)).toString()) as Record<'train' | 'validation' | 'test', number[]>;
  const kind = v.dataset.kind as DataKind;
  const pre = v.preprocessing as Record<string, unknown>;
  const schema = v.schema as Record<string, unknown>;
  const empty = { sensitive: {} };

  if (kind === 'image') {
    const { width, height, channels, classNames } = schema as { width: number; height: number; channels: number; classNames: string[] };
    const pixels = await store.get(artifacts.pixels!.key);
    const labels = i32(await store.get(artifacts.labels!.key));
    const size = width * height * channels;
    // Scaled to [0, 1] once; augmentation works on this scale.
    const x = new Float32Array(pixels.length);
    for (let i = 0; i < pixels.length; i++) x[i] = pixels[i]! / 255;
    const part = (rows: number[]): SplitArrays => ({ x: pick(x, size, rows), y: pick(labels, 1, rows), n: rows.length, ...empty });
    return {
      kind,
      task,
      inputShape: [height, width, channels],
      inputDtype: 'float32',
      classNames,
      featureNames: [],
      vocabSize: null,
      augmentation: (pre.augmentation as Record<string, unknown> | null) ?? null,
      train: part(splitIdx.train),
      validation: part(splitIdx.validation),
      test: part(splitIdx.test),
    };
  }

  if (kind === 'sequence') {
    const s = schema as { length: number; features: number; classNames?: string[]; horizon?: number };
    const series = f32(await store.get(artifacts.series!.key));
    const features = s.features ?? 1;
    const size = s.length * features;
    let x = series;
    const std = pre.standardize as { mean: number[]; std: number[] } | undefined;
    if (std) {
      x = new Float32Array(series.length);
      for (let i = 0; i < series.length; i++) x[i] = (series[i]! - std.mean[i % features]!) / std.std[i % features]!;
    }
    const y: Int32Array | Float32Array = artifacts.targets ? f32(await store.get(artifacts.targets.key)) : i32(await store.get(artifacts.labels!.key));
    const ySize = artifacts.targets ? (s.horizon ?? 1) : 1;
    const part = (rows: number[]): SplitArrays => ({ x: pick(x, size, rows), y: pick(y, ySize, rows), n: rows.length, ...empty });
    return {
      kind,
      task,
      inputShape: [s.length, features],
      inputDtype: 'float32',
      classNames: s.classNames ?? classNamesOf(task),
      featureNames: (schema.featureNames as string[]) ?? [],
      vocabSize: null,
      augmentation: null,
      train: part(splitIdx.train),
      validation: part(splitIdx.validation),
      test: part(splitIdx.test),
    };
  }

  // Tabular and text: the CSV, decoded with the fitted encoder / tokenizer.
  const { table } = await readCsvTable(store.stream(artifacts.data!.key));
  const sensitiveColumns = v.sensitiveColumns;
  const sensitiveOf = (rows: number[]) => Object.fromEntries(sensitiveColumns.map((c) => [c, rows.map((r) => table.rows[r]![table.columns.indexOf(c)] ?? '(missing)')]));
  if (kind === 'text') {
    const tokenizer = ZTokenizer.parse(pre.tokenizer);
    const textColumn = schema.textColumn as string;
    const at = table.columns.indexOf(textColumn);
    const labelAt = table.columns.indexOf(v.labelColumn!);
    const classes = classNamesOf(task);
    const part = (rows: number[]): SplitArrays => {
      const kept = rows.filter((r) => table.rows[r]![labelAt] !== null);
      const { ids } = encodeTexts(
        tokenizer,
        kept.map((r) => table.rows[r]![at] ?? null),
      );
      const y = classes ? Int32Array.from(kept, (r) => classes.indexOf(table.rows[r]![labelAt]!)) : Float32Array.from(kept, (r) => Number(table.rows[r]![labelAt]));
      return { x: ids, y, n: kept.length, sensitive: sensitiveOf(kept) };
    };
    return {
      kind,
      task,
      inputShape: [tokenizer.settings.sequenceLength],
      inputDtype: 'int32',
      classNames: classes,
      featureNames: [textColumn],
      vocabSize: tokenizer.settings.vocabSize,
      augmentation: null,
      train: part(splitIdx.train),
      validation: part(splitIdx.validation),
      test: part(splitIdx.test),
    };
  }
  const encoder = ZTabularEncoder.parse(pre.encoder);
  const part = (rows: number[]): SplitArrays => {
    const e = applyEncoder(encoder, table, rows);
    const sensitive = Object.fromEntries(e.sensitiveColumns.map((c, k) => [c, e.sensitive[k]!]));
    return { x: e.x, y: e.y!, n: e.rows, sensitive };
  };
  const train = part(splitIdx.train);
  return {
    kind: 'tabular',
    task,
    inputShape: [encoder.featureNames?.length ?? train.x.length / Math.max(1, train.n)],
    inputDtype: 'float32',
    classNames: classNamesOf(task),
    featureNames: encoder.featureNames ?? [],
    vocabSize: null,
    augmentation: null,
    train,
    validation: part(splitIdx.validation),
    test: part(splitIdx.test),
  };
}
