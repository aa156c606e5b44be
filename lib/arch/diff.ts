/**
 * Differences between two architecture specs: layers added, removed and changed (with each
 * option's old and new value), and how parameter counts moved, overall and per layer.
 *
 * Layers are aligned per part with a weighted longest common subsequence: only layers of the same
 * type can pair up, and among alignments with the most pairs, pairs that keep their name and
 * options win. Inserting or removing a layer therefore shows as exactly that, instead of
 * shifting every later layer into a "change".
 */
import { checkArchitecture, DEFAULT_LAYER_NAMES, type ArchitectureIssue, type ArchitectureSummary, type Shape } from './infer';
import { specParts, type ArchitectureKind, type ArchitectureSpec, type Layer, type LayerType, type PartName } from './spec';

export interface OptionChange {
  /** Dotted path of the option, e.g. `units`, `kernelRegularizer.l2`, `layer.units`. */
  option: string;
  before: unknown;
  after: unknown;
}

export interface DiffLayerRef {
  index: number;
  name: string;
  type: LayerType;
  /** Unknown (null) when the spec it belongs to cannot be built. */
  params: number | null;
  outputShape: Shape | null;
}

export type LayerDiffStatus = 'added' | 'removed' | 'changed' | 'unchanged';

export interface LayerDiff {
  part: PartName;
  status: LayerDiffStatus;
  before: DiffLayerRef | null;
  after: DiffLayerRef | null;
  /** Options that differ; empty unless status is 'changed'. */
  changes: OptionChange[];
  /** after − before parameters (an added layer counts fully, a removed one negatively); null when unknown. */
  paramsDelta: number | null;
}

export interface PartDiff {
  part: PartName;
  status: 'added' | 'removed' | 'kept';
  layers: LayerDiff[];
  paramsDelta: number | null;
}

export interface ParamTotals {
  before: number | null;
  after: number | null;
  delta: number | null;
}

export interface ArchitectureDiff {
  kind: { before: ArchitectureKind; after: ArchitectureKind };
  /** Spec-level settings that changed (e.g. a GAN's latentDim). */
  settings: OptionChange[];
  parts: PartDiff[];
  counts: Record<LayerDiffStatus, number>;
  params: { total: ParamTotals; trainable: ParamTotals; nonTrainable: ParamTotals };
  /** Why a side cannot be built, if it cannot (its parameters are then unknown). */
  issues: { before: ArchitectureIssue | null; after: ArchitectureIssue | null };
}

interface Side {
  spec: ArchitectureSpec;
  summary: ArchitectureSummary | null;
  issue: ArchitectureIssue | null;
}

function side(spec: ArchitectureSpec): Side {
  const result = checkArchitecture(spec);
  return result.ok ? { spec, summary: result.summary, issue: null } : { spec, summary: null, issue: result.issue };
}

function ref(s: Side, part: PartName, layer: Layer, index: number): DiffLayerRef {
  const row = s.summary?.layers.find((l) => l.part === part && l.index === index);
  return {
    index,
    name: row?.name ?? layer.name ?? DEFAULT_LAYER_NAMES[layer.type],
    type: layer.type,
    params: row ? row.params : null,
    outputShape: row ? row.outputShape : null,
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Options that differ between two values, descending into nested objects (regularizers, wrapped layers). */
export function optionChanges(before: unknown, after: unknown, path = ''): OptionChange[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !(path === '' && k === 'type'));
    return keys.flatMap((key) => optionChanges(before[key], after[key], path ? `${path}.${key}` : key));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ option: path, before, after }];
}

/** Pairing weight: the pair itself, then a kept name, then identical options. */
function weight(a: Layer, b: Layer): number {
  if (a.type !== b.type) return 0;
  return 4 + (a.name === b.name ? 2 : 0) + (optionChanges(a, b).length === 0 ? 1 : 0);
}

type Step = { kind: 'pair'; i: number; j: number } | { kind: 'removed'; i: number } | { kind: 'added'; j: number };

/** Maximum-weight common subsequence of two layer lists, as an edit script in order. */
export function alignLayers(before: Layer[], after: Layer[]): Step[] {
  const n = before.length;
  const m = after.length;
  const score = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const w = weight(before[i]!, after[j]!);
      score[i]![j] = Math.max(score[i + 1]![j]!, score[i]![j + 1]!, w > 0 ? w + score[i + 1]![j + 1]! : 0);
    }
  }
  const steps: Step[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m) {
      const w = weight(before[i]!, after[j]!);
      if (w > 0 && score[i]![j] === w + score[i + 1]![j + 1]!) {
        steps.push({ kind: 'pair', i, j });
        i++;
        j++;
        continue;
      }
    }
    if (j >= m || (i < n && score[i]![j] === score[i + 1]![j])) steps.push({ kind: 'removed', i: i++ });
    else steps.push({ kind: 'added', j: j++ });
  }
  return steps;
}

function delta(before: number | null, after: number | null): number | null {
  return before === null || after === null ? null : after - before;
}

function total(summary: ArchitectureSummary | null, key: 'totalParams' | 'trainableParams' | 'nonTrainableParams'): number | null {
  return summary ? summary[key] : null;
}

function totals(a: Side, b: Side, key: 'totalParams' | 'trainableParams' | 'nonTrainableParams'): ParamTotals {
  const before = total(a.summary, key);
  const after = total(b.summary, key);
  return { before, after, delta: delta(before, after) };
}

function sumDeltas(layers: LayerDiff[]): number | null {
  return layers.reduce<number | null>((sum, l) => (sum === null || l.paramsDelta === null ? null : sum + l.paramsDelta), 0);
}

/** Spec-level fields besides the stacks themselves. */
function settingsOf(spec: ArchitectureSpec): Record<string, unknown> {
  const stacks = new Set<string>(specParts(spec).map((p) => (p.part === 'model' ? 'layers' : p.part)));
  return Object.fromEntries(Object.entries(spec).filter(([key]) => key !== 'kind' && !stacks.has(key)));
}

/** Compares two specs (e.g. two versions of an architecture). Never throws for schema-valid specs. */
export function diffArchitectures(beforeSpec: ArchitectureSpec, afterSpec: ArchitectureSpec): ArchitectureDiff {
  const a = side(beforeSpec);
  const b = side(afterSpec);
  const partsA = specParts(beforeSpec);
  const partsB = specParts(afterSpec);
  const names = [...new Set([...partsA, ...partsB].map((p) => p.part))];

  const parts: PartDiff[] = names.map((part) => {
    const pa = partsA.find((p) => p.part === part);
    const pb = partsB.find((p) => p.part === part);
    const layersA = pa?.layers ?? [];
    const layersB = pb?.layers ?? [];
    const layers: LayerDiff[] = alignLayers(layersA, layersB).map((step) => {
      if (step.kind === 'removed') {
        const before = ref(a, part, layersA[step.i]!, step.i);
        return { part, status: 'removed', before, after: null, changes: [], paramsDelta: before.params === null ? null : -before.params };
      }
      if (step.kind === 'added') {
        const after = ref(b, part, layersB[step.j]!, step.j);
        return { part, status: 'added', before: null, after, changes: [], paramsDelta: after.params };
      }
      const before = ref(a, part, layersA[step.i]!, step.i);
      const after = ref(b, part, layersB[step.j]!, step.j);
      const changes = optionChanges(layersA[step.i], layersB[step.j]);
      return {
        part,
        status: changes.length > 0 ? 'changed' : 'unchanged',
        before,
        after,
        changes,
        paramsDelta: delta(before.params, after.params),
      };
    });
    return { part, status: !pa ? 'added' : !pb ? 'removed' : 'kept', layers, paramsDelta: sumDeltas(layers) };
  });

  const counts: Record<LayerDiffStatus, number> = { added: 0, removed: 0, changed: 0, unchanged: 0 };
  for (const layer of parts.flatMap((p) => p.layers)) counts[layer.status]++;

  return {
    kind: { before: beforeSpec.kind, after: afterSpec.kind },
    settings: optionChanges(settingsOf(beforeSpec), settingsOf(afterSpec)),
    parts,
    counts,
    params: {
      total: totals(a, b, 'totalParams'),
      trainable: totals(a, b, 'trainableParams'),
      nonTrainable: totals(a, b, 'nonTrainableParams'),
    },
    issues: { before: a.issue, after: b.issue },
  };
}
