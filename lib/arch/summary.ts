/**
 * Reading architecture files and presenting summaries: `loadArchitectureJson` accepts either a
 * Deepboard spec or Keras / TensorFlow.js model JSON; `formatSummaryTable` prints a
 * Keras-style `model.summary()` table; `toSummaryJson` is the machine-readable form.
 */
import { InvalidInputError } from '../errors';
import type { ArchitectureSummary, PartSummary, Shape } from './infer';
import { isKerasJson, importKerasJson, KerasImportError } from './keras-import';
import { parseArchitectureSpec, type ArchitectureSpec, type PartName } from './spec';

export class ArchitectureLoadError extends InvalidInputError {
  constructor(message: string) {
    super(message);
    this.name = 'ArchitectureLoadError';
  }
}

export interface LoadedArchitecture {
  format: 'deepboard' | 'keras';
  spec: ArchitectureSpec;
  /** What a Keras import dropped or changed; empty for a Deepboard spec. */
  warnings: string[];
}

/**
 * Detects and reads an architecture file's parsed JSON. Throws ArchitectureLoadError with a
 * one-line message when it is neither format or is invalid.
 */
export function loadArchitectureJson(json: unknown): LoadedArchitecture {
  const isObject = typeof json === 'object' && json !== null && !Array.isArray(json);
  if (isObject && 'kind' in json) {
    const parsed = parseArchitectureSpec(json);
    if (!parsed.ok) throw new ArchitectureLoadError(`invalid architecture spec: ${parsed.message}`);
    return { format: 'deepboard', spec: parsed.spec, warnings: [] };
  }
  if (isKerasJson(json)) {
    try {
      const { spec, warnings } = importKerasJson(json);
      return { format: 'keras', spec, warnings };
    } catch (error) {
      if (error instanceof KerasImportError) throw new ArchitectureLoadError(`cannot import the Keras model: ${error.message}`);
      throw error;
    }
  }
  throw new ArchitectureLoadError('not an architecture: expected a Deepboard spec (with "kind") or Keras / TensorFlow.js model JSON (with "class_name" or "modelTopology")');
}

export interface SummaryJson {
  layers: Array<{ part?: PartName; name: string; type: string; outputShape: Shape; params: number }>;
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
}

/** The summary as plain JSON; layers carry `part` only when the spec has several parts. */
export function toSummaryJson(summary: ArchitectureSummary): SummaryJson {
  const multiPart = summary.parts.length > 1;
  return {
    layers: summary.layers.map((l) => ({
      ...(multiPart ? { part: l.part } : {}),
      name: l.name,
      type: l.type,
      outputShape: l.outputShape,
      params: l.params,
    })),
    totalParams: summary.totalParams,
    trainableParams: summary.trainableParams,
    nonTrainableParams: summary.nonTrainableParams,
  };
}

/** A shape as Keras prints it, batch axis included: `(None, 26, 26, 32)`. */
export function formatKerasShape(shape: Shape): string {
  return `(${['None', ...shape.map((d) => (d === null ? 'None' : String(d)))].join(', ')})`;
}

const count = new Intl.NumberFormat('en-US');

/** Parameters with their float32 size, as Keras 3 prints them: `1,234 (4.82 KB)`. */
function formatParams(n: number): string {
  const bytes = n * 4;
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let size = bytes;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit++;
  }
  return `${count.format(n)} (${unit === 0 ? size : size.toFixed(2)} ${units[unit]})`;
}

type Totals = { totalParams: number; trainableParams: number; nonTrainableParams: number };

function totalsLines(totals: Totals, scope = ''): string[] {
  return [
    `Total params${scope}: ${formatParams(totals.totalParams)}`,
    `Trainable params${scope}: ${formatParams(totals.trainableParams)}`,
    `Non-trainable params${scope}: ${formatParams(totals.nonTrainableParams)}`,
  ];
}

function partTable(part: PartSummary, title: string | null): string[] {
  const header = ['Layer (type)', 'Output Shape', 'Param #'];
  const rows = part.layers.map((l) => [`${l.name} (${l.type})`, formatKerasShape(l.outputShape), count.format(l.params)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)) + 2);
  const line = (cells: string[]) => ` ${cells.map((c, i) => c.padEnd(widths[i]!)).join('')}`.trimEnd();
  const width = widths.reduce((a, b) => a + b, 1);
  const lines: string[] = [];
  if (title !== null) lines.push(title);
  lines.push('_'.repeat(width), line(header), '='.repeat(width));
  rows.forEach((row, i) => {
    lines.push(line(row));
    if (i < rows.length - 1) lines.push('');
  });
  lines.push('='.repeat(width), ...totalsLines(part), '_'.repeat(width));
  return lines;
}

function describeInput(part: PartSummary, summary: ArchitectureSummary): string {
  if (part.layers[0]?.type === 'input') return '';
  const shape = formatKerasShape(part.inputShape);
  const from: Record<PartName, string> = {
    model: '',
    encoder: '',
    policy: '',
    decoder: "the encoder's output",
    generator: 'the latent vector',
    discriminator: "the generator's output",
    value: "the policy network's input",
  };
  return summary.parts.length > 1 ? `, input ${shape} = ${from[part.part]}` : `, input ${shape}`;
}

/** A Keras-style summary table; specs with several parts get one table per part and overall totals. */
export function formatSummaryTable(summary: ArchitectureSummary): string {
  if (summary.parts.length === 1) {
    const part = summary.parts[0]!;
    return partTable(part, `Model: "${part.part}"${describeInput(part, summary)}`).join('\n');
  }
  const lines: string[] = [`Architecture: ${summary.kind} (${summary.parts.map((p) => p.part).join(' + ')})`];
  for (const part of summary.parts) {
    lines.push('', ...partTable(part, `Model: "${part.part}"${describeInput(part, summary)}`));
  }
  lines.push('', ...totalsLines(summary, ' (all parts)'));
  return lines.join('\n');
}
