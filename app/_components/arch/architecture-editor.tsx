'use client';

import { ArrowDown, ArrowUp, Plus, Trash2 } from 'lucide-react';
import { useMemo, useState } from 'react';
import { checkArchitecture, formatShape, type ArchitectureIssue, type ArchitectureSummary } from '@/lib/arch/infer';
import { ZArchitectureSpec, type ArchitectureSpec, type LayerType } from '@/lib/arch/spec';
import { Badge, cn } from '../ui';
import { LayerForm } from './layer-form';
import { CATEGORY_STYLE, LAYER_DEFAULTS, LAYER_GROUPS, layerCategory } from './layer-catalog';
import { NetworkDiagram, type DiagramPart } from './network-diagram';

type Raw = Record<string, unknown>;
export type DraftSpec = Raw & { kind: ArchitectureSpec['kind'] };

/** Spec keys holding layer stacks, per kind, with the part name shape inference uses. */
const STACKS: Record<ArchitectureSpec['kind'], Array<{ key: string; part: string }>> = {
  sequential: [{ key: 'layers', part: 'model' }],
  autoencoder: [
    { key: 'encoder', part: 'encoder' },
    { key: 'decoder', part: 'decoder' },
  ],
  gan: [
    { key: 'generator', part: 'generator' },
    { key: 'discriminator', part: 'discriminator' },
  ],
  policy: [
    { key: 'policy', part: 'policy' },
    { key: 'value', part: 'value' },
  ],
};

const PART_SOURCE: Record<string, string> = { decoder: 'encoder output', discriminator: 'generator output', value: 'observation' };

export interface Validation {
  spec: ArchitectureSpec | null;
  summary: ArchitectureSummary | null;
  /** The first problem, with where it is. */
  problem: { message: string; part?: string; index?: number; key?: string } | null;
}

export function validateDraft(draft: DraftSpec): Validation {
  const parsed = ZArchitectureSpec.safeParse(draft);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const [stackKey, index, key] = issue.path;
    const stack = STACKS[draft.kind]?.find((s) => s.key === stackKey);
    const where = stack && typeof index === 'number' ? `layer ${index}${key ? ` ${String(key)}` : ''}` : issue.path.join('.');
    return {
      spec: null,
      summary: null,
      problem: {
        message: `${stack ? `${stack.part} ` : ''}${where}: ${issue.message}`,
        part: stack?.part,
        index: typeof index === 'number' ? index : undefined,
        key: typeof key === 'string' ? key : undefined,
      },
    };
  }
  const check = checkArchitecture(parsed.data);
  if (!check.ok) return { spec: parsed.data, summary: null, problem: issueProblem(check.issue) };
  return { spec: parsed.data, summary: check.summary, problem: null };
}

function issueProblem(issue: ArchitectureIssue): Validation['problem'] {
  return { message: issue.message, part: issue.part, index: issue.layerIndex };
}

function optionSummary(layer: Raw): string {
  const skip = new Set(['type', 'name', 'trainable', 'kernelInitializer', 'biasInitializer', 'recurrentInitializer', 'embeddingsInitializer', 'useBias']);
  const out: string[] = [];
  for (const [k, v] of Object.entries(layer)) {
    if (skip.has(k) || v === undefined) continue;
    if (k === 'layer' && v && typeof v === 'object') {
      const inner = v as Raw;
      out.push(`${String(inner.type)}(${String(inner.units)})`);
      continue;
    }
    if (typeof v === 'object' && !Array.isArray(v)) continue;
    if (v === false || (k === 'dropout' && v === 0) || (k === 'recurrentDropout' && v === 0)) continue;
    out.push(Array.isArray(v) ? `${k}=${JSON.stringify(v)}` : v === true ? k : `${k}=${String(v)}`);
  }
  return out.slice(0, 5).join(' · ');
}

export function ArchitectureEditor({ draft, onChange, readOnly }: { draft: DraftSpec; onChange: (next: DraftSpec) => void; readOnly?: boolean }) {
  const stacks = STACKS[draft.kind] ?? [];
  const [selected, setSelected] = useState<{ key: string; index: number } | null>(null);
  const [addType, setAddType] = useState<LayerType>('dense');
  const validation = useMemo(() => validateDraft(draft), [draft]);
  const summary = validation.summary;

  const layersOf = (key: string) => (Array.isArray(draft[key]) ? (draft[key] as Raw[]) : []);
  const setLayers = (key: string, layers: Raw[]) => onChange({ ...draft, [key]: layers });
  const rowsOf = (part: string) => summary?.parts.find((p) => p.part === part)?.layers ?? [];

  const diagram: DiagramPart[] = stacks
    .filter((s) => Array.isArray(draft[s.key]))
    .map((s) => {
      const rows = rowsOf(s.part);
      return {
        part: s.part,
        from: PART_SOURCE[s.part],
        nodes: layersOf(s.key).map((l, i) => {
          const row = rows.find((r) => r.index === i);
          return {
            name: row?.name ?? (typeof l.name === 'string' ? l.name : `${String(l.type)}_${i}`),
            type: l.type as LayerType,
            shape: row ? formatShape(row.outputShape) : '?',
            params: row?.params ?? null,
            invalid: validation.problem?.part === s.part && validation.problem.index === i,
            selected: selected?.key === s.key && selected.index === i,
          };
        }),
      };
    });

  const selectedLayer = selected ? layersOf(selected.key)[selected.index] : undefined;

  function move(key: string, index: number, delta: number) {
    const layers = [...layersOf(key)];
    const target = index + delta;
    if (target < 0 || target >= layers.length) return;
    [layers[index], layers[target]] = [layers[target]!, layers[index]!];
    setLayers(key, layers);
    setSelected({ key, index: target });
  }

  function remove(key: string, index: number) {
    const layers = layersOf(key).filter((_, i) => i !== index);
    setLayers(key, layers);
    setSelected(null);
  }

  function add(key: string) {
    const layers = [...layersOf(key)];
    const at = selected?.key === key ? selected.index + 1 : layers.length;
    layers.splice(at, 0, structuredClone(LAYER_DEFAULTS[addType]));
    setLayers(key, layers);
    setSelected({ key, index: at });
  }

  return (
    <div className="space-y-5" data-testid="architecture-editor">
      <div className="flex flex-wrap items-center gap-x-6 gap-y-2 rounded-lg border border-slate-200 bg-white px-5 py-3 text-sm">
        <span>
          Kind <Badge tone="brand">{draft.kind}</Badge>
        </span>
        {draft.kind === 'gan' ? (
          <label className="flex items-center gap-2">
            Latent size
            <input
              className="w-20 rounded border border-slate-300 px-2 py-0.5"
              value={String(draft.latentDim ?? '')}
              disabled={readOnly}
              onChange={(e) => onChange({ ...draft, latentDim: Number(e.target.value) || e.target.value })}
            />
          </label>
        ) : null}
        <span data-testid="total-params">
          Total params <strong>{summary ? summary.totalParams.toLocaleString() : '—'}</strong>
        </span>
        <span>
          Trainable <strong>{summary ? summary.trainableParams.toLocaleString() : '—'}</strong>
        </span>
        <span>
          Non-trainable <strong>{summary ? summary.nonTrainableParams.toLocaleString() : '—'}</strong>
        </span>
        {validation.problem ? (
          <span className="text-red-700" role="alert" data-testid="spec-problem">
            {validation.problem.message}
          </span>
        ) : (
          <span className="text-emerald-700">✓ builds</span>
        )}
      </div>

      <div className="grid gap-5 xl:grid-cols-[1fr_320px]">
        <div className="space-y-5">
          {stacks.map((s) => {
            if (!Array.isArray(draft[s.key])) {
              return readOnly ? null : (
                <button
                  key={s.key}
                  className="rounded-md border border-dashed border-slate-300 px-4 py-2 text-sm text-slate-600 hover:bg-slate-50"
                  onClick={() => setLayers(s.key, [structuredClone(LAYER_DEFAULTS.dense), { type: 'dense', units: 1 }])}
                >
                  <Plus className="mr-1 inline h-4 w-4" />
                  Add a {s.part} network
                </button>
              );
            }
            const rows = rowsOf(s.part);
            return (
              <div key={s.key} className="overflow-hidden rounded-lg border border-slate-200 bg-white">
                {stacks.length > 1 ? (
                  <div className="border-b border-slate-100 bg-slate-50 px-4 py-2 text-sm font-semibold capitalize">
                    {s.part}
                    {PART_SOURCE[s.part] ? <span className="ml-2 text-xs font-normal text-slate-500">input: {PART_SOURCE[s.part]}</span> : null}
                  </div>
                ) : null}
                <table className="w-full text-sm" data-testid={`layers-${s.part}`}>
                  <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
                    <tr className="border-b border-slate-100">
                      <th className="w-8 px-3 py-2 font-medium">#</th>
                      <th className="px-3 py-2 font-medium">Layer (type)</th>
                      <th className="px-3 py-2 font-medium">Options</th>
                      <th className="px-3 py-2 font-medium">Output shape</th>
                      <th className="px-3 py-2 text-right font-medium">Params</th>
                      {readOnly ? null : <th />}
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100">
                    {layersOf(s.key).map((layer, i) => {
                      const row = rows.find((r) => r.index === i);
                      const invalid = validation.problem?.part === s.part && validation.problem.index === i;
                      const isSelected = selected?.key === s.key && selected.index === i;
                      const type = layer.type as LayerType;
                      return (
                        <tr
                          key={i}
                          onClick={() => setSelected({ key: s.key, index: i })}
                          className={cn('cursor-pointer', isSelected ? 'bg-brand-50' : 'hover:bg-slate-50', invalid && 'bg-red-50')}
                          data-testid="layer-row"
                        >
                          <td className="px-3 py-2 text-slate-400">{i}</td>
                          <td className="whitespace-nowrap px-3 py-2">
                            <span className="font-medium">{row?.name ?? (typeof layer.name === 'string' ? layer.name : '—')}</span>{' '}
                            <span className={cn('ml-1 rounded px-1.5 py-0.5 text-xs', CATEGORY_STYLE[layerCategory(type)]?.badge)}>{type}</span>
                          </td>
                          <td className="max-w-64 truncate px-3 py-2 text-xs text-slate-500">{optionSummary(layer)}</td>
                          <td className="whitespace-nowrap px-3 py-2 font-mono text-xs" data-testid="output-shape">
                            {row ? formatShape(row.outputShape) : invalid ? <span className="text-red-600">error</span> : '—'}
                          </td>
                          <td className="px-3 py-2 text-right font-mono text-xs" data-testid="layer-params">
                            {row ? row.params.toLocaleString() : '—'}
                          </td>
                          {readOnly ? null : (
                            <td className="whitespace-nowrap px-2 py-1 text-right" onClick={(e) => e.stopPropagation()}>
                              <button
                                title="Move up"
                                aria-label={`Move layer ${i} up`}
                                className="rounded p-1 text-slate-400 hover:bg-slate-100 hover:text-slate-700"
                                onClick={() => move(s.key, i, -1)}
                              >
                                <ArrowUp className="h-3.5 w-3.5" />
                              </button>
                              <button
                                title="Move down"
                                aria-label={`Move layer ${i} down`}
                                className="rounded p-1 text-slate-400 hover:bg-slate-100 hover:text-slate-700"
                                onClick={() => move(s.key, i, 1)}
                              >
                                <ArrowDown className="h-3.5 w-3.5" />
                              </button>
                              <button title="Remove" aria-label={`Remove layer ${i}`} className="rounded p-1 text-slate-400 hover:bg-red-50 hover:text-red-600" onClick={() => remove(s.key, i)}>
                                <Trash2 className="h-3.5 w-3.5" />
                              </button>
                            </td>
                          )}
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
                {readOnly ? null : (
                  <div className="flex items-center gap-2 border-t border-slate-100 bg-slate-50 px-3 py-2">
                    <select
                      aria-label={`Layer type to add to ${s.part}`}
                      className="rounded border border-slate-300 bg-white px-2 py-1 text-sm"
                      value={addType}
                      onChange={(e) => setAddType(e.target.value as LayerType)}
                    >
                      {LAYER_GROUPS.map((g) => (
                        <optgroup key={g.title} label={g.title}>
                          {g.types.map((t) => (
                            <option key={t} value={t}>
                              {t}
                            </option>
                          ))}
                        </optgroup>
                      ))}
                    </select>
                    <button className="inline-flex items-center gap-1 rounded border border-slate-300 bg-white px-2.5 py-1 text-sm hover:bg-slate-100" onClick={() => add(s.key)}>
                      <Plus className="h-3.5 w-3.5" />
                      {selected?.key === s.key ? `Insert after layer ${selected.index}` : 'Add at the end'}
                    </button>
                  </div>
                )}
              </div>
            );
          })}
        </div>

        <aside className="space-y-5">
          <div className="rounded-lg border border-slate-200 bg-white p-4" data-testid="layer-panel">
            {selectedLayer && selected ? (
              <>
                <h3 className="mb-3 text-sm font-semibold">
                  Layer {selected.index} · <span className="font-mono">{String(selectedLayer.type)}</span>
                </h3>
                {readOnly ? (
                  <pre className="overflow-x-auto rounded bg-slate-50 p-2 text-xs">{JSON.stringify(selectedLayer, null, 2)}</pre>
                ) : (
                  <LayerForm
                    layer={selectedLayer}
                    errors={
                      validation.problem?.index === selected.index && validation.problem.key && validation.problem.part === stacks.find((s) => s.key === selected.key)?.part
                        ? { [validation.problem.key]: validation.problem.message }
                        : undefined
                    }
                    onChange={(next) => {
                      const layers = [...layersOf(selected.key)];
                      layers[selected.index] = next;
                      setLayers(selected.key, layers);
                    }}
                  />
                )}
              </>
            ) : (
              <p className="text-sm text-slate-500">Select a layer to edit its options.</p>
            )}
          </div>
        </aside>
      </div>

      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white p-4">
        <h3 className="mb-2 text-sm font-semibold">Diagram</h3>
        <NetworkDiagram
          parts={diagram}
          onSelect={(part, index) => {
            const key = stacks.find((s) => s.part === part)?.key;
            if (key) setSelected({ key, index });
          }}
        />
      </div>
    </div>
  );
}
