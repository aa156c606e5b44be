'use client';

import { useMemo } from 'react';
import { ZLayer, type LayerType } from '@/lib/arch/spec';
import { cn } from '../ui';
import { fieldsOf, formatNumbers, parseNumbers, type FieldSpec } from './zod-fields';

type Raw = Record<string, unknown>;

const LABELS: Record<string, string> = {
  useBias: 'Use bias',
  kernelInitializer: 'Kernel initializer',
  biasInitializer: 'Bias initializer',
  recurrentInitializer: 'Recurrent initializer',
  embeddingsInitializer: 'Embeddings initializer',
  kernelRegularizer: 'Kernel regularizer',
  biasRegularizer: 'Bias regularizer',
  recurrentRegularizer: 'Recurrent regularizer',
  embeddingsRegularizer: 'Embeddings regularizer',
  returnSequences: 'Return sequences',
  recurrentDropout: 'Recurrent dropout',
  recurrentActivation: 'Recurrent activation',
  goBackwards: 'Go backwards',
  unitForgetBias: 'Unit forget bias',
  kernelSize: 'Kernel size',
  dilationRate: 'Dilation rate',
  poolSize: 'Pool size',
  targetShape: 'Target shape',
  inputDim: 'Vocabulary size (inputDim)',
  outputDim: 'Embedding size (outputDim)',
  maskZero: 'Mask zero (padding)',
  depthMultiplier: 'Depth multiplier',
  mergeMode: 'Merge mode',
  sharedAxes: 'Shared axes',
  stddev: 'Std. deviation',
};

function label(key: string): string {
  return (
    LABELS[key] ??
    key.charAt(0).toUpperCase() +
      key
        .slice(1)
        .replace(/([A-Z])/g, ' $1')
        .toLowerCase()
  );
}

export function schemaOfLayer(type: LayerType) {
  return ZLayer.options.find((o) => o.shape.type.value === type)!;
}

const inputClass = 'block w-full rounded border border-slate-300 bg-white px-2 py-1 text-sm focus:border-brand-500 focus:outline-none focus:ring-2 focus:ring-brand-100';

function FieldInput({ spec, value, onChange, id }: { spec: FieldSpec; value: unknown; onChange: (v: unknown) => void; id: string }) {
  const f = spec.field;
  const shown = value === undefined ? spec.defaultValue : value;
  switch (f.kind) {
    case 'enum':
      return (
        <select id={id} className={inputClass} value={shown === undefined ? '' : String(shown)} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}>
          {spec.optional || spec.defaultValue !== undefined ? <option value="">{spec.defaultValue !== undefined ? `default (${String(spec.defaultValue)})` : '—'}</option> : null}
          {f.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
    case 'boolean':
      return <input id={id} type="checkbox" className="h-4 w-4 accent-brand-600" checked={Boolean(shown)} onChange={(e) => onChange(e.target.checked)} />;
    case 'number':
      return (
        <input
          id={id}
          className={inputClass}
          inputMode="decimal"
          placeholder={spec.defaultValue !== undefined ? String(spec.defaultValue) : ''}
          value={value === undefined ? '' : String(value)}
          onChange={(e) => {
            const t = e.target.value.trim();
            onChange(t === '' ? undefined : Number.isFinite(Number(t)) ? Number(t) : t);
          }}
        />
      );
    case 'string':
      return <input id={id} className={inputClass} value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)} />;
    case 'numbers':
    case 'list':
      return (
        <input
          id={id}
          className={cn(inputClass, 'font-mono')}
          placeholder={spec.defaultValue !== undefined ? formatNumbers(spec.defaultValue) : f.kind === 'list' ? 'e.g. 28, 28, 1' : 'e.g. 3 or 3, 3'}
          defaultValue={formatNumbers(value)}
          key={formatNumbers(value)}
          onBlur={(e) => onChange(parseNumbers(e.target.value, f))}
          onKeyDown={(e) => {
            if (e.key === 'Enter') onChange(parseNumbers((e.target as HTMLInputElement).value, f));
          }}
        />
      );
    case 'object': {
      const obj = (value ?? {}) as Raw;
      return (
        <div className="grid grid-cols-2 gap-2">
          {f.fields.map((sub) => (
            <label key={sub.key} className="text-xs text-slate-500">
              {sub.key}
              <FieldInput
                id={`${id}-${sub.key}`}
                spec={sub}
                value={obj[sub.key]}
                onChange={(v) => {
                  const next = { ...obj, [sub.key]: v };
                  if (v === undefined) delete next[sub.key];
                  onChange(Object.keys(next).length ? next : undefined);
                }}
              />
            </label>
          ))}
        </div>
      );
    }
    case 'union': {
      const obj = (value ?? {}) as Raw;
      const current = String(obj[f.discriminator] ?? Object.keys(f.variants)[0]);
      return (
        <div className="space-y-2 rounded border border-slate-200 p-2">
          <select className={inputClass} value={current} onChange={(e) => onChange({ ...obj, [f.discriminator]: e.target.value })} aria-label={`${label(spec.key)} type`}>
            {Object.keys(f.variants).map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
          <FieldList fields={f.variants[current] ?? []} value={obj} idPrefix={id} onChange={(next) => onChange({ ...next, [f.discriminator]: current })} />
        </div>
      );
    }
    default:
      return (
        <textarea
          id={id}
          className={cn(inputClass, 'font-mono text-xs')}
          defaultValue={value === undefined ? '' : JSON.stringify(value)}
          onBlur={(e) => {
            try {
              onChange(e.target.value.trim() ? JSON.parse(e.target.value) : undefined);
            } catch {
              onChange(e.target.value);
            }
          }}
        />
      );
  }
}

function FieldList({ fields, value, onChange, idPrefix, errors }: { fields: FieldSpec[]; value: Raw; onChange: (v: Raw) => void; idPrefix: string; errors?: Record<string, string> }) {
  return (
    <div className="space-y-3">
      {fields.map((spec) => {
        const id = `${idPrefix}-${spec.key}`;
        const error = errors?.[spec.key];
        const input = (
          <FieldInput
            id={id}
            spec={spec}
            value={value[spec.key]}
            onChange={(v) => {
              const next = { ...value, [spec.key]: v };
              if (v === undefined) delete next[spec.key];
              onChange(next);
            }}
          />
        );
        return spec.field.kind === 'boolean' ? (
          <div key={spec.key}>
            <label htmlFor={id} className="flex items-center gap-2 text-sm text-slate-700">
              {input} {label(spec.key)}
            </label>
            {error ? <p className="mt-0.5 text-xs text-red-600">{error}</p> : null}
          </div>
        ) : (
          <div key={spec.key}>
            <label htmlFor={id} className="mb-0.5 block text-xs font-medium text-slate-600">
              {label(spec.key)}
              {!spec.optional && spec.defaultValue === undefined ? <span className="text-red-500"> *</span> : null}
            </label>
            {input}
            {error ? <p className="mt-0.5 text-xs text-red-600">{error}</p> : null}
          </div>
        );
      })}
    </div>
  );
}

/** The options form of one layer, generated from the layer's schema. */
export function LayerForm({ layer, onChange, errors }: { layer: Raw; onChange: (layer: Raw) => void; errors?: Record<string, string> }) {
  const type = layer.type as LayerType;
  const fields = useMemo(() => fieldsOf(schemaOfLayer(type)).filter((f) => f.key !== 'type'), [type]);
  // Name first, the rarely changed switches last.
  const order = (f: FieldSpec) => (f.key === 'name' ? -1 : f.key === 'trainable' ? 2 : f.field.kind === 'boolean' ? 1 : 0);
  return <FieldList fields={[...fields].sort((a, b) => order(a) - order(b))} value={layer} onChange={onChange} idPrefix={`layer-${type}`} errors={errors} />;
}
