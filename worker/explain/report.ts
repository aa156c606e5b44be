/**
 * The explainability report of a trained supervised model (issue 7), computed on the test split
 * after evaluation. One call, one JSON-serialisable object the job handler stores with the run.
 *
 * Work is bounded so explaining never costs more than a fraction of training:
 *   - permutation importance: ≤ permutationRows test rows (default 2 000, seeded sample) ×
 *     features × permutationRepeats predictions;
 *   - integrated gradients (tabular / sequence examples refined to a 1 % delta, ≤ 16 × igSteps),
 *     stored per example: ≤ igExamples (default 16, at most 16) examples,
 *     the first of each class in test order (round-robin over classes); every class's attributions
 *     for a multiclass model;
 *   - global mean |IG| and per-group summaries: ≤ attributionRows (default 256) seeded test rows,
 *     attributing the predicted class (the single output of a sigmoid model; the first output of
 *     a regression model);
 *   - image models: saliency, gradient × input and occlusion for ≤ imageExamples (default 4).
 * Text models (int32 token inputs) have no input gradient and no meaningful column to shuffle, so
 * they get a report with only `skipped` filled in.
 */
import type * as tf from '@tensorflow/tfjs';
import { RUN_DOCUMENT_SCHEMA_VERSION, type ExplainReport } from '@/lib/schemas/run-documents';
import type { TaskKind } from '@/lib/schemas/runs';
import { meanAbsPerFeature, summariseGroupAttributions } from './group-attributions';
import { baselineVector, DEFAULT_IG_STEPS, integratedGradients, type QuadratureRule } from './integrated-gradients';
import { labelsOf, predictRows, predictedClasses, rowSize, yieldToEventLoop, type FlatRows } from './model-io';
import { groupFeatures, looksOneHot, permutationImportance, sampleRows, type FeatureGroup } from './permutation';
import { gradientTimesInput, occlusionMap, saliencyMap } from './saliency';

export interface ExplainSplit {
  x: Float32Array | Int32Array;
  y: ArrayLike<number>;
  n: number;
  sensitive: Record<string, string[]>;
}

/** The part of LoadedData the report reads; `train` only serves the 'mean' baseline. */
export interface ExplainData {
  test: ExplainSplit;
  train?: { x: Float32Array | Int32Array; n: number };
  inputShape: number[];
  featureNames: string[];
  task: { kind: TaskKind };
  classNames: string[] | null;
}

export interface ExplainOptions {
  seed: number;
  permutationRepeats?: number;
  igSteps?: number;
  igRule?: QuadratureRule;
  /**
   * Tabular and sequence models: re-integrate examples whose |delta| exceeds 1 % of
   * |f(x) − f(baseline)|, doubling the steps up to 16 × igSteps (default true).
   */
  igRefine?: boolean;
  igExamples?: number;
  /** 'mean' is the training split's mean (the test split's when no training rows are given). */
  baseline?: 'zeros' | 'mean' | number[];
  permutationRows?: number;
  attributionRows?: number;
  imageExamples?: number;
}

export interface IgOutputAttribution {
  output: number;
  /** Class name, or 'output' for a regression / single sigmoid output. */
  name: string;
  value: number;
  baselineValue: number;
  /** One per input element (flattened like x). */
  attributions: number[];
  delta: number;
  /** |delta| / |f(x) − f(baseline)| (|delta| when the output did not move). */
  relativeDelta: number;
  /** Quadrature steps used (more than `steps` after refinement). */
  steps: number;
}

export interface IgExample {
  row: number;
  /** Class id, or the (first) regression target. */
  label: number;
  outputs: IgOutputAttribution[];
}

export interface ImageExplanation {
  row: number;
  /** The class explained: the example's label. */
  output: number;
  height: number;
  width: number;
  /** The input image as shown (H × W × C, row-major, the model's input scale), for overlays. */
  channels?: number;
  pixels?: number[];
  saliency: number[];
  gradientTimesInput: number[];
  occlusion: number[];
}

/** The stored report's type is the schema's (lib/schemas/run-documents.ts): what this file builds must parse. */
export type { ExplainReport };

export const EXPLAIN_CAPS = { permutationRows: 2_000, attributionRows: 256, igExamples: 16, imageExamples: 4 } as const;

function dataKindOf(data: ExplainData): ExplainReport['dataKind'] {
  if (data.test.x instanceof Int32Array) return 'text';
  if (data.inputShape.length === 3) return 'image';
  if (data.inputShape.length === 2) return 'sequence';
  return 'tabular';
}

/** Tabular: one-hot columns grouped to their source column; sequence: one feature per channel across time. */
function sourceFeatures(data: ExplainData, kind: ExplainReport['dataKind']): FeatureGroup[] {
  const size = rowSize(data.inputShape);
  if (kind === 'sequence') {
    const [steps, channels] = data.inputShape as [number, number];
    return Array.from({ length: channels }, (_, c) => ({
      name: data.featureNames[c] ?? `feature ${c}`,
      columns: Array.from({ length: steps }, (_, t) => t * channels + c),
    }));
  }
  const names = data.featureNames.length === size ? data.featureNames : Array.from({ length: size }, (_, i) => `x${i}`);
  return looksOneHot(names) ? groupFeatures(names) : names.map((name, column) => ({ name, columns: [column] }));
}

/** Up to `limit` rows: the first of each class in turn, in test order (regression: the first rows). */
function chooseExamples(labels: Float64Array, n: number, task: TaskKind, classes: number, limit: number): number[] {
  if (task === 'regression') return Array.from({ length: Math.min(n, limit) }, (_, i) => i);
  const queues = Array.from({ length: classes }, () => [] as number[]);
  for (let i = 0; i < n; i++) queues[labels[i]!]?.push(i);
  const chosen: number[] = [];
  for (let k = 0; chosen.length < limit && queues.some((q) => q.length > k); k++) {
    for (const queue of queues) if (k < queue.length && chosen.length < limit) chosen.push(queue[k]!);
  }
  return chosen;
}

function pickRows(rows: FlatRows, indices: number[]): FlatRows {
  const size = rowSize(rows.inputShape);
  const x = new Float32Array(indices.length * size);
  indices.forEach((row, i) => x.set(rows.x.subarray(row * size, (row + 1) * size), i * size));
  return { x, n: indices.length, inputShape: rows.inputShape };
}

export async function explainRun({ model, data, options }: { model: tf.LayersModel; data: ExplainData; options: ExplainOptions }): Promise<ExplainReport> {
  const task = data.task.kind;
  const dataKind = dataKindOf(data);
  const caps = {
    permutationRows: options.permutationRows ?? EXPLAIN_CAPS.permutationRows,
    attributionRows: options.attributionRows ?? EXPLAIN_CAPS.attributionRows,
    igExamples: Math.min(EXPLAIN_CAPS.igExamples, options.igExamples ?? EXPLAIN_CAPS.igExamples),
    imageExamples: options.imageExamples ?? EXPLAIN_CAPS.imageExamples,
  };
  const report: ExplainReport = {
    schemaVersion: RUN_DOCUMENT_SCHEMA_VERSION,
    version: 1,
    dataKind,
    task,
    caps,
    features: [],
    permutation: null,
    integratedGradients: null,
    groups: [],
    images: null,
    skipped: [],
  };
  if (dataKind === 'text') {
    report.skipped.push('text models read token ids: they have no input gradient, and shuffling a token position is not a feature');
    return report;
  }
  if (data.test.n === 0) {
    report.skipped.push('the test split is empty');
    return report;
  }
  const test: FlatRows = { x: data.test.x as Float32Array, n: data.test.n, inputShape: data.inputShape };
  const labels = labelsOf(data.test.y, test.n, task);
  const labelWidth = labels.length / test.n;
  const classes = task === 'regression' ? 0 : task === 'binary' ? 2 : (data.classNames?.length ?? Math.max(...labels) + 1);
  const outputName = (output: number, width: number) => (width > 1 && data.classNames?.[output]) || (width > 1 ? `class ${output}` : 'output');

  if (dataKind !== 'image') {
    report.features = sourceFeatures(data, dataKind);
    report.permutation = permutationImportance(model, test, data.test.y, {
      task,
      groups: report.features,
      repeats: options.permutationRepeats ?? 5,
      seed: options.seed,
      maxRows: caps.permutationRows,
    });
    await yieldToEventLoop();
  } else {
    report.skipped.push('permutation importance: single pixels are not features of an image model (see the pixel maps)');
  }

  const baselineKind = options.baseline === undefined ? 'zeros' : Array.isArray(options.baseline) ? 'given' : options.baseline;
  const trainRows = data.train && data.train.x instanceof Float32Array ? { x: data.train.x, n: data.train.n, inputShape: data.inputShape } : test;
  const baseline = baselineVector(options.baseline ?? 'zeros', data.inputShape, trainRows);
  const steps = options.igSteps ?? DEFAULT_IG_STEPS;
  const rule = options.igRule ?? 'gauss-legendre';
  const refine = dataKind !== 'image' && options.igRefine !== false ? { tolerance: 0.01, maxSteps: 16 * steps } : undefined;
  const width = predictRows(model, { x: baseline, n: 1, inputShape: data.inputShape }).width;

  // Examples: every output for a multiclass model (one IG pass per class), else the single output.
  const exampleRows = chooseExamples(labels, test.n, task, classes, dataKind === 'image' ? Math.min(caps.igExamples, caps.imageExamples) : caps.igExamples);
  const exampleX = pickRows(test, exampleRows);
  const exampleOutputs = dataKind === 'image' ? null : Array.from({ length: width }, (_, output) => output);
  const perOutput = new Map<number, ReturnType<typeof integratedGradients>>();
  const size = rowSize(data.inputShape);
  for (const output of exampleOutputs ?? [...new Set(exampleRows.map((row) => (width > 1 ? labels[row]! : 0)))]) {
    perOutput.set(output, integratedGradients(model, exampleX, { baseline, steps, rule, output, refine }));
    await yieldToEventLoop();
  }
  const examples: IgExample[] = exampleRows.map((row, i) => {
    const outputs = exampleOutputs ?? [width > 1 ? labels[row]! : 0];
    return {
      row,
      label: labels[row * labelWidth]!,
      outputs: outputs.map((output) => {
        const ig = perOutput.get(output)!;
        const change = Math.abs(ig.outputs[i]! - ig.baselineOutput);
        return {
          output,
          name: outputName(output, width),
          value: ig.outputs[i]!,
          baselineValue: ig.baselineOutput,
          attributions: Array.from(ig.attributions.subarray(i * size, (i + 1) * size)),
          delta: ig.deltas[i]!,
          relativeDelta: change > 0 ? Math.abs(ig.deltas[i]!) / change : Math.abs(ig.deltas[i]!),
          steps: ig.stepsUsed[i]!,
        };
      }),
    };
  });

  let globalMeanAbs: { feature: string; value: number }[] = [];
  let attributedRows = 0;
  if (dataKind !== 'image') {
    // The predicted class per row, so each row is explained by the decision the model made.
    const sample = sampleRows(test, labels, labelWidth, caps.attributionRows, options.seed);
    attributedRows = sample.rows.n;
    const predicted = width > 1 ? predictedClasses(predictRows(model, sample.rows).values, width) : new Int32Array(sample.rows.n);
    const attributions = new Float32Array(sample.rows.n * size);
    for (const output of new Set(predicted)) {
      const members = Array.from(predicted.keys()).filter((i) => predicted[i] === output);
      const ig = integratedGradients(model, pickRows(sample.rows, members), { baseline, steps, rule, output, refine });
      members.forEach((row, k) => attributions.set(ig.attributions.subarray(k * size, (k + 1) * size), row * size));
      await yieldToEventLoop();
    }
    const sensitive = Object.fromEntries(Object.entries(data.test.sensitive).map(([name, values]) => [name, Array.from(sample.indices, (i) => values[i]!)]));
    report.groups = summariseGroupAttributions({ attributions, x: sample.rows.x, n: sample.rows.n, rowSize: size, features: report.features, sensitive });
    const overall = meanAbsPerFeature(attributions, sample.rows.n, size, report.features);
    globalMeanAbs = report.features.map((f, k) => ({ feature: f.name, value: overall[k]! }));
  }
  report.integratedGradients = { steps, rule, baseline: baselineKind, examples, rows: attributedRows, globalMeanAbs };

  if (dataKind === 'image') {
    report.images = exampleRows.slice(0, caps.imageExamples).map((row) => {
      const image = test.x.subarray(row * size, (row + 1) * size);
      const output = width > 1 ? labels[row]! : 0;
      const [height, imageWidth, channels] = data.inputShape as [number, number, number];
      return {
        row,
        output,
        height,
        width: imageWidth,
        channels,
        pixels: Array.from(image, (v) => Math.round(v * 1000) / 1000),
        saliency: Array.from(saliencyMap(model, image, data.inputShape, output).map),
        gradientTimesInput: Array.from(gradientTimesInput(model, image, data.inputShape, output).map),
        occlusion: Array.from(occlusionMap(model, image, data.inputShape, { output }).map),
      };
    });
  }
  return report;
}
