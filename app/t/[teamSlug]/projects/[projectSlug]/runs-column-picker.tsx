'use client';

import type { RouterOutputs } from '@/server/api/root';

export type AvailableColumns = RouterOutputs['runs']['columns'];

/** The columns shown before the user picks: up to four validation/test metrics and the usual hyperparameters. */
export function defaultColumns(available: AvailableColumns | undefined) {
  return {
    metrics: (available?.metrics ?? [])
      .map((m) => m.name)
      .filter((n) => /^(val_|test_)/.test(n))
      .slice(0, 4),
    params: (available?.params ?? []).map((p) => p.path).filter((p) => ['learningRate', 'batchSize', 'epochs', 'optimizer.name'].includes(p)),
  };
}

/** Ticks for every metric and parameter the project's runs have: which ones the table shows. */
export function ColumnPicker({
  available,
  metrics,
  params,
  onMetrics,
  onParams,
}: {
  available: AvailableColumns;
  metrics: string[];
  params: string[];
  onMetrics: (metrics: string[]) => void;
  onParams: (params: string[]) => void;
}) {
  return (
    <div className="grid gap-3 rounded-md border border-slate-200 p-3 text-xs sm:grid-cols-2" data-testid="column-picker">
      <div>
        <div className="mb-1 font-semibold uppercase text-slate-500">Metrics</div>
        {available.metrics.map((m) => (
          <label key={m.name} className="mr-3 inline-flex items-center gap-1">
            <input type="checkbox" checked={metrics.includes(m.name)} onChange={(e) => onMetrics(e.target.checked ? [...metrics, m.name] : metrics.filter((x) => x !== m.name))} />
            {m.name}
          </label>
        ))}
      </div>
      <div>
        <div className="mb-1 font-semibold uppercase text-slate-500">Parameters</div>
        {available.params.map((p) => (
          <label key={p.path} className="mr-3 inline-flex items-center gap-1">
            <input type="checkbox" checked={params.includes(p.path)} onChange={(e) => onParams(e.target.checked ? [...params, p.path] : params.filter((x) => x !== p.path))} />
            {p.path}
          </label>
        ))}
      </div>
    </div>
  );
}
